/**
 * The store's own tables, kept apart from the metadata tables even when they share a database.
 *
 * One row per secret. `deployment_id` lets several deployments share one database without seeing
 * each other's rows. `revision` counts value writes (check-and-set); re-encryption leaves it alone
 * because the values do not change. `iv` doubles as the write token: every write draws a new one,
 * so "WHERE revision = ? AND iv = ?" matches only the exact write that was read, even if the secret
 * was deleted and created again meanwhile.
 */
import type { MigrationStep } from "@coffer/sql";

export const VALUES_TABLE = "coffer_store_values";
/** Earlier revisions, sealed exactly as they were when current (0002_revisions). */
export const REVISIONS_TABLE = "coffer_store_revisions";
export const MIGRATIONS_TABLE = "coffer_store_sql_migrations";
/** Data keys wrapped by a KMS key (0003_data_keys); used only with a KMS key source. */
export const DATA_KEYS_TABLE = "coffer_store_data_keys";

export interface ValuesRow {
  deployment_id: string;
  secret_id: string;
  /** The envelope format (envelope.ts FORMAT), bound into the AAD. */
  format: number;
  key_id: string;
  iv: string;
  ciphertext: string;
  revision: number;
  /** When the values were last written, in milliseconds since the epoch. */
  updated_at: number;
}

/** A superseded revision: the row it was, moved aside unchanged (same IV, same ciphertext). */
export interface RevisionRow {
  deployment_id: string;
  secret_id: string;
  revision: number;
  format: number;
  key_id: string;
  iv: string;
  ciphertext: string;
  /** When this revision was written. */
  updated_at: number;
}

/**
 * One data key, as the KMS wrapped it. The key id is what value rows name in `key_id`; the
 * unwrapped bytes never reach the database.
 */
export interface DataKeyRow {
  deployment_id: string;
  key_id: string;
  /** The wrapped key, as the KEK returned it (base64 or the provider's text form). */
  wrapped: string;
  /** Which KEK wrapped it, as the KEK describes itself (an ARN, a transit key and version). */
  kek: string;
  /** When the key was made; the newest is the active one. */
  created_at: number;
  /** When it was last wrapped (creation, or a re-wrap after a KEK rotation). */
  wrapped_at: number;
}

export interface StoreTables {
  [VALUES_TABLE]: ValuesRow;
  [REVISIONS_TABLE]: RevisionRow;
  [DATA_KEYS_TABLE]: DataKeyRow;
}

export const migrations: Record<string, MigrationStep> = {
  "0001_values": async (db, types) => {
    await db.schema
      .createTable(VALUES_TABLE)
      .addColumn("deployment_id", types.key, (column) => column.notNull())
      .addColumn("secret_id", types.key, (column) => column.notNull())
      .addColumn("format", types.integer, (column) => column.notNull())
      .addColumn("key_id", types.key, (column) => column.notNull())
      .addColumn("iv", types.key, (column) => column.notNull())
      .addColumn("ciphertext", types.longText, (column) => column.notNull())
      .addColumn("revision", types.integer, (column) => column.notNull())
      .addColumn("updated_at", types.timestamp, (column) => column.notNull())
      .addPrimaryKeyConstraint(`${VALUES_TABLE}_pk`, ["deployment_id", "secret_id"])
      .execute();
    // Rotation looks for rows not under the active key; init counts rows per key.
    await db.schema
      .createIndex(`${VALUES_TABLE}_key`)
      .on(VALUES_TABLE)
      .columns(["deployment_id", "key_id", "secret_id"])
      .execute();
  },
  // History: the current revision stays in the values table; each update moves the row it
  // replaces here, and retention drops the oldest beyond maxVersions.
  "0002_revisions": async (db, types) => {
    await db.schema
      .createTable(REVISIONS_TABLE)
      .addColumn("deployment_id", types.key, (column) => column.notNull())
      .addColumn("secret_id", types.key, (column) => column.notNull())
      .addColumn("revision", types.integer, (column) => column.notNull())
      .addColumn("format", types.integer, (column) => column.notNull())
      .addColumn("key_id", types.key, (column) => column.notNull())
      .addColumn("iv", types.key, (column) => column.notNull())
      .addColumn("ciphertext", types.longText, (column) => column.notNull())
      .addColumn("updated_at", types.timestamp, (column) => column.notNull())
      .addPrimaryKeyConstraint(`${REVISIONS_TABLE}_pk`, ["deployment_id", "secret_id", "revision"])
      .execute();
    // Which keys old revisions still need (init's check, key retirement).
    await db.schema
      .createIndex(`${REVISIONS_TABLE}_key`)
      .on(REVISIONS_TABLE)
      .columns(["deployment_id", "key_id"])
      .execute();
  },
  // Envelope encryption with a KMS: each data key wrapped by the KMS key, never in the clear.
  "0003_data_keys": async (db, types) => {
    await db.schema
      .createTable(DATA_KEYS_TABLE)
      .addColumn("deployment_id", types.key, (column) => column.notNull())
      .addColumn("key_id", types.key, (column) => column.notNull())
      .addColumn("wrapped", types.longText, (column) => column.notNull())
      .addColumn("kek", types.longText, (column) => column.notNull())
      .addColumn("created_at", types.timestamp, (column) => column.notNull())
      .addColumn("wrapped_at", types.timestamp, (column) => column.notNull())
      .addPrimaryKeyConstraint(`${DATA_KEYS_TABLE}_pk`, ["deployment_id", "key_id"])
      .execute();
  },
};
