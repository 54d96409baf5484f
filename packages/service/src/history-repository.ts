/**
 * Every query on the version history table (coffer_secret_versions). Rows are sealed with the
 * metadata keyring like the secrets' rows (metadata-seal.ts): someone who can write to the
 * database but lacks the key cannot rewrite who made a version, hand an old private version to the
 * public, or swap the digests that vouch for old values — such a row fails its check when read.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Database } from "@coffer/sql";
import { isUniqueViolation, rethrowDatabaseError } from "@coffer/sql";
import type { Kysely } from "kysely";
import type { MetadataSealer } from "./metadata-seal.js";
import { tampered } from "./metadata-seal.js";
import type { MetadataTables, VersionRow } from "./schema.js";

/** Most versions one history call returns (newest first); older ones stay in the table. */
export const HISTORY_LIMIT = 1000;

export class HistoryRepository {
  readonly #db: Kysely<MetadataTables>;

  constructor(
    private readonly database: Database,
    private readonly sealer: MetadataSealer,
  ) {
    this.#db = database.db as Kysely<MetadataTables>;
  }

  async #run<T>(query: (db: Kysely<MetadataTables>) => Promise<T>): Promise<T> {
    try {
      return await query(this.#db);
    } catch (error) {
      rethrowDatabaseError(error, this.database.location);
    }
  }

  /** Records a version; a version recorded already (a repeated repair) is left as it was. */
  async record(row: Omit<VersionRow, "mac">): Promise<void> {
    const sealed: VersionRow = { ...row, mac: this.#seal(row) };
    try {
      await this.#db.insertInto("coffer_secret_versions").values(sealed).execute();
    } catch (error) {
      if (isUniqueViolation(error)) return;
      rethrowDatabaseError(error, this.database.location);
    }
  }

  /** The versions of a secret, newest first, each verified. */
  async list(secretId: string, limit = HISTORY_LIMIT): Promise<VersionRow[]> {
    const rows = await this.#run((db) =>
      db
        .selectFrom("coffer_secret_versions")
        .selectAll()
        .where("secret_id", "=", secretId)
        .orderBy("version", "desc")
        .limit(limit)
        .execute(),
    );
    return rows.map((row) => this.#verify(row));
  }

  /** One version, verified; undefined when it was never recorded. */
  async find(secretId: string, version: number): Promise<VersionRow | undefined> {
    const row = await this.#run((db) =>
      db
        .selectFrom("coffer_secret_versions")
        .selectAll()
        .where("secret_id", "=", secretId)
        .where("version", "=", version)
        .executeTakeFirst(),
    );
    return row && this.#verify(row);
  }

  /** The latest recorded version, verified. */
  async latest(secretId: string): Promise<VersionRow | undefined> {
    return (await this.list(secretId, 1))[0];
  }

  /** Removes a secret's history (the secret is deleted). */
  async removeAll(secretId: string): Promise<void> {
    await this.#run((db) =>
      db.deleteFrom("coffer_secret_versions").where("secret_id", "=", secretId).execute(),
    );
  }

  #seal(row: Omit<VersionRow, "mac">): string {
    const { id, key } = this.sealer.keyring.activeKey();
    return `${id}.${mac(key, row).toString("base64url")}`;
  }

  #verify(row: VersionRow): VersionRow {
    const dot = row.mac.lastIndexOf(".");
    const key = dot > 0 ? this.sealer.keyring.key(row.mac.slice(0, dot)) : undefined;
    const given = Buffer.from(row.mac.slice(dot + 1), "base64url");
    const expected = key && mac(key, row);
    if (!expected || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw tampered(row.secret_id, `the seal of its version ${Number(row.version)} does not match`);
    }
    return row;
  }
}

function mac(key: Buffer, row: Omit<VersionRow, "mac">): Buffer {
  // Numbers normalised: drivers return bigint columns as strings (pg) or numbers.
  const canonical = JSON.stringify([
    "coffer/metadata-version/v1",
    String(row.secret_id),
    Number(row.version),
    Number(row.created_at),
    String(row.created_by),
    String(row.action),
    String(row.name),
    Number(row.private),
    String(row.keys),
    String(row.digests),
    row.store_revision === null ? null : Number(row.store_revision),
    row.rolled_back_to === null ? null : Number(row.rolled_back_to),
  ]);
  return createHmac("sha256", key).update(canonical).digest();
}
