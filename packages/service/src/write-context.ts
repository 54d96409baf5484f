/**
 * What every part of a write needs — the metadata repository, the store, the logger, the clock,
 * the test hooks and the time limits — in one object shared by the write protocol, its repair and
 * the lock waits, with the few helpers they all use.
 */
import {
  assertWithinLimit,
  type Logger,
  SecretNotFoundError,
  type SecretsStore,
  type SecretValues,
} from "@coffer/core";
import type { HistoryRecorder } from "./history.js";
import type { MetadataRepository } from "./metadata.js";

/** Test hook: called before each step of a write; throwing there makes that step fail. */
export interface ServiceHooks {
  beforeStep?(step: string, secretId: string): void | Promise<void>;
}

export class WriteContext {
  constructor(
    readonly metadata: MetadataRepository,
    readonly store: SecretsStore,
    readonly logger: Logger,
    /** Milliseconds since the epoch; injectable for tests. */
    readonly clock: () => number,
    readonly hooks: ServiceHooks,
    /** How long a row may sit in a transitional state before others repair it. */
    readonly leaseMs: number,
    /** How long a writer waits for another process's write to the same secret. */
    readonly lockWaitMs: number,
    /** Records each committed version (history.ts); absent in tests of the protocol alone. */
    readonly history?: HistoryRecorder,
  ) {}

  /** Marks the start of a protocol step (the fault-injection tests fail steps here). */
  async step(step: string, id: string): Promise<void> {
    await this.hooks.beforeStep?.(step, id);
  }

  /** The store's size limit, checked before anything is written. */
  assertFits(values: SecretValues): void {
    assertWithinLimit(this.store.type, this.store.capabilities().maxValueBytes, "(new)", values);
  }

  /** Deletes a secret's values; values already gone count as deleted. */
  async deleteValues(id: string): Promise<void> {
    try {
      await this.store.delete(id);
    } catch (error) {
      if (!(error instanceof SecretNotFoundError)) throw error;
    }
  }
}
