/**
 * The identity tables and their migrations. Users have an immutable id (`user:<20 hex digits>`),
 * distinct from their name: a secret's owner is that id, so a user deleted and created again
 * under the same name is a different user and does not inherit the old one's private secrets.
 * The `:` cannot occur in a user name, so an id is never mistaken for one.
 */
import { randomBytes } from "node:crypto";
import type { MigrationStep } from "@coffer/sql";

export interface UserRow {
  id: string;
  name: string;
  role: string;
  created_at: number;
}

export type TokenKind = "api" | "enrollment";

export interface TokenRow {
  id: string;
  /** Kept for tokens made before user ids; new rows carry the name at creation. */
  user_name: string;
  user_id: string;
  hash: string;
  description: string;
  /** `api`: a working token. `enrollment`: good only for its user to make their own token, once. */
  kind: TokenKind;
  /** The id of the user who made the token; null for bootstrap tokens and tokens made before it was kept. */
  created_by: string | null;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
}

export interface IdentityTables {
  coffer_users: UserRow;
  coffer_tokens: TokenRow;
}

export const IDENTITY_MIGRATIONS_TABLE = "coffer_server_migrations";

export function newUserId(): string {
  return `user:${randomBytes(10).toString("hex")}`;
}

/** What the owner migration needs of the service's MetadataSealer (metadata-seal.ts). */
export interface RowSealer {
  problem(row: Record<string, unknown>): string | undefined;
  seal(row: Record<string, unknown>): string;
}

export const identityMigrations = (sealer?: RowSealer): Record<string, MigrationStep> => ({
  async "0001_identity"(db, t) {
    await db.schema
      .createTable("coffer_users")
      .addColumn("name", t.key, (c) => c.primaryKey())
      .addColumn("role", t.key, (c) => c.notNull())
      .addColumn("created_at", t.timestamp, (c) => c.notNull())
      .execute();
    await db.schema
      .createTable("coffer_tokens")
      .addColumn("id", t.key, (c) => c.primaryKey())
      .addColumn("user_name", t.key, (c) => c.notNull())
      .addColumn("hash", t.key, (c) => c.notNull().unique())
      .addColumn("description", t.name, (c) => c.notNull())
      .addColumn("created_at", t.timestamp, (c) => c.notNull())
      .addColumn("expires_at", t.timestamp)
      .addColumn("revoked_at", t.timestamp)
      .execute();
    await db.schema.createIndex("coffer_tokens_user").on("coffer_tokens").columns(["user_name"]).execute();
  },

  /**
   * Users get ids; tokens name their user, kind and creator by id; and secrets owned by an existing
   * user's name become owned by that user's id (private secrets move to the id's name space too).
   * Owners that name no current user (users deleted before this migration) stay as they are:
   * no server user ever acts under a bare name again, so those private secrets are readable by
   * nobody through the server, which is what deleting their owner meant.
   */
  async "0002_user_ids"(db, t) {
    await db.schema.alterTable("coffer_users").addColumn("id", t.key).execute();
    await db.schema.alterTable("coffer_tokens").addColumn("user_id", t.key).execute();
    await db.schema.alterTable("coffer_tokens").addColumn("created_by", t.key).execute();
    await db.schema
      .alterTable("coffer_tokens")
      .addColumn("kind", t.key, (c) => c.notNull().defaultTo("api"))
      .execute();
    const tables = new Set((await db.introspection.getTables()).map((table) => table.name));
    const users = (await db.selectFrom("coffer_users").select("name").execute()) as Array<{ name: string }>;
    for (const { name } of users) {
      const id = newUserId();
      await db.updateTable("coffer_users").set({ id }).where("name", "=", name).execute();
      await db.updateTable("coffer_tokens").set({ user_id: id }).where("user_name", "=", name).execute();
      if (tables.has("coffer_secrets")) await reownSecrets(db, name, id, sealer);
    }
    await db.schema.createIndex("coffer_users_id").on("coffer_users").columns(["id"]).unique().execute();
    await db.schema.createIndex("coffer_tokens_user_id").on("coffer_tokens").columns(["user_id"]).execute();
  },
});

/**
 * Secrets owned by the user's name become owned by the user's id (private ones move to the id's
 * name space too). Sealed rows are checked first and sealed again afterwards: a row that fails its
 * check (changed outside Coffer) is never adopted, and keeps failing it.
 */
async function reownSecrets(
  db: Parameters<MigrationStep>[0],
  name: string,
  id: string,
  sealer: RowSealer | undefined,
): Promise<void> {
  const rows = (await db
    .selectFrom("coffer_secrets")
    .selectAll()
    .where("owner", "=", name)
    .execute()) as Array<Record<string, unknown>>;
  for (const row of rows) {
    const moved = { ...row, owner: id, scope: Number(row.private) === 1 ? id : row.scope };
    const isSealed = typeof row.mac === "string" && row.mac !== "";
    if (isSealed && !sealer) {
      throw new Error("the owner-id migration found sealed secrets but was given no metadata sealer");
    }
    if (isSealed && sealer?.problem(row)) continue;
    await db
      .updateTable("coffer_secrets")
      .set({ owner: moved.owner, scope: moved.scope, ...(isSealed ? { mac: sealer!.seal(moved) } : {}) })
      .where("id", "=", row.id as string)
      .execute();
  }
}
