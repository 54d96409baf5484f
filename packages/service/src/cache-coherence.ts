/**
 * Keeps the metadata cache (metadata-cache.ts) coherent with other processes' writes: it watches
 * the change feed (change-feed.ts) and drops what each change touched — on PostgreSQL when the
 * NOTIFY arrives, on SQLite when `PRAGMA data_version` moves, on MySQL when the counter row does.
 * Writes made in this process are dropped by the repository itself, before they return.
 *
 * The cache trusts nothing it cannot vouch for. It starts blind (serving nothing), and it goes
 * blind again — forgetting everything — whenever other processes' changes may go unheard: the
 * LISTEN connection dropped, a poll failed, or polls stopped arriving (each poll vouches only for
 * a short lease). It serves again only once the feed is heard and the follower has read the
 * change table up to its head: a missed notification costs hits, never a stale read.
 */
import type { Logger } from "@coffer/core";
import { rethrowDatabaseError } from "@coffer/sql";
import type { Kysely } from "kysely";
import type { ChangeFeed, FeedWatcher } from "./change-feed.js";
import type { ChangeLog } from "./change-log.js";
import type { MetadataCache } from "./metadata-cache.js";
import type { MetadataTables } from "./schema.js";

/** Changes read per round of catching up. */
const CATCH_UP_PAGE = 500;
/** How long to wait before catching up again after the change table could not be read. */
const RETRY_MS = 1_000;

export class CacheCoherence implements FeedWatcher {
  /** The last change id whose invalidation is done; undefined: start from the head. */
  #cursor: number | undefined;
  /** How the feed was last heard, or undefined since it was lost. */
  #heard: "listening" | "polled" | undefined;
  /** Whether the cache may serve: heard, and caught up since. */
  #trusted = false;
  /** Counts losses, so that a catch-up that raced one does not restore trust. */
  #losses = 0;
  #running: Promise<void> | undefined;
  #again = false;
  #retry: NodeJS.Timeout | undefined;
  #stop: (() => Promise<void>) | undefined;
  #closed = false;
  /** Events this process committed and dropped already (the repository does, before returning). */
  readonly #local = new Set<number>();
  /** Callers of caughtUp, waiting for the cursor to pass an event id. */
  readonly #waiters = new Set<{ id: number; done(): void }>();

  constructor(
    private readonly cache: MetadataCache,
    private readonly feed: ChangeFeed,
    private readonly log: ChangeLog,
    private readonly db: Kysely<MetadataTables>,
    private readonly location: string,
    private readonly logger: Logger,
  ) {}

  /** How long one poll vouches for the feed: a few polls may be late, none may be skipped for long. */
  get leaseMs(): number {
    return Math.max(1_000, 4 * this.feed.pollMs);
  }

  /** Starts watching (idempotent); until the feed is heard and caught up the cache serves nothing. */
  start(): void {
    if (this.#stop || this.#closed) return;
    this.#stop = this.feed.watch(this);
  }

  /**
   * Resolves once every change up to event `id` has been dropped from the cache (tests and
   * benches wait on this instead of sleeping) — or once the cache went blind (it serves nothing).
   */
  caughtUp(id: number): Promise<void> {
    // Not trusted: the cache serves nothing, so nothing it could serve is older than `id`.
    if (!this.#trusted || (this.#cursor !== undefined && this.#cursor >= id)) return Promise.resolve();
    const waiting = new Promise<void>((done) => this.#waiters.add({ id, done }));
    // This process's own commits move no poll (SQLite's data_version ignores them): read up to them.
    this.changed();
    return waiting;
  }

  #release(): void {
    for (const waiter of this.#waiters) {
      if (this.#cursor === undefined || this.#cursor >= waiter.id) {
        this.#waiters.delete(waiter);
        waiter.done();
      }
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    this.lost();
    await this.#stop?.();
    await this.#running?.catch(() => undefined);
  }

  /** Event `id` was committed here: the writer drops what it touched, the catch-up need not. */
  committedHere(id: number): void {
    if (!this.#stop || (this.#cursor !== undefined && id <= this.#cursor)) return;
    this.#local.add(id);
    // Bounded: ids the cursor passed are forgotten as it passes them; this is a backstop.
    if (this.#local.size > 10_000) this.#local.clear();
  }

  lost(): void {
    this.#losses++;
    this.#heard = undefined;
    this.#trusted = false;
    // Nothing invalidated from here on can be trusted: start again from the head once heard.
    this.#cursor = undefined;
    this.#local.clear();
    this.cache.suspend();
    this.#release();
  }

  heard(how: "listening" | "polled"): void {
    if (this.#closed) return;
    // Polls that stopped for longer than their lease: changes may have gone unheard meanwhile.
    if (this.#trusted && how === "polled" && !this.cache.serving) this.lost();
    this.#heard = how;
    if (this.#trusted) {
      this.#vouch();
      return;
    }
    const losses = this.#losses;
    this.#catchUp().then(
      () => {
        if (this.#closed || losses !== this.#losses || this.#heard === undefined) return;
        this.#trusted = true;
        this.#vouch();
      },
      () => undefined, // #catchUp has gone blind and scheduled a retry
    );
  }

  changed(): void {
    if (this.#closed) return;
    this.#catchUp().catch(() => undefined);
  }

  #vouch(): void {
    this.cache.heardUntil(
      this.#heard === "listening" ? Number.POSITIVE_INFINITY : performance.now() + this.leaseMs,
    );
  }

  /** Reads the change table up to its head, dropping what changed; runs one round at a time. */
  #catchUp(): Promise<void> {
    this.#again = true;
    this.#running ??= (async () => {
      try {
        while (this.#again) {
          this.#again = false;
          await this.#readToHead();
        }
      } catch (error) {
        this.#blindAfter(error);
        throw error;
      } finally {
        this.#running = undefined;
      }
    })();
    return this.#running;
  }

  async #readToHead(): Promise<void> {
    try {
      for (;;) {
        if (this.#cursor === undefined) {
          // Blind until now, so the cache is empty: nothing before the head needs dropping.
          this.#cursor = (await this.log.head(this.db)).last;
          this.#release();
          return;
        }
        const page = await this.log.touched(this.db, this.#cursor, CATCH_UP_PAGE);
        if (page.gone) {
          this.cache.clear();
          this.#local.clear();
        } else
          for (const { id, secretId, names } of page.touched) {
            // Dropping a change made here again would only drop what was read since.
            if (!this.#local.delete(id)) this.cache.invalidate(secretId, names);
          }
        this.#cursor = page.cursor;
        this.#release();
        if (page.gone || !page.more) return;
      }
    } catch (error) {
      rethrowDatabaseError(error, this.location);
    }
  }

  /** The change table could not be read: serve nothing, and try again in a while. */
  #blindAfter(error: unknown): void {
    const heard = this.#heard;
    this.lost();
    const losses = this.#losses;
    this.logger.warn("metadata cache: cannot read the change feed; reads go to the database", {
      error: error instanceof Error ? error.message : String(error),
    });
    if (this.#closed || this.#retry || heard === undefined) return;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      // The feed is still heard (it reported no loss, and no news either): catch up, trust again.
      if (!this.#closed && this.#heard === undefined && losses === this.#losses) this.heard(heard);
    }, RETRY_MS);
    this.#retry.unref();
  }
}
