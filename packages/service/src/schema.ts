/**
 * The metadata database: one schema, the same on SQLite, PostgreSQL and MySQL.
 *
 * `coffer_secrets.scope` makes names unique the way Coffer promises: "" for public secrets (one
 * public name space) and the owner's id for private ones (one name space per owner). A private
 * and a public secret may share a name; two public ones may not.
 *
 * `state` carries the protocol that keeps metadata and values consistent without a transaction
 * spanning both systems (see write-protocol.ts): pending → active on create, active → updating → active
 * on a value change, active → deleting → (row removed) on delete.
 */
import type { MigrationStep } from "@coffer/sql";
import { sql } from "kysely";

export type SecretState = "pending" | "active" | "updating" | "deleting";

export interface SecretRow {
  id: string;
  name: string;
  owner: string;
  private: number;
  scope: string;
  version: number;
  state: SecretState;
  /** JSON array of the secret's keys (names only, never values). */
  keys: string;
  created_at: number;
  updated_at: number;
  /** When the row entered its current state; reconcile looks at rows stuck in one. */
  state_since: number;
  /** The row's seal (metadata-seal.ts); null only on rows from before sealing, until 0006 seals them. */
  mac: string | null;
}

/**
 * One version of a secret as it was written (history.ts): who, when, what kind of change, the name,
 * visibility and key names then, and per key a keyed digest of the value (value-digests.ts) so that
 * what changed is known without reading old values. Sealed like the secrets' rows.
 */
export interface VersionRow {
  secret_id: string;
  version: number;
  created_at: number;
  created_by: string;
  action: string;
  name: string;
  private: number;
  /** JSON array of key names. */
  keys: string;
  /** JSON object: key name → base64url digest of its value. */
  digests: string;
  /** The store revision holding this version's values; null when it is not known. */
  store_revision: number | null;
  rolled_back_to: number | null;
  mac: string;
}

export interface DeploymentRow {
  id: string;
  created_at: number;
}

/** The key that signs list cursors (cursor-key.ts, which creates the table with its own migration). */
export interface CursorKeyRow {
  id: string;
  /** base64url */
  key: string;
  created_at: number;
}

/**
 * One committed change of a secret's metadata (change-log.ts): what it is now, never a value.
 * `prior_name` / `prior_private` hold the name and visibility before a change of either, so that
 * whoever could see the secret before hears that it left their view.
 */
export interface ChangeRow {
  /** The feed's sequence number: strictly increasing in commit order (change-log.ts). */
  id: number | string;
  secret_id: string;
  name: string;
  owner: string;
  private: number;
  version: number;
  action: string;
  at: number | string;
  prior_name: string | null;
  prior_private: number | null;
}

/** One row ("feed"): the last change id handed out, and the highest one pruning removed. */
export interface ChangeCounterRow {
  id: string;
  last_id: number | string;
  pruned_through: number | string;
}

export interface MetadataTables {
  coffer_secrets: SecretRow;
  coffer_changes: ChangeRow;
  coffer_change_counter: ChangeCounterRow;
  coffer_deployment: DeploymentRow;
  coffer_cursor_keys: CursorKeyRow;
  coffer_secret_versions: VersionRow;
}

export const MIGRATIONS_TABLE = "coffer_metadata_migrations";

export const metadataMigrations: Record<string, MigrationStep> = {
  async "0001_secrets"(db, t, dialect) {
    await db.schema
      .createTable("coffer_deployment")
      .addColumn("id", t.key, (c) => c.primaryKey())
      .addColumn("created_at", t.timestamp, (c) => c.notNull())
      .execute();
    await db.schema
      .createTable("coffer_secrets")
      .addColumn("id", t.key, (c) => c.primaryKey())
      .addColumn("name", t.name, (c) => c.notNull())
      .addColumn("owner", t.key, (c) => c.notNull())
      .addColumn("private", t.flag, (c) => c.notNull())
      .addColumn("scope", t.key, (c) => c.notNull())
      .addColumn("version", t.integer, (c) => c.notNull())
      .addColumn("state", t.key, (c) => c.notNull())
      .addColumn("keys", t.longText, (c) => c.notNull())
      .addColumn("created_at", t.timestamp, (c) => c.notNull())
      .addColumn("updated_at", t.timestamp, (c) => c.notNull())
      .addColumn("state_since", t.timestamp, (c) => c.notNull())
      .addUniqueConstraint("coffer_secrets_scope_name", ["scope", "name"])
      .execute();
    // Keyset pagination walks one of these in order; the id breaks ties.
    await db.schema
      .createIndex("coffer_secrets_name_id")
      .on("coffer_secrets")
      .columns(["name", "id"])
      .execute();
    await db.schema
      .createIndex("coffer_secrets_created_id")
      .on("coffer_secrets")
      .columns(["created_at", "id"])
      .execute();
    await db.schema
      .createIndex("coffer_secrets_updated_id")
      .on("coffer_secrets")
      .columns(["updated_at", "id"])
      .execute();
    await db.schema.createIndex("coffer_secrets_owner").on("coffer_secrets").columns(["owner"]).execute();
    // Reconcile looks for the few rows in a transitional state. A partial index covers just those;
    // a full index on state would tempt planners without statistics into using it for listings
    // (where nearly every row is active) and sorting the whole table. MySQL has no partial
    // indexes, so there reconcile scans: it is rare and the scan is cheap.
    if (dialect !== "mysql") {
      await db.schema
        .createIndex("coffer_secrets_unsettled")
        .on("coffer_secrets")
        .columns(["state_since"])
        .where(sql.ref("state"), "<>", "active")
        .execute();
    }
  },
};

