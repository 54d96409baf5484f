/**
 * The reference store: every capability of the SecretsStore contract, in memory; what the conformance
 * suite is measured against and a readable model of a store. Test hooks: see test-hooks.ts.
 */

import type { HealthReport, SecretId, SecretValues, StoreCapabilities, UpdateOptions } from "@coffer/core";
import { AbstractSecretsStore, assertSecretId, chunk, probeHealth } from "@coffer/core";
import { nothingToRestore, revisionConflict, secretExists } from "@coffer/store-kit";
import { Contents } from "./contents.js";
import { type MemoryStoreOptions, memoryStoreOptions, type ParsedMemoryStoreOptions } from "./options.js";
import { type Operation, TestHooks } from "./test-hooks.js";

export class MemoryStore extends AbstractSecretsStore {
  readonly type = "memory";
  readonly #options: ParsedMemoryStoreOptions;
  readonly #contents: Contents;
  readonly #hooks: TestHooks;

  constructor(options: MemoryStoreOptions = {}) {
    super();
    this.#options = memoryStoreOptions.parse(options);
    this.#contents = Contents.open(this.#options.shared);
    this.#hooks = new TestHooks(this.#options.latencyMs);
  }

  capabilities(): StoreCapabilities {
    const { access, maxValueBytes, batchGetMax, versions, cas, softDelete } = this.#options;
    return { access, maxValueBytes, batchGetMax, versions, cas, softDelete };
  }

  async init(): Promise<void> {
    this.#hooks.assertOpen();
  }

  async create(id: SecretId, values: SecretValues): Promise<void> {
    await this.#hooks.call("create");
    this.assertWritable();
    assertSecretId(id);
    if (this.#contents.peek(id)) throw secretExists(id, "The store");
    this.assertWithinLimit(id, values);
    // A soft-deleted secret's id can be used again; the new secret starts a fresh history.
    this.seed(id, values);
  }

  async get(id: SecretId): Promise<SecretValues> {
    await this.#hooks.call("get");
    this.assertReadable();
    return this.#contents.revision(id, this.#contents.latest(id));
  }

  override async getMany(ids: readonly SecretId[]): Promise<Map<SecretId, SecretValues>> {
    this.assertReadable();
    const found = new Map<SecretId, SecretValues>();
    for (const batch of chunk([...new Set(ids)], this.#options.batchGetMax)) {
      await this.#hooks.call("getMany");
      for (const id of batch) {
        const values = this.peek(id);
        if (values) found.set(id, values);
      }
    }
    return found;
  }

  async update(id: SecretId, values: SecretValues, options?: UpdateOptions): Promise<void> {
    await this.#hooks.call("update");
    this.assertWritable();
    this.assertCasSupported(options);
    const current = this.#contents.latest(id);
    const expected = options?.expectedRevision;
    if (expected !== undefined && expected !== current) throw revisionConflict(id, expected, current);
    this.assertWithinLimit(id, values);
    this.#contents.push(id, values, this.#options.maxVersions);
  }

  async delete(id: SecretId): Promise<void> {
    await this.#hooks.call("delete");
    this.assertWritable();
    this.#contents.remove(id, this.#options.softDelete);
  }

  override async restore(id: SecretId): Promise<void> {
    if (!this.#options.softDelete) return super.restore(id);
    await this.#hooks.call("restore");
    this.assertWritable();
    if (!this.#contents.isDeleted(id)) throw nothingToRestore(id);
    this.#contents.setDeleted(id, false);
  }

  override async currentRevision(id: SecretId): Promise<number> {
    if (!this.#options.versions && !this.#options.cas) return super.currentRevision(id);
    this.assertReadable();
    return this.#contents.latest(id);
  }

  override async getRevision(id: SecretId, revision: number): Promise<SecretValues> {
    if (!this.#options.versions) return super.getRevision(id, revision);
    await this.#hooks.call("get");
    this.assertReadable();
    return this.#contents.revision(id, revision);
  }

  async health(): Promise<HealthReport> {
    return probeHealth(async () => {
      await this.#hooks.call("health");
      return "in-memory store";
    }, "The memory store could not be checked.");
  }

  async close(): Promise<void> {
    this.#hooks.closed = true;
  }

  /** Test hook: backend calls so far, per operation (getMany counts one per batch). */
  get calls(): Record<Operation, number> {
    return this.#hooks.calls;
  }

  /** Test hook: the next `times` calls of `operation` throw `error` (an outage by default). */
  injectFault(operation: Operation, error?: Error, times = 1): void {
    this.#hooks.injectFault(operation, error, times);
  }

  /** Test hook: writes values directly, whatever the access mode (seeds read-only stores). */
  seed(id: SecretId, values: SecretValues): void {
    this.#contents.seed(id, values);
  }

  /** Test hook: the latest values of a live secret whatever the access mode, or undefined. */
  peek(id: SecretId): SecretValues | undefined {
    return this.#contents.peek(id);
  }

  /** Test hook: removes a secret directly, whatever the access mode. */
  unseed(id: SecretId): void {
    this.#contents.unseed(id);
  }

  /** Test hook: how many live secrets the store holds. */
  get size(): number {
    return this.#contents.size;
  }
}
