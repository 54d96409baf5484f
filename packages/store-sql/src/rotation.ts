/**
 * Online re-encryption and the key-management interface the CLI (`coffer store rotate-key`)
 * detects with isKeyRotatingStore.
 *
 * Rows not under the active key are walked in id order, a batch at a time. Each batch is decrypted
 * and sealed again under the active key, then written in one transaction of conditional updates
 * (key-rows.ts `rewrite`): a row that a writer changed meanwhile is left alone — the writer's
 * values win, never the batch's stale copy. When a sweep ends with rows still under an old key —
 * written meanwhile by a process that had not yet picked up the new keyring — the rotation waits a
 * moment and sweeps again (at most MAX_SWEEPS times), and reports what it could not move.
 */
import { setTimeout as sleep } from "node:timers/promises";
import {
  IntegrityError,
  type RotateKeyResult,
  type RotationProgress,
  type SecretId,
  ValidationError,
} from "@coffer/core";
import type { Rewrite, SealedRow, StoredRow } from "./deployment-rows.js";
import type { KeyRows } from "./key-rows.js";

const MAX_SWEEPS = 5;
const MAX_BATCH_SIZE = 10_000;

export function assertBatchSize(batchSize: number): void {
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
    throw new ValidationError(`The rotation batch size must be a whole number from 1 to ${MAX_BATCH_SIZE}.`, {
      details: { field: "batchSize" },
    });
  }
}

export interface ReencryptPlan {
  batchSize: number;
  /** Read before every batch: another process may make a newer key active meanwhile. */
  activeKeyId: () => string;
  /** Decrypts a row and seals it under the active key; IntegrityError when it cannot. */
  reseal: (row: StoredRow) => Promise<SealedRow>;
  onBatch?: (progress: RotationProgress) => void | Promise<void>;
  /** How long to wait before sweeping again for rows written with an old key meanwhile. */
  settleMs: number;
}

export async function reencrypt(
  table: KeyRows,
  plan: ReencryptPlan,
): Promise<Omit<RotateKeyResult, "activeKeyId" | "previousKeyId" | "generated">> {
  const { batchSize } = plan;
  assertBatchSize(batchSize);
  const progress: RotationProgress = { batches: 0, reencrypted: 0, skipped: 0 };
  const unreadable = new Map<SecretId, string>();
  let remaining = 0;
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    // Rows still behind after a sweep were written with an old key by a process that had not yet
    // seen the new keyring: give such processes time to pick it up, then sweep again.
    if (sweep > 0) await sleep(plan.settleMs);
    let after = "";
    for (;;) {
      const rows = await table.notUnderKey(plan.activeKeyId(), after, batchSize);
      if (rows.length === 0) break;
      after = rows.at(-1)!.secret_id;
      const readable = rows.filter((row) => !unreadable.has(row.secret_id));
      const rewrites = await resealRows(readable, plan, (row) => unreadable.set(row.secret_id, row.key_id));
      const { applied, skipped } = await table.rewrite(rewrites);
      progress.batches++;
      progress.reencrypted += applied;
      progress.skipped += skipped;
      await plan.onBatch?.({ ...progress });
      await betweenBatches();
    }
    remaining = await table.countNotUnderKey(plan.activeKeyId());
    if (remaining <= unreadable.size) break;
  }
  return {
    ...progress,
    unreadable: [...unreadable].map(([id, keyId]) => ({ id, keyId })),
    remaining,
    history: await reencryptHistory(table, plan),
  };
}

/**
 * Earlier revisions, after the current values: one sweep, since they are never rewritten — only
 * dropped by retention, which a conditional rewrite simply misses. A revision that cannot be
 * decrypted is left as it is and counted.
 */
async function reencryptHistory(table: KeyRows, plan: ReencryptPlan) {
  let after = { secretId: "", revision: 0 };
  let reencrypted = 0;
  let unreadable = 0;
  for (;;) {
    const rows = await table.revisionsNotUnderKey(plan.activeKeyId(), after, plan.batchSize);
    if (rows.length === 0) break;
    const last = rows.at(-1)!;
    after = { secretId: last.secret_id, revision: Number(last.revision) };
    const rewrites = await resealRows(rows, plan, () => unreadable++);
    reencrypted += await table.rewriteRevisions(rewrites);
    await betweenBatches();
  }
  return { reencrypted, unreadable, remaining: await table.countRevisionsNotUnderKey(plan.activeKeyId()) };
}

/**
 * Each row sealed again under the active key, as a rewrite conditional on the write that was read.
 * A row that cannot be decrypted (IntegrityError) goes to `unreadable` and stays as it is; any
 * other error ends the rotation.
 */
async function resealRows(
  rows: readonly StoredRow[],
  plan: ReencryptPlan,
  unreadable: (row: StoredRow) => void,
): Promise<Rewrite[]> {
  const rewrites: Rewrite[] = [];
  for (const row of rows) {
    try {
      const expected = { revision: row.revision, iv: row.iv };
      rewrites.push({ secretId: row.secret_id, expected, sealed: await plan.reseal(row) });
    } catch (error) {
      if (!(error instanceof IntegrityError)) throw error;
      unreadable(row);
    }
  }
  return rewrites;
}

/** Lets requests waiting on I/O run between batches: rotation is background work. */
function betweenBatches(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
