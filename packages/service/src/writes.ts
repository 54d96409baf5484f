/**
 * The order of writes. Unconditional writers to one secret are serialised, never lost and never
 * refused for contention (last writer wins): within this process they queue per secret in arrival
 * order (write-queue.ts), across processes they wait at the row lock (lock-wait.ts). Check-and-set
 * writers (`expectedVersion`) do not queue: one of them wins each version whatever the order, and
 * the others hear at once — or once the write in flight at their version settles — that they lost.
 * The steps of each write are in write-protocol.ts.
 */
import {
  type Actor,
  type CreateSecretInput,
  type Secret,
  SecretExistsError,
  type SecretMetadata,
  type SecretRef,
  validateSecretName,
} from "@coffer/core";
import { createdMeanwhile, noSecretAtVersion, versionConflict } from "./errors.js";
import type { VersionNote } from "./history.js";
import { withUnlockedRow } from "./lock-wait.js";
import { type NormalizedUpdate, normalizeUpdate, targetMetadata } from "./update-input.js";
import type { WriteContext } from "./write-context.js";
import { createSecret, deleteSecret, updateMetadataOnly, updateValues } from "./write-protocol.js";
import { WriteQueue, writeKey } from "./write-queue.js";

export class SecretWriter {
  readonly #queue = new WriteQueue();

  constructor(private readonly ctx: WriteContext) {}

  create(actor: Actor, input: CreateSecretInput): Promise<Secret> {
    return createSecret(this.ctx, actor, input);
  }

  /**
   * Runs a write in its turn: a check-and-set writer goes straight on, any other queues behind this
   * process's earlier writers to the same secret.
   */
  #inOrder<T>(
    actor: Actor,
    ref: SecretRef,
    expected: number | undefined,
    work: () => Promise<T>,
  ): Promise<T> {
    return expected !== undefined ? work() : this.#queue.run(writeKey(actor, ref), work);
  }

  /** An update checked by update-input.ts; `expected` makes it check-and-set. */
  async update(
    actor: Actor,
    ref: SecretRef,
    change: NormalizedUpdate,
    expected: number | undefined,
    note?: VersionNote,
  ): Promise<SecretMetadata> {
    const inTurn = async () => {
      // A check-and-set writer also waits out a write in flight at its version, since that write
      // may yet be undone — and a conflict reported only after it settled names a current version.
      const outcome = await withUnlockedRow(this.ctx, actor, ref, expected, (row) => {
        const target = targetMetadata(actor.id, row, change);
        return change.touchesValues
          ? updateValues(this.ctx, row, change, target, actor, note)
          : updateMetadataOnly(this.ctx, row, target, actor);
      });
      this.ctx.logger.info("secret updated", {
        secretId: outcome.id,
        actor: actor.id,
        version: outcome.version,
      });
      return outcome;
    };
    return this.#inOrder(actor, ref, expected, inTurn);
  }

  /**
   * Creates or replaces the secret `name` (in the given visibility). With `expected` 0 it only
   * creates; with n > 0 it only replaces version n.
   */
  async put(
    actor: Actor,
    name: string,
    values: Record<string, string>,
    expected: number | undefined,
    isPrivate: boolean,
  ): Promise<SecretMetadata> {
    return this.#inOrder(actor, { name, private: isPrivate }, expected, async () => {
      const { metadata } = this.ctx;
      const existing = await metadata.findVisibleByName(actor.id, validateSecretName(name), isPrivate);
      if (!existing) {
        if (expected !== undefined && expected !== 0) throw noSecretAtVersion(name, isPrivate, expected);
        try {
          return (await this.create(actor, { name, values, private: isPrivate })).metadata();
        } catch (error) {
          // Last writer wins: a create that lost the race to another writer's becomes an update.
          const winner =
            error instanceof SecretExistsError && expected === undefined
              ? await metadata.findVisibleByName(actor.id, name, isPrivate)
              : undefined;
          if (winner) return this.update(actor, { id: winner.id }, replaceWith(values), undefined);
          if (error instanceof SecretExistsError && expected === 0) throw createdMeanwhile(name, isPrivate);
          throw error;
        }
      }
      if (expected === 0) throw versionConflict(existing, 0);
      return this.update(actor, { id: existing.id }, replaceWith(values), expected);
    });
  }

  async delete(actor: Actor, ref: SecretRef, expected: number | undefined): Promise<void> {
    const inTurn = async () => {
      const row = await withUnlockedRow(this.ctx, actor, ref, expected, async (found) =>
        (await deleteSecret(this.ctx, found)) ? found : undefined,
      );
      this.ctx.logger.info("secret deleted", { secretId: row.id, actor: actor.id });
    };
    return this.#inOrder(actor, ref, expected, inTurn);
  }
}

/** A put's (or a rollback's) change: replace every value (checked like any update's). */
export function replaceWith(values: Record<string, string>): NormalizedUpdate {
  return normalizeUpdate({ values, mode: "replace" });
}
