/**
 * The reference store: every capability of the SecretsStore contract, in memory. It is what the
 * conformance suite is measured against, what tests and demos run on, and a readable model of
 * how a store should behave.
 *
 * Test hooks (not part of the contract): `injectFault` makes the next calls of an operation fail,
 * `calls` counts backend calls per operation, `seed` writes past a read-only access mode and
 * `peek` reads past a write-only one.
 */
import { setTimeout as sleep } from "node:timers/promises";
import {
  AbstractSecretsStore,
  assertSecretId,
  BackendUnavailableError,
  chunk,
  defineStore,
  type HealthReport,
  probeHealth,
  SecretExistsError,
  type SecretId,
  SecretNotFoundError,
  type SecretValues,
  type StoreCapabilities,
  type UpdateOptions,
  VersionConflictError,
  z,
} from "@coffer/core";

export const memoryStoreOptions = z
  .object({
    /** The largest secret accepted, in bytes of its JSON encoding. */
    maxValueBytes: z.number().int().positive().default(65_536),
    /** Ids per getMany backend call. */
    batchGetMax: z.number().int().positive().default(100),
    access: z.enum(["read-write", "read-only", "write-only"]).default("read-write"),
    versions: z.boolean().default(true),
    cas: z.boolean().default(true),
    softDelete: z.boolean().default(true),
    /** How many revisions of each secret are kept readable. */
    maxRevisions: z.number().int().min(1).default(10),
    /** Simulated latency of every backend call, for benchmarks. */
    latencyMs: z.number().int().min(0).default(0),
    /** Stores created with the same name share their contents within one process. */
    shared: z.string().min(1).optional(),
  })
  .strict();

export type MemoryStoreOptions = z.input<typeof memoryStoreOptions>;

type Operation = "create" | "get" | "getMany" | "update" | "delete" | "restore" | "health";

interface StoredSecret {
  /** Values of the kept revisions, oldest first; `firstRevision` is the number of the first. */
  revisions: SecretValues[];
  firstRevision: number;
  deleted: boolean;
}

const sharedContents = new Map<string, Map<SecretId, StoredSecret>>();

export class MemoryStore extends AbstractSecretsStore {
  readonly type = "memory";
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

  readonly #options: z.output<typeof memoryStoreOptions>;
  readonly #secrets: Map<SecretId, StoredSecret>;
  readonly #faults = new Map<Operation, Error[]>();
  #closed = false;

  constructor(options: MemoryStoreOptions = {}) {
    super();
    this.#options = memoryStoreOptions.parse(options);
    const { shared } = this.#options;
    if (shared === undefined) {
      this.#secrets = new Map();
    } else {
      if (!sharedContents.has(shared)) sharedContents.set(shared, new Map());
      this.#secrets = sharedContents.get(shared)!;
    }
  }

  capabilities(): StoreCapabilities {
    const { access, maxValueBytes, batchGetMax, versions, cas, softDelete } = this.#options;
    return { access, maxValueBytes, batchGetMax, versions, cas, softDelete };
  }

  async init(): Promise<void> {
    this.#assertOpen();
  }

  async create(id: SecretId, values: SecretValues): Promise<void> {
    await this.#call("create");
    this.assertWritable();
    assertSecretId(id);
    const existing = this.#secrets.get(id);
    if (existing && !existing.deleted) throw exists(id);
    this.assertWithinLimit(id, values);
    // A soft-deleted secret's id can be used again; the new secret starts a fresh history.
    this.#secrets.set(id, { revisions: [{ ...values }], firstRevision: 1, deleted: false });
  }