/**
 * Steps after integrity-migrations.ts's 0005/0006, which share this migrations table: Kysely
 * refuses a migration that sorts before one already applied, so these are named from 0007 on and
 * run with the second migrate call in open.ts (the one that applies 0006), never before it.
 */
export const laterMetadataMigrations: Record<string, MigrationStep> = {
  async "0007_secret_versions"(db, t) {
    // ifNotExists: a database put back to before 0006 (see integrity.test.ts) runs this again.
    await db.schema
      .createTable("coffer_secret_versions")
      .ifNotExists()
      .addColumn("secret_id", t.key, (c) => c.notNull())
      .addColumn("version", t.integer, (c) => c.notNull())
      .addColumn("created_at", t.timestamp, (c) => c.notNull())
      .addColumn("created_by", t.key, (c) => c.notNull())
      .addColumn("action", t.key, (c) => c.notNull())
      .addColumn("name", t.name, (c) => c.notNull())
      .addColumn("private", t.flag, (c) => c.notNull())
      .addColumn("keys", t.longText, (c) => c.notNull())
      .addColumn("digests", t.longText, (c) => c.notNull())
      .addColumn("store_revision", t.integer)
      .addColumn("rolled_back_to", t.integer)
      .addColumn("mac", t.key, (c) => c.notNull())
      .addPrimaryKeyConstraint("coffer_secret_versions_pk", ["secret_id", "version"])
      .execute();
  },
  async "0008_changes"(db, t) {
    await db.schema
      .createTable("coffer_changes")
      .ifNotExists()
      .addColumn("id", t.bigInteger, (c) => c.primaryKey())
      .addColumn("secret_id", t.key, (c) => c.notNull())
      .addColumn("name", t.name, (c) => c.notNull())
      .addColumn("owner", t.key, (c) => c.notNull())
      .addColumn("private", t.flag, (c) => c.notNull())
      .addColumn("version", t.integer, (c) => c.notNull())
      .addColumn("action", t.key, (c) => c.notNull())
      .addColumn("at", t.timestamp, (c) => c.notNull())
      .addColumn("prior_name", t.name)
      .addColumn("prior_private", t.flag)
      .execute();
    await db.schema
      .createTable("coffer_change_counter")
      .ifNotExists()
      .addColumn("id", t.key, (c) => c.primaryKey())
      .addColumn("last_id", t.bigInteger, (c) => c.notNull())
      .addColumn("pruned_through", t.bigInteger, (c) => c.notNull())
      .execute();
    const counter = await db.selectFrom("coffer_change_counter").select("id").executeTakeFirst();
    if (!counter)
      await db
        .insertInto("coffer_change_counter")
        .values({ id: "feed", last_id: 0, pruned_through: 0 })
        .execute();
  },
  async "0009_list_by_scope"(db, _types, dialect) {
    // A listing walks one branch per visibility scope the caller sees (list-query.ts), each in
    // (scope, sort column, id) order from its cursor.
    for (const [index, column] of [
      ["coffer_secrets_scope_name_id", "name"],
      ["coffer_secrets_scope_created_id", "created_at"],
      ["coffer_secrets_scope_updated_id", "updated_at"],
    ] as const) {
      // As for 0007, this may run again on a database put back to before 0006. MySQL 8 has no
      // CREATE INDEX IF NOT EXISTS (MariaDB has), so there the catalogue is asked first.
      if (dialect === "mysql") {
        const { rows } = await sql`select 1 from information_schema.statistics
          where table_schema = database() and table_name = 'coffer_secrets' and index_name = ${index}`.execute(
          db,
        );
        if (rows.length > 0) continue;
      }
      const create = db.schema.createIndex(index).on("coffer_secrets").columns(["scope", column, "id"]);
      await (dialect === "mysql" ? create : create.ifNotExists()).execute();
    }
  },
};
