/**
 * The queries of key management: which keys encrypt this deployment's rows (init's keyring check,
 * key status, retirement), and the rows rotation re-encrypts, current values and earlier revisions
 * alike, read in batches and written back conditionally.
 */
import type { SecretId } from "@coffer/core";
import type { Kysely } from "kysely";
import { DeploymentRows, type Rewrite, type StoredRow, type StoreTable } from "./deployment-rows.js";
import { REVISIONS_TABLE, VALUES_TABLE } from "./schema.js";

export interface KeyUsage {
  keyId: string;
  /** Current values under the key, plus earlier revisions under it. */
  rows: number;
  revisions: number;
}

/** An earlier revision as rotation reads it. */
export type StoredRevision = StoredRow;

type KeyColumns = Kysely<Record<string, { deployment_id: string; key_id: string }>>;

export class KeyRows extends DeploymentRows {
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

  async #keyIdsIn(table: StoreTable): Promise<string[]> {
    const ids: string[] = [];
    const db = this.db as unknown as KeyColumns;
    for (;;) {
      const after = ids.at(-1);
      const row = await this.run(() => {
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
      const db = this.db as unknown as KeyColumns;
      const rows = await this.run(() =>
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

  /** A few rows encrypted with `keyId`, to check the key against. */
  async sample(keyId: string, limit: number): Promise<StoredRow[]> {
    return this.run(() =>
      this.sealedRows(VALUES_TABLE).where("key_id", "=", keyId).orderBy("secret_id").limit(limit).execute(),
    );
  }

  /** The next rows, in id order after `after`, that are not encrypted with `activeKeyId`. */
  async notUnderKey(activeKeyId: string, after: SecretId, limit: number): Promise<StoredRow[]> {
    return this.run(() =>
      this.sealedRows(VALUES_TABLE)
        .where("key_id", "<>", activeKeyId)
        .where("secret_id", ">", after)
        .orderBy("secret_id")
        .limit(limit)
        .execute(),
    );
  }

  /** The next earlier revisions, in (id, revision) order after `after`, not under `activeKeyId`. */
  async revisionsNotUnderKey(
    activeKeyId: string,
    after: { secretId: SecretId; revision: number },
    limit: number,
  ): Promise<StoredRevision[]> {
    return this.run(() =>
      this.sealedRows(REVISIONS_TABLE)
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

  async countNotUnderKey(activeKeyId: string): Promise<number> {
    return this.#countNotUnderKey(VALUES_TABLE, activeKeyId);
  }

  async countRevisionsNotUnderKey(activeKeyId: string): Promise<number> {
    return this.#countNotUnderKey(REVISIONS_TABLE, activeKeyId);
  }

  async #countNotUnderKey(table: StoreTable, activeKeyId: string): Promise<number> {
    const row = await this.run(() =>
      this.db
        .selectFrom(table)
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
    const applied = await this.rewriteIn(VALUES_TABLE, rewrites);
    return { applied, skipped: rewrites.length - applied };
  }

  /**
   * Re-encrypted earlier revisions, in one transaction, each applied only if the row still holds
   * the ciphertext that was read (same IV): retention may have dropped it meanwhile.
   */
  async rewriteRevisions(rewrites: readonly Rewrite[]): Promise<number> {
    return this.rewriteIn(REVISIONS_TABLE, rewrites);
  }
}