  async get(id: SecretId): Promise<SecretValues> {
    await this.#call("get");
    this.assertReadable();
    return { ...this.#live(id).revisions.at(-1)! };
  }

  override async getMany(ids: readonly SecretId[]): Promise<Map<SecretId, SecretValues>> {
    this.assertReadable();
    const found = new Map<SecretId, SecretValues>();
    for (const batch of chunk([...new Set(ids)], this.#options.batchGetMax)) {
      await this.#call("getMany");
      for (const id of batch) {
        const secret = this.#secrets.get(id);
        if (secret && !secret.deleted) found.set(id, { ...secret.revisions.at(-1)! });
      }
    }
    return found;
  }

  async update(id: SecretId, values: SecretValues, options?: UpdateOptions): Promise<void> {
    await this.#call("update");
    this.assertWritable();
    this.assertCasSupported(options);
    const secret = this.#live(id);
    const current = secret.firstRevision + secret.revisions.length - 1;
    if (options?.expectedRevision !== undefined && options.expectedRevision !== current) {
      throw new VersionConflictError(
        `The secret ${id} is at revision ${current}, not the expected ${options.expectedRevision}.`,
        {
          hint: "Read the secret again and retry with its current revision.",
          details: { id, expected: options.expectedRevision, actual: current },
        },
      );
    }
    this.assertWithinLimit(id, values);
    secret.revisions.push({ ...values });
    while (secret.revisions.length > this.#options.maxRevisions) {
      secret.revisions.shift();
      secret.firstRevision++;
    }
  }

  async delete(id: SecretId): Promise<void> {
    await this.#call("delete");
    this.assertWritable();
    const secret = this.#live(id);
    if (this.#options.softDelete) secret.deleted = true;
    else this.#secrets.delete(id);
  }

  override async restore(id: SecretId): Promise<void> {
    if (!this.#options.softDelete) return super.restore(id);
    await this.#call("restore");
    this.assertWritable();
    const secret = this.#secrets.get(id);
    if (!secret?.deleted) {
      throw new SecretNotFoundError(`No deleted secret ${id} to restore.`, {
        hint: "Only a deleted secret can be restored.",
        details: { id },
      });
    }
    secret.deleted = false;
  }

  override async currentRevision(id: SecretId): Promise<number> {
    if (!this.#options.versions && !this.#options.cas) return super.currentRevision(id);
    this.assertReadable();
    const secret = this.#live(id);
    return secret.firstRevision + secret.revisions.length - 1;
  }

  override async getRevision(id: SecretId, revision: number): Promise<SecretValues> {
    if (!this.#options.versions) return super.getRevision(id, revision);
    await this.#call("get");
    this.assertReadable();
    const secret = this.#live(id);
    const values = secret.revisions[revision - secret.firstRevision];
    if (!Number.isInteger(revision) || values === undefined) {
      throw new SecretNotFoundError(`The secret ${id} has no revision ${revision}.`, {
        hint: `Revisions ${secret.firstRevision} to ${secret.firstRevision + secret.revisions.length - 1} are kept.`,
        details: { id, revision },
      });
    }
    return { ...values };
  }

  async health(): Promise<HealthReport> {
    return probeHealth(async () => {
      await this.#call("health");
      return "in-memory store";
    }, "The memory store could not be checked.");
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  /** Test hook: the next `times` calls of `operation` throw `error` (an outage by default). */
  injectFault(operation: Operation, error?: Error, times = 1): void {
    const queue = this.#faults.get(operation) ?? [];
    for (let i = 0; i < times; i++) {
      queue.push(error ?? new BackendUnavailableError(`Injected fault in memory store ${operation}.`));
    }
    this.#faults.set(operation, queue);
  }

  /** Test hook: writes values directly, whatever the access mode (seeds read-only stores). */
  seed(id: SecretId, values: SecretValues): void {
    this.#secrets.set(id, { revisions: [{ ...values }], firstRevision: 1, deleted: false });
  }

  /**
   * Test hook: the latest values of a live secret, read directly whatever the access mode, or
   * undefined (lets a test check the writes of a write-only store).
   */
  peek(id: SecretId): SecretValues | undefined {
    const secret = this.#secrets.get(id);
    return secret && !secret.deleted ? { ...secret.revisions.at(-1)! } : undefined;
  }

  /** Test hook: removes a secret directly, whatever the access mode. */
  unseed(id: SecretId): void {
    this.#secrets.delete(id);
  }

  /** Test hook: how many live secrets the store holds. */
  get size(): number {
    return [...this.#secrets.values()].filter((secret) => !secret.deleted).length;
  }

  async #call(operation: Operation): Promise<void> {
    this.#assertOpen();
    this.calls[operation]++;
    if (this.#options.latencyMs > 0) await sleep(this.#options.latencyMs);
    const fault = this.#faults.get(operation)?.shift();
    if (fault) throw fault;
  }

  #assertOpen(): void {
    if (this.#closed) {
      throw new BackendUnavailableError("The memory store is closed.", {
        hint: "Create a new store; a closed one cannot be reopened.",
      });
    }
  }

  #live(id: SecretId): StoredSecret {
    const secret = this.#secrets.get(id);
    if (!secret || secret.deleted) {
      throw new SecretNotFoundError(`The store holds no secret ${id}.`, {
        hint: "Check the id; the secret may have been deleted.",
        details: { id },
      });
    }
    return secret;
  }
}

function exists(id: SecretId): SecretExistsError {
  return new SecretExistsError(`The store already holds a secret ${id}.`, {
    hint: "Use update to change it, or delete it first.",
    details: { id },
  });
}

/** The registration: `COFFER_STORE_TYPE=memory`. */
export const memoryStore = defineStore({
  type: "memory",
  description: "Values in process memory: lost on exit. For tests and demos.",
  optionsSchema: memoryStoreOptions,
  create: (options) => new MemoryStore(options),
});
