/**
 * Every query the store makes, scoped to one deployment. Driver errors leave as Coffer's typed
 * errors (unavailable, access denied) through rethrowDatabaseError; queries never carry values in
 * the clear, only ciphertext.
 */
import type { SecretId } from "@coffer/core";
import { type Database, isUniqueViolation, rethrowDatabaseError } from "@coffer/sql";
import type { Kysely } from "kysely";
import { isTransactionConflict } from "./errors.js";
import { REVISIONS_TABLE, type StoreTables, VALUES_TABLE, type ValuesRow } from "./schema.js";

/** The sealed part of a row: what a write sets. */
export type SealedRow = Pick<ValuesRow, "format" | "key_id" | "iv" | "ciphertext">;
/** A row as read for decryption. */
export type StoredRow = SealedRow & Pick<ValuesRow, "secret_id" | "revision">;

export interface KeyUsage {
  keyId: string;
  /** Current values under the key, plus earlier revisions under it. */
  rows: number;
  revisions: number;
}

/** An earlier revision as rotation reads it. */
export type StoredRevision = StoredRow;

/** A re-encryption of one row, applied only if the row is still the write that was read. */
export interface Rewrite {
  secretId: SecretId;
  expected: Pick<ValuesRow, "revision" | "iv">;
  sealed: SealedRow;
}

const TRANSACTION_ATTEMPTS = 5;

/** Thrown inside a transaction to roll it back when its conditional update matched nothing. */
class RowMoved extends Error {}

