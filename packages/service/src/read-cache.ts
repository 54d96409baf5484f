/**
 * The service's read cache as one part: the cache of metadata lookups (metadata-cache.ts) and the
 * follower that keeps it coherent with other processes (cache-coherence.ts), wired to the change
 * feed. The follower starts with the first read through the cache: a process that only writes
 * never listens or polls for it.
 */
import type { Logger } from "@coffer/core";
import type { Database } from "@coffer/sql";
import type { Kysely } from "kysely";
import { CacheCoherence } from "./cache-coherence.js";
import type { ChangeFeed } from "./change-feed.js";
import type { ChangeLog } from "./change-log.js";
import { DEFAULT_CACHE_ENTRIES, MetadataCache, type MetadataCacheStats } from "./metadata-cache.js";
import type { MetadataTables } from "./schema.js";

/** What the service shows of its read cache (tests, benches, metrics). */
export interface ReadCacheView {
  stats(): MetadataCacheStats;
  /** Whether it serves now (the feed is heard and caught up). */
  readonly serving: boolean;
  /** Resolves once every change up to feed event `eventId` has been dropped (or it went blind). */
  caughtUp(eventId: number): Promise<void>;
}

export class ReadCache implements ReadCacheView {
  readonly cache: MetadataCache;
  readonly #coherence: CacheCoherence;

  /** The read cache for `entries` (default 10,000), or undefined when it is turned off (0). */
  static open(
    entries: number | undefined,
    parts: { database: Database; feed: ChangeFeed; log: ChangeLog; logger: Logger },
  ): ReadCache | undefined {
    const bound = entries ?? DEFAULT_CACHE_ENTRIES;
    return bound > 0 ? new ReadCache(bound, parts) : undefined;
  }

  private constructor(
    entries: number,
    parts: { database: Database; feed: ChangeFeed; log: ChangeLog; logger: Logger },
  ) {
    this.cache = new MetadataCache(entries, () => this.#coherence.start());
    this.#coherence = new CacheCoherence(
      this.cache,
      parts.feed,
      parts.log,
      parts.database.db as Kysely<MetadataTables>,
      parts.database.location,
      parts.logger,
    );
  }

  stats(): MetadataCacheStats {
    return this.cache.stats();
  }

  get serving(): boolean {
    return this.cache.serving;
  }

  /** The repository committed feed event `id` here (and dropped what it touched). */
  committedHere(id: number): void {
    this.#coherence.committedHere(id);
  }

  caughtUp(eventId: number): Promise<void> {
    return this.#coherence.caughtUp(eventId);
  }

  close(): Promise<void> {
    return this.#coherence.close();
  }
}
