/**
 * The memory store's test hooks (not part of the contract): `calls` counts backend calls per
 * operation, `injectFault` makes the next calls of an operation fail, and every call can be slowed
 * down for benchmarks; a closed store's calls fail. The store runs each backend call through `call`.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { BackendUnavailableError } from "@coffer/core";
import { storeClosed } from "@coffer/store-kit";

export type Operation = "create" | "get" | "getMany" | "update" | "delete" | "restore" | "health";

export class TestHooks {
  /** Backend calls made so far, per operation (getMany counts one per batch). */
  readonly calls: Record<Operation, number> = {
    create: 0,
    get: 0,
    getMany: 0,
    update: 0,
    delete: 0,
    restore: 0,
    health: 0,
  };
  readonly #faults = new Map<Operation, Error[]>();
  /** Set by the store's close(): every later call fails. */
  closed = false;

  constructor(readonly latencyMs: number) {}

  /** The next `times` calls of `operation` throw `error` (an outage by default). */
  injectFault(operation: Operation, error?: Error, times = 1): void {
    const queue = this.#faults.get(operation) ?? [];
    for (let i = 0; i < times; i++) {
      queue.push(error ?? new BackendUnavailableError(`Injected fault in memory store ${operation}.`));
    }
    this.#faults.set(operation, queue);
  }

  assertOpen(): void {
    if (this.closed) throw storeClosed("memory");
  }

  async call(operation: Operation): Promise<void> {
    this.assertOpen();
    this.calls[operation]++;
    if (this.latencyMs > 0) await sleep(this.latencyMs);
    const fault = this.#faults.get(operation)?.shift();
    if (fault) throw fault;
  }
}
