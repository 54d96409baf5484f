/**
 * Finishing writes left half-done by a crash or an outage (see write-protocol.ts for the states):
 * a pending create completes if its values reached the store and rolls back if not, an interrupted
 * update takes whatever the store holds, and an interrupted delete completes. `reconcile` repairs
 * every row stuck past the lease; a writer that meets one repairs it on the spot (lock-wait.ts).
 */
import { isCofferError } from "@coffer/core";
import type { ReconcileReport } from "./reconcile-report.js";
import type { SecretRow } from "./schema.js";
import type { WriteContext } from "./write-context.js";

/** Repairs writes left half-done for longer than `olderThanMs` (default: the lease). */
export async function reconcile(ctx: WriteContext, olderThanMs = ctx.leaseMs): Promise<ReconcileReport> {
  const report: ReconcileReport = {
    completedCreates: [],
    rolledBackCreates: [],
    completedUpdates: [],
    completedDeletes: [],
    failed: [],
  };
  const stuck = await ctx.metadata.findStuck(ctx.clock() - olderThanMs);
  for (const row of stuck) {
    try {
      // A tampered row is reported, never repaired: repairing would seal what someone changed.
      ctx.metadata.verify(row);
      await repairRow(ctx, row, report);
    } catch (error) {
      report.failed.push({ id: row.id, code: isCofferError(error) ? error.code : "UNKNOWN" });
    }
  }
  const repaired =
    report.completedCreates.length +
    report.rolledBackCreates.length +
    report.completedUpdates.length +
    report.completedDeletes.length;
  if (repaired > 0 || report.failed.length > 0) {
    ctx.logger.warn("reconcile repaired interrupted writes", { repaired, failed: report.failed.length });
  }
  return report;
}

/** The author history records for a write that reconcile finished. */
const RECONCILE_ACTOR = { id: "coffer:reconcile" };

/** Settles one row in a transitional state on what the store holds. */
export async function repairRow(ctx: WriteContext, row: SecretRow, report: ReconcileReport | undefined) {
  const now = ctx.clock();
  switch (row.state) {
    case "pending": {
      const found = (await ctx.store.getMany([row.id])).get(row.id);
      if (found) {
        const keys = JSON.stringify(Object.keys(found));
        // Another process (a writer, or reconcile on another replica) may have finished it first.
        if (
          !(await ctx.metadata.transition(row.id, "pending", { state: "active", keys }, now, undefined, row, {
            action: "create",
          }))
        )
          return;
        await ctx.history?.created({ id: row.owner }, { ...row, keys }, found, now);
        report?.completedCreates.push(row.id);
      } else {
        // Unreadable is not always empty: a store whose create takes several calls can hold
        // part of one (gcp: a secret without a version). Remove what is there before giving
        // the id up, or it would stay behind in the backend for good.
        await ctx.deleteValues(row.id);
        await ctx.metadata.remove(row.id, "pending");
        report?.rolledBackCreates.push(row.id);
      }
      return;
    }
    case "updating": {
      const values = await ctx.store.get(row.id);
      const moved = await ctx.metadata.transition(
        row.id,
        "updating",
        {
          state: "active",
          version: Number(row.version) + 1,
          keys: JSON.stringify(Object.keys(values)),
          updated_at: now,
        },
        now,
        Number(row.version),
        row,
        { action: "update" },
      );
      // Someone else completed it meanwhile: its history entry is theirs to write, not ours too.
      if (!moved) return;
      // Who started the write is not known here: the history names reconcile as its author.
      const committed = {
        ...row,
        version: Number(row.version) + 1,
        keys: JSON.stringify(Object.keys(values)),
      };
      await ctx.history?.valuesChanged(RECONCILE_ACTOR, committed, values, { action: "update" }, now);
      report?.completedUpdates.push(row.id);
      return;
    }
    case "deleting":
      await ctx.deleteValues(row.id);
      await ctx.metadata.remove(row.id, "deleting");
      await ctx.history?.removed(row.id);
      report?.completedDeletes.push(row.id);
      return;
    case "active":
      return;
  }
}
