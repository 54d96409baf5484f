/**
 * What every query of the sql store shares: one deployment's rows of the store's two tables,
 * driver errors turned into Coffer's typed errors (unavailable, access denied) through
 * rethrowDatabaseError, and transactions run again when the database reports a deadlock or a
 * serialization failure. Queries never carry values in the clear, only ciphertext.
 */
import type { SecretId } from "@coffer/core";
import { type Database, rethrowDatabaseError } from "@coffer/sql";
import type { Kysely, Transaction } from "kysely";
import { isTransactionConflict } from "./errors.js";
import type { REVISIONS_TABLE, StoreTables, VALUES_TABLE, ValuesRow } from "./schema.js";

/** The sealed part of a row: what a write sets. */
export type SealedRow = Pick<ValuesRow, "format" | "key_id" | "iv" | "ciphertext">;
/** A row as read for decryption. */
export type StoredRow = SealedRow & Pick<ValuesRow, "secret_id" | "revision">;

/** A re-encryption of one row, applied only if the row is still the write that was read. */
export interface Rewrite {
  secretId: SecretId;
  expected: Pick<ValuesRow, "revision" | "iv">;
  sealed: SealedRow;
}

export type StoreTable = typeof VALUES_TABLE | typeof REVISIONS_TABLE;

const TRANSACTION_ATTEMPTS = 5;

export const SEALED_COLUMNS = ["secret_id", "format", "key_id", "iv", "ciphertext", "revision"] as const;

export class DeploymentRows {
  protected readonly db: Kysely<StoreTables>;

  constructor(
    private readonly database: Database,
    protected readonly deploymentId: string,
  ) {
    this.db = database.db as Kysely<StoreTables>;
  }

  get location(): string {
    return this.database.location;
  }

  /** The sealed columns of this deployment's rows in `table`, to narrow further. */
  protected sealedRows(table: StoreTable) {
    return this.db
      .selectFrom(table)
      .select([...SEALED_COLUMNS])
      .where("deployment_id", "=", this.deploymentId);
  }

  /** Runs a query, its driver error leaving as a typed error. */
  protected async run<T>(query: () => Promise<T>): Promise<T> {
    try {
      return await query();
    } catch (error) {
      return this.fail(error);
    }
  }

  /**
   * Runs `work` in one transaction, again (up to TRANSACTION_ATTEMPTS in all) when the database
   * reports a deadlock or serialization failure: callers put only statements in it that are safe
   * to run again.
   */
  protected async retryingTransaction<T>(work: (trx: Transaction<StoreTables>) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction().execute(work);
      } catch (error) {
        if (attempt < TRANSACTION_ATTEMPTS && isTransactionConflict(error)) continue;
        return this.fail(error);
      }
    }
  }

  /**
   * Applies re-encryptions to `table` in one transaction, each conditional on the row still
   * holding the write that was read (same revision, same IV); returns how many applied. Every
   * statement is conditional, so a rerun after a deadlock is safe.
   */
  protected async rewriteIn(table: StoreTable, rewrites: readonly Rewrite[]): Promise<number> {
    if (rewrites.length === 0) return 0;
    return this.retryingTransaction(async (trx) => {
      let applied = 0;
      for (const { secretId, expected, sealed } of rewrites) {
        const result = await trx
          .updateTable(table)
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
  }

  protected fail(error: unknown): never {
    rethrowDatabaseError(error, this.database.location);
  }
}
