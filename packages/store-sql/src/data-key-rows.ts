/**
 * The queries of the data keys a KMS key source wraps: read them all (a deployment has one per
 * rotation, a handful), add one, re-wrap one conditionally, remove the unused.
 */
import { isUniqueViolation } from "@coffer/sql";
import { DeploymentRows } from "./deployment-rows.js";
import { DATA_KEYS_TABLE, type DataKeyRow } from "./schema.js";

export type StoredDataKey = Omit<DataKeyRow, "deployment_id">;

export class DataKeyRows extends DeploymentRows {
  /** Every data key of this deployment, oldest first (the last is the active one). */
  async all(): Promise<StoredDataKey[]> {
    const rows = await this.run(() =>
      this.db
        .selectFrom(DATA_KEYS_TABLE)
        .select(["key_id", "wrapped", "kek", "created_at", "wrapped_at"])
        .where("deployment_id", "=", this.deploymentId)
        .orderBy("created_at")
        .orderBy("key_id")
        .execute(),
    );
    // Drivers return BIGINT columns as numbers, bigints or strings.
    return rows.map((row) => ({
      ...row,
      created_at: Number(row.created_at),
      wrapped_at: Number(row.wrapped_at),
    }));
  }

  /** Adds a data key; false when the id is taken (another process made the same id: never). */
  async insert(row: StoredDataKey): Promise<boolean> {
    try {
      await this.db
        .insertInto(DATA_KEYS_TABLE)
        .values({ deployment_id: this.deploymentId, ...row })
        .execute();
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      return this.fail(error);
    }
  }

  /** Replaces a wrapped key only if it is still the one read (a concurrent re-wrap wins). */
  async rewrap(keyId: string, previous: string, next: { wrapped: string; kek: string }): Promise<boolean> {
    const result = await this.run(() =>
      this.db
        .updateTable(DATA_KEYS_TABLE)
        .set({ wrapped: next.wrapped, kek: next.kek, wrapped_at: Date.now() })
        .where("deployment_id", "=", this.deploymentId)
        .where("key_id", "=", keyId)
        .where("wrapped", "=", previous)
        .executeTakeFirst(),
    );
    return result.numUpdatedRows > 0n;
  }

  async remove(keyIds: readonly string[]): Promise<void> {
    if (keyIds.length === 0) return;
    await this.run(() =>
      this.db
        .deleteFrom(DATA_KEYS_TABLE)
        .where("deployment_id", "=", this.deploymentId)
        .where("key_id", "in", keyIds)
        .execute(),
    );
  }
}
