/**
 * The key that signs list cursors.
 *
 * A cursor carries the last row's sort value and id back to the server, which puts them into the
 * next page's query. A client must not be able to hand-make one: so each cursor carries an
 * HMAC-SHA256 under a per-deployment key, and a cursor whose MAC does not verify (made by hand,
 * by another deployment, or before the key changed) is a typed 400 before any query runs.
 *
 * Where the key comes from: 32 random bytes, made on the first list call of a deployment and kept
 * in the metadata database (table `coffer_cursor_keys`), so every replica of a server and every
 * CLI on the same database shares it. Anyone who can read the metadata database could forge a
 * cursor — but then they can read the metadata already, and a forged cursor still passes through
 * the same typed checks (sort value type, id format) and the caller's visibility rules. Deleting
 * the row makes a new key on the next list and invalidates the cursors in flight (clients start
 * again from the first page).
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { type MigrationStep, migrate } from "@coffer/sql";
import type { MetadataRepository } from "./metadata.js";

const migrations: Record<string, MigrationStep> = {
  async "0001_cursor_keys"(db, t) {
    await db.schema
      .createTable("coffer_cursor_keys")
      .addColumn("id", t.key, (c) => c.primaryKey())
      .addColumn("key", t.key, (c) => c.notNull())
      .addColumn("created_at", t.timestamp, (c) => c.notNull())
      .execute();
  },
};

const KEY_ID = "list-cursor";

export class CursorSigner {
  constructor(private readonly key: Buffer) {}

  /** Loads the deployment's cursor key from the metadata database, making it on first use. */
  static async load(metadata: MetadataRepository, now: number): Promise<CursorSigner> {
    await migrate(metadata.database, "coffer_cursor_migrations", migrations);
    const key = await metadata.cursorKey(KEY_ID, randomBytes(32).toString("base64url"), now);
    return new CursorSigner(Buffer.from(key, "base64url"));
  }

  /** `payload.mac`, both base64url. */
  sign(payload: string): string {
    const encoded = Buffer.from(payload, "utf8").toString("base64url");
    return `${encoded}.${this.#mac(encoded)}`;
  }

  /** The payload of a cursor this key signed, or undefined for anything else. */
  verify(cursor: string): string | undefined {
    const dot = cursor.indexOf(".");
    if (dot < 0) return undefined;
    const encoded = cursor.slice(0, dot);
    const given = Buffer.from(cursor.slice(dot + 1), "base64url");
    const expected = Buffer.from(this.#mac(encoded), "base64url");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    return Buffer.from(encoded, "base64url").toString("utf8");
  }

  #mac(encoded: string): string {
    return createHmac("sha256", this.key).update(encoded).digest("base64url");
  }
}
