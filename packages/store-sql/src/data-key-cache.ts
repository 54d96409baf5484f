/**
 * Unwrapped data keys, held in memory for a bounded time and number so that reads do not call the
 * KMS each time, while a revoked KMS grant (or a disabled key) takes effect within `ttlMs`. Built
 * on lru-cache: its `fetch` also makes concurrent misses on one key share a single unwrap.
 *
 * Evicted keys are not zeroed (a caller may still hold the buffer between an await and its use);
 * `clear()` — on close, when the store is no longer usable — zeroes every key it still holds.
 */
import { LRUCache } from "lru-cache";
import type { KeyEncryptionKey, WrapContext } from "./kek.js";

export interface DataKeyCacheOptions {
  /** Most unwrapped data keys held at once. */
  max: number;
  /** How long an unwrapped key is used before the KMS is asked again. */
  ttlMs: number;
}

/** What a wrapped data key is bound to: the store, the deployment and the key's id. */
export function wrapContext(deploymentId: string, keyId: string): WrapContext {
  return {
    "coffer:purpose": "store-sql data key",
    "coffer:deployment": deploymentId,
    "coffer:key-id": keyId,
  };
}

export class DataKeyCache {
  readonly #cache: LRUCache<string, Buffer, string>;
  #unwraps = 0;

  constructor(kek: KeyEncryptionKey, deploymentId: string, options: DataKeyCacheOptions) {
    this.#cache = new LRUCache<string, Buffer, string>({
      max: options.max,
      ttl: options.ttlMs,
      // The TTL counts from the unwrap, not from the last use: a busy key is still re-checked.
      updateAgeOnGet: false,
      fetchMethod: async (keyId, _stale, { context: wrapped }) => {
        this.#unwraps++;
        return kek.unwrap(wrapped, wrapContext(deploymentId, keyId));
      },
    });
  }

  /** The key's bytes: cached, or unwrapped by the KMS (errors pass through, nothing cached). */
  async get(keyId: string, wrapped: string): Promise<Buffer> {
    const key = await this.#cache.fetch(keyId, { context: wrapped });
    if (!key) throw new Error(`data key ${keyId} could not be unwrapped`); // fetchMethod never returns undefined
    return key;
  }

  /** Primes the cache with a key just generated (saves the first unwrap). */
  set(keyId: string, key: Buffer): void {
    this.#cache.set(keyId, key);
  }

  /** How many unwraps reached the KMS (for tests and benchmarks). */
  get unwraps(): number {
    return this.#unwraps;
  }

  /** Keys held now (expired ones are dropped lazily, on access or purge). */
  get size(): number {
    this.#cache.purgeStale();
    return this.#cache.size;
  }

  clear(): void {
    for (const key of this.#cache.values()) key.fill(0);
    this.#cache.clear();
  }
}
