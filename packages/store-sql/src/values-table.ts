/**
 * Every query the store makes, scoped to one deployment. Driver errors leave as Coffer's typed
 * errors (unavailable, access denied) through rethrowDatabaseError; queries never carry values in
 * the clear, only ciphertext.
 */
import type { SecretId } from "@coffer/core";
import { type Database, isUniqueViolation, rethrowDatabaseError } from "@coffer/sql";
import { type Kysely, sql } from "kysely";
import { isTransactionConflict } from "./errors.js";
import { type StoreTables, VALUES_TABLE, type ValuesRow } from "./schema.js";

/** The sealed part of a row: what a write sets. */
export type SealedRow = Pick<ValuesRow, "format" | "key_id" | "iv" | "ciphertext">;
/** A row as read for decryption. */
export type StoredRow = SealedRow & Pick<ValuesRow, "secret_id" | "revision">;

export interface KeyUsage {
  keyId: string;
  rows: number;
}

/** A re-encryption of one row, applied only if the row is still the write that was read. */
export interface Rewrite {
  secretId: SecretId;
  expected: Pick<ValuesRow, "revision" | "iv">;
  sealed: SealedRow;
}

const TRANSACTION_ATTEMPTS = 5;

export class ValuesTable {
  readonly #db: Kysely<StoreTables>;

  constructor(
    private readonly database: Database,
    private readonly deploymentId: string,
  ) {
    this.#db = database.db as Kysely<StoreTables>;
  }

  get location(): string {
    return this.database.location;
  }

  /** Inserts revision 1; false when the id is taken. */
  async insert(id: SecretId, sealed: SealedRow): Promise<boolean> {
    try {
      await this.#db
        .insertInto(VALUES_TABLE)
        .values({
          deployment_id: this.deploymentId,
          secret_id: id,
          ...sealed,
          revision: 1,
          updated_at: Date.now(),
        })
        .execute();
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      return this.#fail(error);
    }
  }

