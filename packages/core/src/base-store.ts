/**
 * A base class for stores: the optional operations throw NotSupportedError, getMany falls back to
 * bounded-concurrency gets, and helpers enforce the size limit and access mode the same way in
 * every backend. Extending it is optional; implementing SecretsStore directly is fine.
 */
import { notSupported, SecretNotFoundError, ValueTooLargeError } from "./errors.js";
import { type SecretId, type SecretValues, serializedSize } from "./model.js";
import type { HealthReport, SecretsStore, StoreCapabilities, UpdateOptions } from "./store.js";

export abstract class AbstractSecretsStore implements SecretsStore {
  abstract readonly type: string;
  abstract capabilities(): StoreCapabilities;
  abstract init(): Promise<void>;
  abstract create(id: SecretId, values: SecretValues): Promise<void>;
  abstract get(id: SecretId): Promise<SecretValues>;
  abstract update(id: SecretId, values: SecretValues, options?: UpdateOptions): Promise<void>;
  abstract delete(id: SecretId): Promise<void>;
  abstract health(): Promise<HealthReport>;
  abstract close(): Promise<void>;

  /** How many single reads the fallback getMany runs at once. */
  protected readonly getManyConcurrency: number = 8;

  async getMany(ids: readonly SecretId[]): Promise<Map<SecretId, SecretValues>> {
    const unique = [...new Set(ids)];
    const found = new Map<SecretId, SecretValues>();
    const results = await mapWithConcurrency(unique, this.getManyConcurrency, async (id) => {
      try {
        return await this.get(id);
      } catch (error) {
        if (error instanceof SecretNotFoundError) return undefined;
        throw error;
      }
    });
    unique.forEach((id, index) => {
      const values = results[index];
      if (values !== undefined) found.set(id, values);
    });
    return found;
  }

  async currentRevision(_id: SecretId): Promise<number> {
    throw notSupported(this.type, "versions", "revisions");
  }

  async getRevision(_id: SecretId, _revision: number): Promise<SecretValues> {
    throw notSupported(this.type, "versions", "reading a previous revision");
  }

  async restore(_id: SecretId): Promise<void> {
    throw notSupported(this.type, "softDelete", "restoring a deleted secret");
  }

  /** Throws ValueTooLargeError, saying by how much, when values exceed maxValueBytes. */
  protected assertWithinLimit(id: SecretId, values: SecretValues): void {
    assertWithinLimit(this.type, this.capabilities().maxValueBytes, id, values);
  }

  /** Throws NotSupportedError for a write on a read-only store. */
  protected assertWritable(): void {
    if (this.capabilities().access === "read-only") throw notSupported(this.type, "access", "writes");
  }

  /** Throws NotSupportedError for a read on a write-only store. */
  protected assertReadable(): void {
    if (this.capabilities().access === "write-only") throw notSupported(this.type, "access", "reads");
  }

  /** Throws NotSupportedError when a caller asks for check-and-set on a store without `cas`. */
  protected assertCasSupported(options: UpdateOptions | undefined): void {
    if (options?.expectedRevision !== undefined && !this.capabilities().cas) {
      throw notSupported(this.type, "cas", "check-and-set updates");
    }
  }
}

export function assertWithinLimit(
  storeType: string,
  maxBytes: number,
  id: SecretId,
  values: SecretValues,
): void {
  const size = serializedSize(values);
  if (size > maxBytes) {
    throw new ValueTooLargeError(
      `The secret is ${size} bytes, ${size - maxBytes} over the '${storeType}' store's limit of ${maxBytes} bytes.`,
      {
        hint: "Split it into several secrets or shorten its values.",
        details: { id, sizeBytes: size, maxBytes, overBy: size - maxBytes },
      },
    );
  }
}

/** Runs `fn` over `items` with at most `limit` calls in flight; results keep the input order. */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return results;
}

/** Splits `items` into chunks of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += Math.max(1, size))
    chunks.push(items.slice(i, i + Math.max(1, size)));
  return chunks;
}
