/**
 * The write protocol. There is no transaction spanning the metadata database and a cloud backend,
 * so each write goes through states that are all recognisable and repairable:
 *
 *   create  insert row (pending) → store.create → mark active
 *   update  lock row (active → updating, at version v) → store.update → commit (version v+1, active)
 *   delete  mark row (deleting) → store.delete → remove row
 *
 * Pending and deleting rows are invisible but keep their name reserved. A failure is compensated
 * here when its outcome is known; when it is not (an outage mid-call), the row stays in its
 * transitional state and repair.ts finishes the job. Each step is announced to the test hooks
 * (`ctx.step`), which inject a fault before every one of them.
 */
import {
  type Actor,
  type CreateSecretInput,
  isCofferError,
  newSecretId,
  Secret,
  type SecretMetadata,
  type SecretValues,
  validateSecretName,
  validateSecretValues,
} from "@coffer/core";
import { isUniqueViolation } from "@coffer/sql";
import type { ChangeNote } from "./change-log.js";
import { nameHeldByPendingCreate, nameTaken } from "./errors.js";
import type { VersionNote } from "./history.js";
import { parseBoolean } from "./input-checks.js";
import { rowToMetadata, scopeFor } from "./metadata.js";
import type { SecretRow } from "./schema.js";
import { applyChange, type NormalizedUpdate, type TargetMetadata } from "./update-input.js";
import type { WriteContext } from "./write-context.js";

export async function createSecret(
  ctx: WriteContext,
  actor: Actor,
  input: CreateSecretInput,
): Promise<Secret> {
  const name = validateSecretName(input?.name);
  const values = validateSecretValues(input?.values);
  const isPrivate = parseBoolean(input.private, "private") ?? false;
  ctx.assertFits(values);
  const now = ctx.clock();
  const id = newSecretId();
  const row: SecretRow = {
    id,
    name,
    owner: actor.id,
    private: isPrivate ? 1 : 0,
    scope: scopeFor(isPrivate, actor.id),
    version: 1,
    state: "pending",
    keys: JSON.stringify(Object.keys(values)),
    created_at: now,
    updated_at: now,
    state_since: now,
    mac: null, // sealed by the repository on insert
  };

  await ctx.step("create.insert-pending", id);
  try {
    await ctx.metadata.insert(row);
  } catch (error) {
    if (isUniqueViolation(error)) throw await nameTakenOnCreate(ctx, row);
    throw error;
  }

  try {
    await ctx.step("create.store-values", id);
    await ctx.store.create(id, values);
  } catch (error) {
    await undoCreate(ctx, id);
    throw error;
  }

  try {
    await ctx.step("create.mark-active", id);
    await ctx.metadata.transition(id, "pending", { state: "active" }, ctx.clock(), undefined, row, {
      action: "create",
    });
  } catch (error) {
    // The caller hears of a failure, so try to leave nothing behind; if the database is
    // unreachable, reconcile() later finds the values in place and completes the create.
    await undoCreate(ctx, id);
    throw error;
  }
  await ctx.history?.created(actor, row, values, now);
  ctx.logger.info("secret created", { secretId: id, actor: actor.id, private: isPrivate });
  return new Secret({ ...rowToMetadata(row), createdAt: new Date(now), updatedAt: new Date(now) }, values);
}

/**
 * The name is taken. If what holds it is an earlier create that never finished (an outage cut
 * it short), say so: the name frees itself once that create is repaired.
 */
async function nameTakenOnCreate(ctx: WriteContext, row: SecretRow) {
  const isPrivate = row.private === 1;
  const holder = await ctx.metadata.nameHolder(row.name, row.scope).catch(() => undefined);
  if (holder?.state !== "pending") return nameTaken(row.name, isPrivate);
  const waitSeconds = Math.max(1, Math.ceil((Number(holder.state_since) + ctx.leaseMs - ctx.clock()) / 1000));
  return nameHeldByPendingCreate(row.name, isPrivate, waitSeconds);
}

async function undoCreate(ctx: WriteContext, id: string): Promise<void> {
  try {
    await ctx.step("create.compensate", id);
    await ctx.deleteValues(id);
    await ctx.metadata.remove(id, "pending");
  } catch {
    ctx.logger.warn("could not undo a failed create; reconcile will finish it", { secretId: id });
  }
}

/** A rename or visibility change: one metadata write. Undefined when the row moved meanwhile. */
export async function updateMetadataOnly(
  ctx: WriteContext,
  row: SecretRow,
  target: TargetMetadata,
  actor: Actor,
) {
  await ctx.step("update.metadata", row.id);
  const now = ctx.clock();
  const change = { state: "active" as const, ...target, version: row.version + 1, updated_at: now };
  const action = target.name !== row.name ? "rename" : "visibility";
  if (!(await moveActiveRow(ctx, row, target, change, now, { action, before: row }))) return undefined;
  const committed = { ...row, ...target, version: row.version + 1, updated_at: now };
  await ctx.history?.metadataChanged(actor, committed, action, now);
  return rowToMetadata(committed);
}

