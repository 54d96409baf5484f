/**
 * A SecretsStore that times every call of the store it wraps and counts failures, for the
 * server's metrics. Wrapping at this boundary measures every backend (sql, cloud, vault, a plugin)
 * without touching any of them. It adds nothing else: results, errors and `type` pass through.
 */
import type {
  HealthReport,
  SecretId,
  SecretsStore,
  SecretValues,
  StoreCapabilities,
  UpdateOptions,
} from "@coffer/core";
import { errorCode, type ServerMetrics } from "./registry.js";

export class MeasuredStore implements SecretsStore {
  constructor(
    /** The measured store (tests reach it to inject faults). */
    readonly inner: SecretsStore,
    private readonly metrics: ServerMetrics,
  ) {}

  get type(): string {
    return this.inner.type;
  }

  capabilities(): StoreCapabilities {
    return this.inner.capabilities();
  }

  async #measure<T>(operation: string, call: () => Promise<T>): Promise<T> {
    const labels = { store: this.inner.type, operation };
    const stop = this.metrics.storeDuration.startTimer(labels);
    try {
      const result = await call();
      stop({ outcome: "ok" });
      return result;
    } catch (error) {
      stop({ outcome: "error" });
      this.metrics.storeErrors.inc({ ...labels, code: errorCode(error) });
      throw error;
    }
  }

  init(): Promise<void> {
    return this.#measure("init", () => this.inner.init());
  }
  create(id: SecretId, values: SecretValues): Promise<void> {
    return this.#measure("create", () => this.inner.create(id, values));
  }
  get(id: SecretId): Promise<SecretValues> {
    return this.#measure("get", () => this.inner.get(id));
  }
  getMany(ids: readonly SecretId[]): Promise<Map<SecretId, SecretValues>> {
    return this.#measure("getMany", () => this.inner.getMany(ids));
  }
  update(id: SecretId, values: SecretValues, options?: UpdateOptions): Promise<void> {
    return this.#measure("update", () => this.inner.update(id, values, options));
  }
  delete(id: SecretId): Promise<void> {
    return this.#measure("delete", () => this.inner.delete(id));
  }
  health(): Promise<HealthReport> {
    return this.#measure("health", () => this.inner.health());
  }
  close(): Promise<void> {
    return this.inner.close();
  }
  currentRevision(id: SecretId): Promise<number> {
    return this.#measure("currentRevision", () => this.inner.currentRevision(id));
  }
  getRevision(id: SecretId, revision: number): Promise<SecretValues> {
    return this.#measure("getRevision", () => this.inner.getRevision(id, revision));
  }
  restore(id: SecretId): Promise<void> {
    return this.#measure("restore", () => this.inner.restore(id));
  }
}