  async select(id: SecretId): Promise<StoredRow | undefined> {
    return this.#run(() =>
      this.#db
        .selectFrom(VALUES_TABLE)
        .select(["secret_id", "format", "key_id", "iv", "ciphertext", "revision"])
        .where("deployment_id", "=", this.deploymentId)
        .where("secret_id", "=", id)
        .executeTakeFirst(),
    );
  }

  /** One query for all `ids` (the caller keeps the batch within BATCH_GET_MAX). */
  async selectMany(ids: readonly SecretId[]): Promise<StoredRow[]> {
    if (ids.length === 0) return [];
    return this.#run(() =>
      this.#db
        .selectFrom(VALUES_TABLE)
        .select(["secret_id", "format", "key_id", "iv", "ciphertext", "revision"])
        .where("deployment_id", "=", this.deploymentId)
        .where("secret_id", "in", ids)
        .execute(),
    );
  }

  /** Replaces the values and bumps the revision; only at `expectedRevision` when given. */
  async update(id: SecretId, sealed: SealedRow, expectedRevision?: number): Promise<boolean> {
    const result = await this.#run(() => {
      let query = this.#db
        .updateTable(VALUES_TABLE)
        .set({ ...sealed, revision: sql<number>`revision + 1`, updated_at: Date.now() })
        .where("deployment_id", "=", this.deploymentId)
        .where("secret_id", "=", id);
      if (expectedRevision !== undefined) query = query.where("revision", "=", expectedRevision);
      return query.executeTakeFirst();
    });
    return result.numUpdatedRows > 0n;
  }

  async delete(id: SecretId): Promise<boolean> {
    const result = await this.#run(() =>
      this.#db
        .deleteFrom(VALUES_TABLE)
        .where("deployment_id", "=", this.deploymentId)
        .where("secret_id", "=", id)
        .executeTakeFirst(),
    );
    return result.numDeletedRows > 0n;
  }

  async revision(id: SecretId): Promise<number | undefined> {
    const row = await this.#run(() =>
      this.#db
        .selectFrom(VALUES_TABLE)
        .select("revision")
        .where("deployment_id", "=", this.deploymentId)
        .where("secret_id", "=", id)
        .executeTakeFirst(),
    );
    return row === undefined ? undefined : Number(row.revision);
  }

  /**
   * The ids of the keys that encrypt at least one row. One index seek per key — the least key id
   * after the last one found — rather than a GROUP BY, which reads every row: this runs at every
   * start, and a start must not take longer as secrets are added (7 ms at 100k rows in SQLite, for
   * the GROUP BY; 0.1 ms this way). Key ids compare byte-wise on every database (ColumnTypes.key).
   */
  async keyIds(): Promise<string[]> {
    const ids: string[] = [];
    for (;;) {
      const after = ids.at(-1);
      const row = await this.#run(() => {
        let query = this.#db
          .selectFrom(VALUES_TABLE)
          .select((eb) => eb.fn.min("key_id").as("key_id"))
          .where("deployment_id", "=", this.deploymentId);
        if (after !== undefined) query = query.where("key_id", ">", after);
        return query.executeTakeFirst();
      });
      if (row?.key_id == null) return ids;
      ids.push(row.key_id);
    }
  }

  /** How many rows each key encrypts (reads every row: for reports and errors, not for starts). */
  async keyUsage(): Promise<KeyUsage[]> {
    const rows = await this.#run(() =>
      this.#db
        .selectFrom(VALUES_TABLE)
        .select(["key_id", (eb) => eb.fn.countAll().as("rows")])
        .where("deployment_id", "=", this.deploymentId)
        .groupBy("key_id")
        .orderBy("key_id")
        .execute(),
    );
    // COUNT comes back as a number, a bigint or a string depending on the driver.
    return rows.map((row) => ({ keyId: row.key_id, rows: Number(row.rows) }));
  }

  /** A few rows encrypted with `keyId`, to check the key against. */
  async sample(keyId: string, limit: number): Promise<StoredRow[]> {
    return this.#run(() =>
      this.#db
        .selectFrom(VALUES_TABLE)
        .select(["secret_id", "format", "key_id", "iv", "ciphertext", "revision"])
        .where("deployment_id", "=", this.deploymentId)
        .where("key_id", "=", keyId)
        .orderBy("secret_id")
        .limit(limit)
        .execute(),
    );
  }

  /** The next rows, in id order after `after`, that are not encrypted with `activeKeyId`. */
  async notUnderKey(activeKeyId: string, after: SecretId, limit: number): Promise<StoredRow[]> {
    return this.#run(() =>
      this.#db
        .selectFrom(VALUES_TABLE)
        .select(["secret_id", "format", "key_id", "iv", "ciphertext", "revision"])
        .where("deployment_id", "=", this.deploymentId)
        .where("key_id", "<>", activeKeyId)
        .where("secret_id", ">", after)
        .orderBy("secret_id")
        .limit(limit)
        .execute(),
    );
  }

  async countNotUnderKey(activeKeyId: string): Promise<number> {
    const row = await this.#run(() =>
      this.#db
        .selectFrom(VALUES_TABLE)
        .select((eb) => eb.fn.countAll().as("rows"))
        .where("deployment_id", "=", this.deploymentId)
        .where("key_id", "<>", activeKeyId)
        .executeTakeFirstOrThrow(),
    );
    return Number(row.rows);
  }

  /**
   * Applies rewrites in one transaction. Each one is conditional on the row still holding the
   * write that was read (same revision, same IV), so a concurrent update or a delete-and-recreate
   * is never overwritten with stale values; those rows are reported as skipped. A deadlock or
   * serialization failure reruns the whole batch (every statement is conditional, so rerunning is
   * safe).
   */
  async rewrite(rewrites: readonly Rewrite[]): Promise<{ applied: number; skipped: number }> {
    if (rewrites.length === 0) return { applied: 0, skipped: 0 };
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#db.transaction().execute(async (trx) => {
          let applied = 0;
          for (const { secretId, expected, sealed } of rewrites) {
            const result = await trx
              .updateTable(VALUES_TABLE)
              .set(sealed)
              .where("deployment_id", "=", this.deploymentId)
              .where("secret_id", "=", secretId)
              .where("revision", "=", expected.revision)
              .where("iv", "=", expected.iv)
              .executeTakeFirst();
            if (result.numUpdatedRows > 0n) applied++;
          }
          return { applied, skipped: rewrites.length - applied };
        });
      } catch (error) {
        if (attempt < TRANSACTION_ATTEMPTS && isTransactionConflict(error)) continue;
        return this.#fail(error);
      }
    }
  }

  /** The cheapest query that proves the table is reachable and readable. */
  async probe(): Promise<void> {
    await this.#run(() =>
      this.#db
        .selectFrom(VALUES_TABLE)
        .select("secret_id")
        .where("deployment_id", "=", this.deploymentId)
        .limit(1)
        .execute(),
    );
  }

  async #run<T>(query: () => Promise<T>): Promise<T> {
    try {
      return await query();
    } catch (error) {
      return this.#fail(error);
    }
  }

  #fail(error: unknown): never {
    rethrowDatabaseError(error, this.database.location);
  }
}
