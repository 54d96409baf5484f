/**
 * A write's turn at the row lock, across processes. A row in a transitional state is another
 * process's write in flight: the writer backs off (backoff.ts) and looks again, for up to
 * `lockWaitMs` — then a retryable BackendUnavailableError. A row left past its lease was abandoned:
 * the writer repairs it (repair.ts) and goes on. Writers within one process queue before they get
 * here (write-queue.ts).
 */
import type { Actor, SecretRef } from "@coffer/core";
import { backoff } from "./backoff.js";
import { busy, versionConflict } from "./errors.js";
import { findSecret } from "./lookup.js";
import { repairRow } from "./repair.js";
import type { SecretRow } from "./schema.js";
import type { WriteContext } from "./write-context.js";

/**
 * Runs `attempt` on the secret's row once it is unlocked, looking the row up afresh each time.
 * `attempt` returns undefined when another process changed or locked the row between our read and
 * our write; then we wait and look again. With `expected`, a row at another version is a conflict.
 */
export async function withUnlockedRow<T>(
  ctx: WriteContext,
  actor: Actor,
  ref: SecretRef,
  expected: number | undefined,
  attempt: (row: SecretRow) => Promise<T | undefined>,
): Promise<T> {
  const deadline = performance.now() + ctx.lockWaitMs;
  for (let round = 1; ; round++) {
    const row = await findSecret(ctx.metadata, actor, ref);
    if (expected !== undefined && row.version !== expected) throw versionConflict(row, expected);
    if (await awaitUnlocked(ctx, row, deadline, round)) continue;
    const outcome = await attempt(row);
    if (outcome !== undefined) return outcome;
    await pause(ctx, row, deadline, round);
  }
}

/**
 * Returns true when the caller should look again: the row was locked by a write in flight (we
 * waited a little) or abandoned past its lease (we repaired it).
 */
async function awaitUnlocked(ctx: WriteContext, row: SecretRow, deadline: number, round: number) {
  if (row.state === "active") return false;
  if (ctx.clock() - Number(row.state_since) > ctx.leaseMs) {
    await repairRow(ctx, row, undefined);
    return true;
  }
  await pause(ctx, row, deadline, round);
  return true;
}

/** Waits before looking at a contended row again; gives up once the deadline has passed. */
async function pause(ctx: WriteContext, row: SecretRow, deadline: number, round: number): Promise<void> {
  // Real time, not the injectable clock: this bounds how long a caller actually waits.
  if (performance.now() >= deadline) throw busy(row, ctx.lockWaitMs);
  await backoff(round);
}
