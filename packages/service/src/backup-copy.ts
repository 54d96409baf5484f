/**
 * Copying every secret's values between the primary and the backup store (COFFER_BACKUP_STORE_*):
 * "to-backup" before making the backup the new primary, "to-primary" to restore. It walks the
 * metadata in id order, in batches, and may run while the service serves: writes made meanwhile go
 * to both stores anyway.
 */
import { isCofferError, type SecretsStore } from "@coffer/core";
import { noBackupStore } from "./errors.js";
import type { MetadataRepository } from "./metadata.js";
import { MirroredStore, upsert } from "./mirrored-store.js";

export interface CopyReport {
  /** Secrets whose values were written to the target. */
  copied: number;
  /** Secrets the source store holds no values for (listed, so that they can be looked into). */
  missing: string[];
  failed: Array<{ id: string; code: string }>;
}

export async function copyAllValues(
  metadata: MetadataRepository,
  store: SecretsStore,
  direction: "to-backup" | "to-primary",
  options: { batchSize?: number } = {},
): Promise<CopyReport> {
  if (!(store instanceof MirroredStore)) throw noBackupStore();
  const [source, target] =
    direction === "to-backup" ? [store.primary, store.backup] : [store.backup, store.primary];
  const report: CopyReport = { copied: 0, missing: [], failed: [] };
  const batchSize = options.batchSize ?? 100;
  let after = "";
  for (;;) {
    const ids = await metadata.liveIdsAfter(after, batchSize);
    if (ids.length === 0) return report;
    after = ids.at(-1)!;
    const found = await source.getMany(ids);
    for (const id of ids) {
      const values = found.get(id);
      if (!values) {
        report.missing.push(id);
        continue;
      }
      try {
        await upsert(target, id, values);
        report.copied++;
      } catch (error) {
        report.failed.push({ id, code: isCofferError(error) ? error.code : "UNKNOWN" });
      }
    }
  }
}