const SEALED_COLUMNS = ["secret_id", "format", "key_id", "iv", "ciphertext", "revision"] as const;

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
        .select([...SEALED_COLUMNS])
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
        .select([...SEALED_COLUMNS])
        .where("deployment_id", "=", this.deploymentId)
        .where("secret_id", "in", ids)
        .execute(),
    );
  }

  /** The whole current row, as an update moves it aside. */
  async selectCurrent(id: SecretId): Promise<ValuesRow | undefined> {
    return this.#run(() =>
      this.#db
        .selectFrom(VALUES_TABLE)
        .selectAll()
        .where("deployment_id", "=", this.deploymentId)
        .where("secret_id", "=", id)
        .executeTakeFirst(),
    );
  }

  /**
   * Makes `sealed` the next revision after `current` (the row as read), in one transaction: the
   * new values replace the row only if it is still exactly that write (same revision, same IV —
   * re-encryption changes the IV), the row read moves to the revisions table unchanged, and
   * revisions older than the newest `keep` (the current one included) are dropped. The update
   * comes first, so concurrent writers queue on the row lock rather than deadlock. False when the
   * row moved meanwhile (or the database reports a deadlock): nothing changed; read and retry.
   */
  async update(id: SecretId, sealed: SealedRow, current: ValuesRow, keep: number): Promise<boolean> {
    const from = Number(current.revision);
    try {
      await this.#db.transaction().execute(async (trx) => {
        const result = await trx
          .updateTable(VALUES_TABLE)
          .set({ ...sealed, revision: from + 1, updated_at: Date.now() })
          .where("deployment_id", "=", this.deploymentId)
          .where("secret_id", "=", id)
          .where("revision", "=", from)
          .where("iv", "=", current.iv)
          .executeTakeFirst();
        if (result.numUpdatedRows === 0n) throw new RowMoved();
        await trx
          .insertInto(REVISIONS_TABLE)
          .values({
            deployment_id: this.deploymentId,
            secret_id: id,
            revision: from,
            format: current.format,
            key_id: current.key_id,
            iv: current.iv,
            ciphertext: current.ciphertext,
            updated_at: current.updated_at,
          })
          .execute();
        await trx
          .deleteFrom(REVISIONS_TABLE)
          .where("deployment_id", "=", this.deploymentId)
          .where("secret_id", "=", id)
          .where("revision", "<=", from + 1 - keep)
          .execute();
      });
      return true;
    } catch (error) {
      if (error instanceof RowMoved || isUniqueViolation(error) || isTransactionConflict(error)) return false;
      return this.#fail(error);
    }
  }

  /** An earlier revision, as stored when it was current. */
  async selectRevision(id: SecretId, revision: number): Promise<StoredRow | undefined> {
    return this.#run(() =>
      this.#db
        .selectFrom(REVISIONS_TABLE)
        .select([...SEALED_COLUMNS])
        .where("deployment_id", "=", this.deploymentId)
        .where("secret_id", "=", id)
        .where("revision", "=", revision)
        .executeTakeFirst(),
    );
  }

  /** Removes the secret and its history in one transaction; false when it did not exist. */
  async delete(id: SecretId): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#db.transaction().execute(async (trx) => {
          await trx
            .deleteFrom(REVISIONS_TABLE)
            .where("deployment_id", "=", this.deploymentId)
            .where("secret_id", "=", id)
            .execute();
          const result = await trx
            .deleteFrom(VALUES_TABLE)
            .where("deployment_id", "=", this.deploymentId)
            .where("secret_id", "=", id)
            .executeTakeFirst();
          return result.numDeletedRows > 0n;
        });
      } catch (error) {
        if (attempt < TRANSACTION_ATTEMPTS && isTransactionConflict(error)) continue;
        return this.#fail(error);
      }
    }
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
    const ids = new Set([
      ...(await this.#keyIdsIn(VALUES_TABLE)),
      ...(await this.#keyIdsIn(REVISIONS_TABLE)),
    ]);
    return [...ids].sort();
  }

  async #keyIdsIn(table: typeof VALUES_TABLE | typeof REVISIONS_TABLE): Promise<string[]> {
    const ids: string[] = [];
    const db = this.#db as unknown as Kysely<Record<string, { deployment_id: string; key_id: string }>>;
    for (;;) {
      const after = ids.at(-1);
      const row = await this.#run(() => {
        let query = db
          .selectFrom(table)
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
    const usage = new Map<string, KeyUsage>();
    for (const table of [VALUES_TABLE, REVISIONS_TABLE] as const) {
      const db = this.#db as unknown as Kysely<Record<string, { deployment_id: string; key_id: string }>>;
      const rows = await this.#run(() =>
        db
          .selectFrom(table)
          .select(["key_id", (eb) => eb.fn.countAll().as("rows")])
          .where("deployment_id", "=", this.deploymentId)
          .groupBy("key_id")
          .execute(),
      );
      for (const row of rows) {
        const each = usage.get(row.key_id) ?? { keyId: row.key_id, rows: 0, revisions: 0 };
        // COUNT comes back as a number, a bigint or a string depending on the driver.
        if (table === VALUES_TABLE) each.rows += Number(row.rows);
        else each.revisions += Number(row.rows);
        usage.set(row.key_id, each);
      }
    }
    return [...usage.values()].sort((a, b) => (a.keyId < b.keyId ? -1 : a.keyId > b.keyId ? 1 : 0));
  }

  /** The next earlier revisions, in (id, revision) order after `after`, not under `activeKeyId`. */
  async revisionsNotUnderKey(
    activeKeyId: string,
    after: { secretId: SecretId; revision: number },
    limit: number,
  ): Promise<StoredRevision[]> {
    return this.#run(() =>
      this.#db
        .selectFrom(REVISIONS_TABLE)
        .select([...SEALED_COLUMNS])
        .where("deployment_id", "=", this.deploymentId)
        .where("key_id", "<>", activeKeyId)
        .where((eb) =>
          eb.or([
            eb("secret_id", ">", after.secretId),
            eb.and([eb("secret_id", "=", after.secretId), eb("revision", ">", after.revision)]),
          ]),
        )
        .orderBy("secret_id")
        .orderBy("revision")
        .limit(limit)
        .execute(),
    );
  }

  async countRevisionsNotUnderKey(activeKeyId: string): Promise<number> {
    const row = await this.#run(() =>
      this.#db
        .selectFrom(REVISIONS_TABLE)
        .select((eb) => eb.fn.countAll().as("rows"))
        .where("deployment_id", "=", this.deploymentId)
        .where("key_id", "<>", activeKeyId)
        .executeTakeFirstOrThrow(),
    );
    return Number(row.rows);
  }

  /**
   * Re-encrypted earlier revisions, in one transaction, each applied only if the row still holds
   * the ciphertext that was read (same IV): retention may have dropped it meanwhile.
   */
  async rewriteRevisions(rewrites: readonly Rewrite[]): Promise<number> {
    if (rewrites.length === 0) return 0;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#db.transaction().execute(async (trx) => {
          let applied = 0;
          for (const { secretId, expected, sealed } of rewrites) {
            const result = await trx
              .updateTable(REVISIONS_TABLE)
              .set(sealed)
              .where("deployment_id", "=", this.deploymentId)
              .where("secret_id", "=", secretId)
              .where("revision", "=", expected.revision)
              .where("iv", "=", expected.iv)
              .executeTakeFirst();
            if (result.numUpdatedRows > 0n) applied++;
          }
          return applied;
        });
      } catch (error) {
        if (attempt < TRANSACTION_ATTEMPTS && isTransactionConflict(error)) continue;
        return this.#fail(error);
      }
    }
  }

  /** A few rows encrypted with `keyId`, to check the key against. */
  async sample(keyId: string, limit: number): Promise<StoredRow[]> {
    return this.#run(() =>
      this.#db
        .selectFrom(VALUES_TABLE)
        .select([...SEALED_COLUMNS])
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
        .select([...SEALED_COLUMNS])
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