/** A change of values: lock, write the store, commit. Undefined when the row moved meanwhile. */
export async function updateValues(
  ctx: WriteContext,
  row: SecretRow,
  change: NormalizedUpdate,
  target: TargetMetadata,
  actor: Actor,
  note: VersionNote = { action: "update" },
): Promise<SecretMetadata | undefined> {
  await ctx.step("update.lock", row.id);
  if (!(await moveActiveRow(ctx, row, target, { state: "updating", ...target }, ctx.clock())))
    return undefined;

  let current: SecretValues;
  let next: SecretValues;
  try {
    await ctx.step("update.read-values", row.id);
    current = await ctx.store.get(row.id);
    next = applyChange(current, change, row.name);
    ctx.assertFits(next);
  } catch (error) {
    await unlock(ctx, row);
    throw error;
  }

  let storeRevision: number | null | undefined;
  try {
    await ctx.step("update.store-values", row.id);
    await ctx.store.update(row.id, next);
    // Which store revision holds the values, asked before the commit: when the store cannot say,
    // the write is unfinished like any other (reconcile completes it and its history entry),
    // rather than committed with a gap in its history.
    storeRevision = await ctx.history?.revisionAfterWrite(row.id, Number(row.version));
  } catch (error) {
    if (!(await settleFailedWrite(ctx, row, current, next, error))) throw error;
  }

  await ctx.step("update.commit", row.id);
  const now = ctx.clock();
  const keys = JSON.stringify(Object.keys(next));
  await ctx.metadata.transition(
    row.id,
    "updating",
    { state: "active", version: row.version + 1, keys, updated_at: now },
    now,
    row.version,
    { ...row, ...target },
    { action: note.action, before: row },
  );
  const committed = { ...row, ...target, version: row.version + 1, keys, updated_at: now };
  await ctx.history?.valuesChanged(actor, committed, next, note, now, storeRevision);
  return rowToMetadata(committed);
}

/** Moves an active row at its version; a name another secret holds is a SecretExistsError. */
async function moveActiveRow(
  ctx: WriteContext,
  row: SecretRow,
  target: TargetMetadata,
  change: Partial<SecretRow> & { state: "active" | "updating" },
  now: number,
  event?: ChangeNote,
): Promise<boolean> {
  try {
    return await ctx.metadata.transition(row.id, "active", change, now, row.version, row, event);
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken(target.name, target.private === 1);
    throw error;
  }
}

/**
 * After store.update failed: if the store certainly did not apply the write, unlock and let the
 * error through; if it did apply it after all, carry on (returns true); if we cannot tell (the
 * store is unreachable), leave the row locked for reconcile to finish.
 */
async function settleFailedWrite(
  ctx: WriteContext,
  row: SecretRow,
  current: SecretValues,
  next: SecretValues,
  error: unknown,
): Promise<boolean> {
  const definite = isCofferError(error) && !error.retryable && error.code !== "INTEGRITY";
  if (definite) {
    await unlock(ctx, row);
    return false;
  }
  try {
    const now = await ctx.store.get(row.id);
    if (sameValues(now, next)) return true;
    if (sameValues(now, current)) await unlock(ctx, row);
  } catch {
    ctx.logger.warn("update interrupted; reconcile will finish it", { secretId: row.id });
  }
  return false;
}

/** Puts a locked row back as it was before the update started. */
async function unlock(ctx: WriteContext, row: SecretRow): Promise<void> {
  try {
    await ctx.step("update.compensate", row.id);
    await ctx.metadata.transition(
      row.id,
      "updating",
      { state: "active", name: row.name, private: row.private, scope: row.scope },
      ctx.clock(),
      row.version,
      row,
    );
  } catch {
    ctx.logger.warn("could not unlock an update; reconcile will finish it", { secretId: row.id });
  }
}

/**
 * Marks the row deleting, then removes values and row. Undefined when the row moved meanwhile.
 * Once marked the secret is gone for readers; if the store cannot be reached, the row stays in
 * "deleting" and reconcile() finishes the delete later.
 */
export async function deleteSecret(ctx: WriteContext, row: SecretRow): Promise<true | undefined> {
  await ctx.step("delete.mark", row.id);
  const marked = await ctx.metadata.transition(
    row.id,
    "active",
    { state: "deleting" },
    ctx.clock(),
    row.version,
    row,
    // The secret is gone for readers from here on (reconcile finishes a delete cut short).
    { action: "delete" },
  );
  if (!marked) return undefined;
  await ctx.step("delete.store-delete", row.id);
  await ctx.deleteValues(row.id);
  await ctx.step("delete.remove-row", row.id);
  await ctx.metadata.remove(row.id, "deleting");
  await ctx.history?.removed(row.id);
  return true;
}

function sameValues(a: SecretValues, b: SecretValues): boolean {
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && a[key] === b[key])
  );
}
