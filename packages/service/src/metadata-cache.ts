/**
 * The in-process cache of the lookups a read starts with (lookup.ts): "the row `actor` sees by
 * this id" and "the row `actor` sees by this name (private, public, or either)". A hit saves the
 * metadata query, so that a read by name costs one store call when nothing changed.
 *
 * What keeps it coherent (the follower in cache-coherence.ts and the repository in metadata.ts):
 * - A write in this process drops what it touches — by secret id and by every name involved —
 *   before the write returns, so a client never reads stale metadata after its write was
 *   acknowledged here.
 * - Other processes' changes are dropped when the change feed delivers them; while the feed is not
 *   heard (no LISTEN connection, a failed or overdue poll) the cache neither serves nor fills.
 * - A fill carries the generation read before its query: any invalidation meanwhile bumps the
 *   generation and the fill is refused, so a query that raced a change never plants its old row.
 *
 * Keys hold the actor: visibility is decided by the query, so a row found by one actor is never
 * served to another. Only found rows are cached, never "not found": a miss for one actor must not
 * survive a create the feed has not delivered yet, and negative answers would let a name probe
 * fill the cache. Only `active` rows are cached: an `updating` row may carry a name or visibility
 * its write never commits (an undone update restores it without a feed event).
 *
 * Rows are sealed-at-fill: the repository checks each row's seal when it comes from the database,
 * and a cached row is that checked object (frozen). A hit is not re-checked: the seal guards
 * against writes to the database, and the cache is this process's memory.
 */
import { LRUCache } from "lru-cache";
import type { SecretRow } from "./schema.js";

/** The default bound: see the README ("The metadata cache") for the memory it takes. */
export const DEFAULT_CACHE_ENTRIES = 10_000;

/** Which lookup a key stands for; each takes the actor, so visibility is never shared. */
export type LookupKey =
  | { by: "id"; actorId: string; id: string }
  | { by: "name"; actorId: string; name: string; private: boolean | undefined };

interface Entry {
  row: Readonly<SecretRow>;
}

export interface MetadataCacheStats {
  hits: number;
  misses: number;
  fills: number;
  /** Fills refused because something was invalidated while their query ran. */
  refusedFills: number;
  invalidations: number;
  entries: number;
  /** The bound: at most this many entries. */
  maxEntries: number;
}

/** Unambiguous whatever the strings hold: each part is prefixed by its length. */
function keyOf(key: LookupKey): string {
  const part = (text: string) => `${text.length}:${text}`;
  if (key.by === "id") return `i${part(key.actorId)}${part(key.id)}`;
  const preference = key.private === undefined ? "e" : key.private ? "p" : "s";
  return `n${preference}${part(key.actorId)}${part(key.name)}`;
}

export class MetadataCache {
  readonly #rows: LRUCache<string, Entry>;
  /**
   * Cache keys by the secret id and by the name of the row they hold (what invalidation drops).
   * Most ids and names have one key: it is held as is, a set only from the second (memory).
   */
  readonly #byId = new Map<string, string | Set<string>>();
  readonly #byName = new Map<string, string | Set<string>>();
  #generation = 0;
  /** Until when (performance.now()) the follower vouches that no change went unheard. */
  #heardUntil = Number.NEGATIVE_INFINITY;
  readonly #stats = { hits: 0, misses: 0, fills: 0, refusedFills: 0, invalidations: 0 };
  /** Starts the follower on the first read: a process that never reads never listens or polls. */
  #onFirstUse: (() => void) | undefined;

  constructor(
    readonly maxEntries: number = DEFAULT_CACHE_ENTRIES,
    onFirstUse?: () => void,
  ) {
    this.#onFirstUse = onFirstUse;
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new RangeError(`MetadataCache: maxEntries must be a positive integer, not ${maxEntries}`);
    }
    this.#rows = new LRUCache<string, Entry>({
      max: maxEntries,
      // Called for evictions and deletions alike: the indexes follow the entries.
      dispose: (entry, key) => {
        this.#unindex(this.#byId, entry.row.id, key);
        this.#unindex(this.#byName, entry.row.name, key);
      },
    });
  }

  /** Whether the cache may serve and fill now. */
  get serving(): boolean {
    return performance.now() <= this.#heardUntil;
  }

  /** The row cached for `key`, when the cache is serving. */
  get(key: LookupKey): SecretRow | undefined {
    if (this.#onFirstUse) {
      const start = this.#onFirstUse;
      this.#onFirstUse = undefined;
      start();
    }
    if (!this.serving) return undefined;
    const entry = this.#rows.get(keyOf(key));
    if (entry) this.#stats.hits++;
    else this.#stats.misses++;
    return entry?.row as SecretRow | undefined;
  }

  /** Taken before a lookup's query; `fill` accepts the answer only if nothing changed since. */
  ticket(): number | undefined {
    return this.serving ? this.#generation : undefined;
  }

  /** Caches the row a lookup found (its seal already checked), unless the ticket is outdated. */
  fill(key: LookupKey, row: SecretRow, ticket: number | undefined): void {
    if (ticket === undefined || ticket !== this.#generation || !this.serving) {
      if (ticket !== undefined) this.#stats.refusedFills++;
      return;
    }
    if (row.state !== "active") return;
    const cacheKey = keyOf(key);
    this.#rows.delete(cacheKey);
    this.#rows.set(cacheKey, { row: Object.freeze({ ...row }) });
    this.#index(this.#byId, row.id, cacheKey);
    this.#index(this.#byName, row.name, cacheKey);
    this.#stats.fills++;
  }

  /**
   * Drops every lookup that found secret `id`, and every lookup of `names` (whoever's secret it
   * found: a new private secret of one name changes what "either" finds for its owner).
   */
  invalidate(id: string, names: Iterable<string | null | undefined>): void {
    this.#generation++;
    this.#stats.invalidations++;
    this.#dropAll(this.#byId.get(id));
    for (const name of names) if (name) this.#dropAll(this.#byName.get(name));
  }

  /** Drops everything (the feed lost events, or a resync). */
  clear(): void {
    this.#generation++;
    this.#rows.clear();
  }

  /** The follower vouches for the feed until `until` (performance.now(); Infinity: until told). */
  heardUntil(until: number): void {
    this.#heardUntil = until;
  }

  /** The feed is not heard: stop serving and forget everything until the follower has caught up. */
  suspend(): void {
    this.#heardUntil = Number.NEGATIVE_INFINITY;
    this.clear();
  }

  stats(): MetadataCacheStats {
    return { ...this.#stats, entries: this.#rows.size, maxEntries: this.maxEntries };
  }

  #dropAll(keys: string | Set<string> | undefined): void {
    if (keys === undefined) return;
    if (typeof keys === "string") this.#rows.delete(keys);
    else for (const key of [...keys]) this.#rows.delete(key);
  }

  #index(index: Map<string, string | Set<string>>, field: string, key: string): void {
    const keys = index.get(field);
    if (keys === undefined) index.set(field, key);
    else if (typeof keys === "string") {
      if (keys !== key) index.set(field, new Set([keys, key]));
    } else keys.add(key);
  }

  #unindex(index: Map<string, string | Set<string>>, field: string, key: string): void {
    const keys = index.get(field);
    if (keys === undefined) return;
    if (typeof keys === "string") {
      if (keys === key) index.delete(field);
      return;
    }
    keys.delete(key);
    if (keys.size === 0) index.delete(field);
  }
}
