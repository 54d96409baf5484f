/**
 * The queries of a secret's values and history, scoped to one deployment: insert, read, the
 * conditional update that moves the replaced row into the revisions table, delete. The same object
 * serves key management (KeyRows), so a store opens one table for both.
 */
import type { SecretId } from "@coffer/core";
import { isUniqueViolation } from "@coffer/sql";
import type { SealedRow, StoredRow } from "./deployment-rows.js";
import { isTransactionConflict } from "./errors.js";
import { KeyRows } from "./key-rows.js";
import { REVISIONS_TABLE, VALUES_TABLE, type ValuesRow } from "./schema.js";

export type { Rewrite, SealedRow, StoredRow } from "./deployment-rows.js";
export type { KeyUsage, StoredRevision } from "./key-rows.js";

/** Thrown inside a transaction to roll it back when its conditional update matched nothing. */
class RowMoved extends Error {}

export class ValuesTable extends KeyRows {
  /** Inserts revision 1; false when the id is taken. */
  async insert(id: SecretId, sealed: SealedRow): Promise<boolean> {
    try {
      await this.db
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
      return this.fail(error);
    }
  }

  async select(id: SecretId): Promise<StoredRow | undefined> {
    return this.run(() => this.sealedRows(VALUES_TABLE).where("secret_id", "=", id).executeTakeFirst());
  }

  /** One query for all `ids` (the caller keeps the batch within BATCH_GET_MAX). */
  async selectMany(ids: readonly SecretId[]): Promise<StoredRow[]> {
    if (ids.length === 0) return [];
    return this.run(() => this.sealedRows(VALUES_TABLE).where("secret_id", "in", ids).execute());
  }

  /** The whole current row, as an update moves it aside. */
  async selectCurrent(id: SecretId): Promise<ValuesRow | undefined> {
    return this.run(() =>
      this.db
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
      await this.db.transaction().execute(async (trx) => {
        const result = await trx
          .updateTable(VALUES_TABLE)
          .set({ ...sealed, revision: from + 1, updated_at: Date.now() })
          .where("deployment_id", "=", this.deploymentId)
          .where("secret_id", "=", id)
          .where("revision", "=", from)
          .where("iv", "=", current.iv)
          .executeTakeFirst();
        if (result.numUpdatedRows === 0n) throw new RowMoved();
        const { format, key_id, iv, ciphertext, updated_at } = current;
        await trx
          .insertInto(REVISIONS_TABLE)
          .values({
            deployment_id: this.deploymentId,
            secret_id: id,
            revision: from,
            format,
            key_id,
            iv,
            ciphertext,
            updated_at,
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
      return this.fail(error);
    }
  }

  /** An earlier revision, as stored when it was current. */
  async selectRevision(id: SecretId, revision: number): Promise<StoredRow | undefined> {
    return this.run(() =>
      this.sealedRows(REVISIONS_TABLE)
        .where("secret_id", "=", id)
        .where("revision", "=", revision)
        .executeTakeFirst(),
    );
  }

  /** Removes the secret and its history in one transaction; false when it did not exist. */
  async delete(id: SecretId): Promise<boolean> {
    return this.retryingTransaction(async (trx) => {
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
  }

  async revision(id: SecretId): Promise<number | undefined> {
    const row = await this.run(() =>
      this.db
        .selectFrom(VALUES_TABLE)
        .select("revision")
        .where("deployment_id", "=", this.deploymentId)
        .where("secret_id", "=", id)
        .executeTakeFirst(),
    );
    return row === undefined ? undefined : Number(row.revision);
  }

  /** The cheapest query that proves the table is reachable and readable. */
  async probe(): Promise<void> {
    await this.run(() =>
      this.db
        .selectFrom(VALUES_TABLE)
        .select("secret_id")
        .where("deployment_id", "=", this.deploymentId)
        .limit(1)
        .execute(),
    );
  }
}
