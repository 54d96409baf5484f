/**
 * The client's read cache for `get` (opt-in: `createClient({ cache: { ttlMs, … } })`):
 *
 * - **TTL**: an entry younger than `ttlMs` is served without asking the server.
 * - **Single flight**: concurrent reads of one secret share one backend call.
 * - **Stale-while-revalidate, bounded**: an entry between `ttlMs` and `ttlMs +
 *   staleWhileRevalidateMs` old is served while one refresh runs in the background; past that,
 *   the read waits for the fresh value.
 * - **Bounded size**: at most `maxEntries`, least recently used dropped first (lru-cache).
 * - **Invalidation**: `invalidate(nameOrId)` / `invalidateAll()` — what writes through this client
 *   call, and the hook a change feed calls when it sees a change. A read in flight when its secret
 *   is invalidated is not stored (its answer may predate the change).
 * - Errors are never stored: a failed read leaves the cache as it was.
 *
 * One cache belongs to one client, so different users and servers never share an entry. Keys
 * tell `{ name, private: true }`, `{ name, private: false }` and `{ name }` apart (the last one
 * resolves to either), and `{ id }` is a key of its own.
 */
import type { Secret, SecretRef } from "@coffer/core";
import { LRUCache } from "lru-cache";

export interface CacheOptions {
  /** How long a fetched value is served without asking the server (milliseconds, > 0). */
  ttlMs: number;
  /** How long past `ttlMs` a value is still served while one refresh runs (default 0: none). */
  staleWhileRevalidateMs?: number;
  /** The most entries kept; the least recently used go first (default 1,000). */
  maxEntries?: number;
  /**
   * Follow the change feed and drop a secret's cached copies as soon as it changes anywhere
   * (cache-feed.ts), rather than only when `ttlMs` runs out (default false: one more connection).
   */
  followChanges?: boolean;
}

interface Entry {
  secret: Secret;
  /** Date.now() when the value was fetched. */
  fetchedAt: number;
}

interface Flight {
  promise: Promise<Secret>;
  /** Set when the key was invalidated while the read ran: its answer is returned, not stored. */
  invalidated: boolean;
}

export type Fetch = () => Promise<Secret>;

/** Called with each value fetched from the backend (the offline cache remembers it). */
export type OnFetched = (key: string, secret: Secret, fetchedAt: number) => void;

export class ReadCache {
  readonly ttlMs: number;
  readonly staleWhileRevalidateMs: number;
  readonly #entries: LRUCache<string, Entry>;
  readonly #flights = new Map<string, Flight>();
  /** Which keys hold each name and each id, so invalidate(name | id) finds every variant. */
  readonly #keysOf = new Map<string, Set<string>>();
  readonly #onFetched: OnFetched | undefined;
  /** How many reads went to the backend (tests and the bench count them). */
  fetches = 0;

  constructor(options: CacheOptions, onFetched?: OnFetched) {
    this.ttlMs = options.ttlMs;
    this.staleWhileRevalidateMs = options.staleWhileRevalidateMs ?? 0;
    this.#onFetched = onFetched;
    this.#entries = new LRUCache<string, Entry>({
      max: options.maxEntries ?? 1000,
      dispose: (entry, key) => this.#unindex(key, entry.secret),
    });
  }

  /** A fresh entry's secret (younger than the TTL), else undefined: the synchronous fast path. */
  fresh(ref: SecretRef): Secret | undefined {
    const entry = this.#entries.get(cacheKey(ref));
    return entry && Date.now() - entry.fetchedAt < this.ttlMs ? entry.secret : undefined;
  }

  /** The secret `ref` names: from the cache when fresh (or stale within the bound), else fetched once. */
  read(ref: SecretRef, fetch: Fetch): Promise<Secret> {
    const key = cacheKey(ref);
    const entry = this.#entries.get(key);
    if (entry) {
      const age = Date.now() - entry.fetchedAt;
      if (age < this.ttlMs) return Promise.resolve(entry.secret);
      if (age < this.ttlMs + this.staleWhileRevalidateMs) {
        // Served stale while one refresh runs; a failed refresh leaves the entry to age out.
        this.#fly(key, ref, fetch).catch(() => undefined);
        return Promise.resolve(entry.secret);
      }
    }
    return this.#fly(key, ref, fetch);
  }

  /**
   * Forgets every entry for this name or id (any visibility), and what reads in flight bring
   * back; returns the keys it covered (the offline cache forgets them too).
   */
  invalidate(nameOrId: string): string[] {
    const keys = new Set([...(this.#keysOf.get(nameOrId) ?? []), ...keysFor(nameOrId)]);
    for (const key of keys) this.#forget(key);
    return [...keys];
  }

  /** Forgets everything (a change feed that may have missed events calls this). */
  invalidateAll(): void {
    for (const flight of this.#flights.values()) flight.invalidated = true;
    this.#flights.clear();
    this.#entries.clear();
    this.#keysOf.clear();
  }

  get size(): number {
    return this.#entries.size;
  }

  #fly(key: string, ref: SecretRef, fetch: Fetch): Promise<Secret> {
    const running = this.#flights.get(key);
    if (running) return running.promise;
    this.fetches++;
    const flight: Flight = { promise: undefined as unknown as Promise<Secret>, invalidated: false };
    flight.promise = fetch().then(
      (secret) => {
        if (this.#flights.get(key) === flight) this.#flights.delete(key);
        if (!flight.invalidated) {
          const fetchedAt = Date.now();
          this.#entries.set(key, { secret, fetchedAt });
          this.#index(key, ref, secret);
          this.#onFetched?.(key, secret, fetchedAt);
        }
        return secret;
      },
      (error: unknown) => {
        if (this.#flights.get(key) === flight) this.#flights.delete(key);
        throw error;
      },
    );
    this.#flights.set(key, flight);
    return flight.promise;
  }

  #forget(key: string): void {
    const flight = this.#flights.get(key);
    if (flight) {
      flight.invalidated = true;
      this.#flights.delete(key);
    }
    this.#entries.delete(key);
  }

  #index(key: string, ref: SecretRef, secret: Secret): void {
    const names = "id" in ref ? [ref.id, secret.id, secret.name] : [ref.name, secret.id, secret.name];
    for (const name of names) {
      const keys = this.#keysOf.get(name) ?? new Set<string>();
      this.#keysOf.set(name, keys);
      keys.add(key);
    }
  }

  #unindex(key: string, secret: Secret): void {
    for (const name of [secret.id, secret.name]) {
      const keys = this.#keysOf.get(name);
      keys?.delete(key);
      if (keys?.size === 0) this.#keysOf.delete(name);
    }
  }
}

/**
 * The cache key of a reference: private, public and "either" reads of one name are three keys,
 * so a public secret's values never answer a private read of the same name, or the reverse.
 */
export function cacheKey(ref: SecretRef): string {
  if ("id" in ref) return `id\u0000${ref.id}`;
  const visibility = ref.private === undefined ? "any" : ref.private ? "private" : "public";
  return `${visibility}\u0000${ref.name}`;
}

/** Every key a name or id could have been cached under before any read indexed it. */
function keysFor(nameOrId: string): string[] {
  return ["any", "private", "public", "id"].map((prefix) => `${prefix}\u0000${nameOrId}`);
}
