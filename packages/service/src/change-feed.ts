/**
 * Following the change feed (change-log.ts): reading events since an id as one actor may see them,
 * and waking readers up when something was committed —
 *   in this process  at once, when the repository commits a change (metadata.ts)
 *   PostgreSQL       LISTEN/NOTIFY on a connection of its own: other processes' commits, at once
 *   SQLite           polling `PRAGMA data_version`, which changes when another connection (another
 *                    process) committed: a poll costs no table read
 *   MySQL            polling the counter row (one primary-key read)
 * Wake-ups only say "look again"; each reader then reads the table from its own position, so a
 * lost or duplicated wake-up costs latency at worst, never an event. Nothing listens or polls
 * while no one follows the feed.
 *
 * Watchers (the metadata cache's follower, cache-coherence.ts) also hear whether other processes'
 * changes are being heard at all: a cache must stop serving while they may be missed, where a
 * follower of the feed only loses latency.
 */
import type { Logger } from "@coffer/core";
import { type Database, type Listening, rethrowDatabaseError } from "@coffer/sql";
import { type Kysely, sql } from "kysely";
import { CHANGES_CHANNEL, type ChangeLog, type ChangePage } from "./change-log.js";
import type { MetadataTables } from "./schema.js";

/** Most events one read returns; a reader further behind reads again at once. */
export const CHANGE_PAGE_SIZE = 500;

export interface ChangeFeedOptions {
  /** How often SQLite and MySQL look for other processes' changes (default 100 ms / 250 ms). */
  pollMs?: number;
  /** Test hook: runs before each poll; throwing fails the poll, never settling stops the polls. */
  beforePoll?(): void | Promise<void>;
}

/** What a follower gets: a page of events (maybe none, when only its position moved) or `gone`. */
export type ChangeBatch = ChangePage;

/** Hears about other processes' changes, and about whether they are being heard at all. */
export interface FeedWatcher {
  /** Other processes' changes are heard: continuously (LISTEN), or as of this poll. */
  heard(how: "listening" | "polled"): void;
  /** They may be missed from now on: the LISTEN connection dropped, a poll failed, no source. */
  lost(): void;
  /** Another process may have committed a change. */
  changed(): void;
  /** Resolves once the watcher has taken in every change up to event `id` (followers wait on it). */
  caughtUp?(id: number): Promise<void>;
}

/** The longest a follower's batch waits for the watchers to catch up (they never lag this much). */
const WATCHER_WAIT_MS = 2_000;

/** How long a failed start of the LISTEN connection or the poll waits before a watcher's retry. */
const SOURCE_RETRY_MS = 1_000;

/**
 * The feeds of the services in this process, by the database handle they share (@coffer/sql hands
 * out one per URL): a commit through one service is another's "other process" — and on SQLite a
 * shared connection never sees its own commits move `data_version`.
 */
const feedsByHandle = new WeakMap<object, Set<ChangeFeed>>();

export class ChangeFeed {
  readonly #db: Kysely<MetadataTables>;
  readonly #listeners = new Set<() => void>();
  readonly #watchers = new Set<FeedWatcher>();
  readonly #pollMs: number;
  readonly #beforePoll: (() => void | Promise<void>) | undefined;
  #source: Promise<{ stop(): Promise<void> } | undefined> | undefined;
  /** The poll's timer: it keeps the process alive only while a follower waits (see #keepAlive). */
  #pollTimer: NodeJS.Timeout | undefined;
  #listening = false;
  #retry: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(
    private readonly database: Database,
    private readonly log: ChangeLog,
    private readonly logger: Logger,
    options: ChangeFeedOptions = {},
  ) {
    this.#db = database.db as Kysely<MetadataTables>;
    this.#pollMs = options.pollMs ?? (database.dialect === "sqlite" ? 100 : 250);
    this.#beforePoll = options.beforePoll;
    const peers = feedsByHandle.get(database.db);
    if (peers) peers.add(this);
    else feedsByHandle.set(database.db, new Set([this]));
  }

  /** How often SQLite and MySQL poll (a watcher's lease on a poll is a few of these). */
  get pollMs(): number {
    return this.#pollMs;
  }

  /** Called by the repository after a change committed through this service. */
  committed(): void {
    this.#wake();
    for (const peer of feedsByHandle.get(this.database.db) ?? []) {
      if (peer !== this) peer.#othersCommitted();
    }
  }

  #wake(): void {
    for (const listener of this.#listeners) listener();
  }

  /** Another process committed (a NOTIFY, or a poll that found the database changed). */
  #othersCommitted(): void {
    this.#wake();
    for (const watcher of this.#watchers) watcher.changed();
  }

  #heard(how: "listening" | "polled"): void {
    this.#listening = how === "listening";
    for (const watcher of this.#watchers) watcher.heard(how);
  }

  #lost(): void {
    this.#listening = false;
    for (const watcher of this.#watchers) watcher.lost();
  }

  /**
   * Starts hearing other processes' changes for `watcher` until the returned stop is called. The
   * watcher is told `lost` first: it must not trust anything until it is told `heard`.
   */
  watch(watcher: FeedWatcher): () => Promise<void> {
    this.#watchers.add(watcher);
    watcher.lost();
    if (this.#listening) watcher.heard("listening");
    this.#startSource();
    return async () => {
      this.#watchers.delete(watcher);
      if (this.#watchers.size === 0 && this.#listeners.size === 0) await this.#stopSource();
    };
  }

  async #run<T>(query: () => Promise<T>): Promise<T> {
    try {
      return await query();
    } catch (error) {
      rethrowDatabaseError(error, this.database.location);
    }
  }

  /** The newest event id (where a new follower starts). */
  async head(): Promise<number> {
    return (await this.#run(() => this.log.head(this.#db))).last;
  }

  /** Events after `since` as `actorId` may see them. */
  async read(actorId: string, since: number, limit = CHANGE_PAGE_SIZE): Promise<ChangePage> {
    return this.#run(() => this.log.read(this.#db, actorId, since, limit));
  }

  /**
   * Follows the feed for `actorId` from `since` (default: now) until `signal` aborts: first a batch
   * with no events that gives the starting position, then a batch whenever the position moves.
   * After `gone` it carries on from the newest event.
   */
  async *follow(
    actorId: string,
    since: number | undefined,
    signal: AbortSignal,
  ): AsyncGenerator<ChangeBatch> {
    let cursor = since ?? (await this.head());
    let woken = true;
    let wake: (() => void) | undefined;
    const listener = () => {
      woken = true;
      wake?.();
    };
    const onAbort = () => wake?.();
    this.#listeners.add(listener);
    this.#keepAlive();
    signal.addEventListener("abort", onAbort);
    this.#startSource();
    try {
      if (since === undefined) yield { gone: false, events: [], cursor, more: false };
      while (!signal.aborted && !this.#closed) {
        if (!woken) await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        if (signal.aborted || this.#closed) return;
        // Cleared before the read: a change committed during it wakes the next round.
        woken = false;
        const page = await this.read(actorId, cursor);
        if (page.gone || page.events.length > 0 || page.cursor !== cursor) {
          cursor = page.cursor;
          // A follower that hears of a change and then reads through this service must not find
          // it missing from the read cache: the watchers take it in first.
          if (!page.gone && page.events.length > 0) await this.#watchersAt(page.cursor);
          yield page;
        }
        if (!page.gone && page.more) woken = true;
      }
    } finally {
      signal.removeEventListener("abort", onAbort);
      this.#listeners.delete(listener);
      this.#keepAlive();
      if (this.#listeners.size === 0 && this.#watchers.size === 0) this.#stopSource();
    }
  }

  /** Stops listening and polling and ends every follower. */
  async close(): Promise<void> {
    this.#closed = true;
    feedsByHandle.get(this.database.db)?.delete(this);
    this.#wake();
    this.#watchers.clear();
    await this.#stopSource();
  }

  async #watchersAt(id: number): Promise<void> {
    const waits = [...this.#watchers].map((watcher) => watcher.caughtUp?.(id));
    if (waits.every((wait) => wait === undefined)) return;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, WATCHER_WAIT_MS);
    });
    await Promise.race([Promise.all(waits), late]);
    clearTimeout(timer);
  }

  /** A follower waiting for changes keeps the process alive; a watcher alone does not. */
  #keepAlive(): void {
    if (this.#listeners.size > 0) this.#pollTimer?.ref();
    else this.#pollTimer?.unref();
  }

  #startSource(): void {
    if (this.#source || this.#closed) return;
    this.#source = this.#openSource().catch((error: unknown) => {
      // Followers still hear this process's changes; others' arrive once a later start works.
      this.logger.warn("change feed: cannot watch for other processes' changes", {
        error: error instanceof Error ? error.message : String(error),
      });
      this.#source = undefined;
      this.#lost();
      // A watcher (the metadata cache) stays blind until a start works: try again.
      if (this.#watchers.size > 0 && !this.#closed && !this.#retry) {
        this.#retry = setTimeout(() => {
          this.#retry = undefined;
          if (this.#watchers.size > 0) this.#startSource();
        }, SOURCE_RETRY_MS);
        this.#retry.unref();
      }
      return undefined;
    });
  }

  async #stopSource(): Promise<void> {
    clearTimeout(this.#retry);
    this.#retry = undefined;
    const source = this.#source;
    this.#source = undefined;
    await (await source)?.stop();
    this.#lost();
  }

  async #openSource(): Promise<{ stop(): Promise<void> }> {
    if (this.database.listen) {
      const listening: Listening = await this.database.listen({
        channel: CHANGES_CHANNEL,
        onNotify: () => this.#othersCommitted(),
        // Notifications sent while the connection was down are lost: watchers catch up.
        onReconnect: () => {
          this.#heard("listening");
          this.#othersCommitted();
        },
        onProblem: (error) => {
          this.#lost();
          this.logger.warn("change feed: the LISTEN connection failed; reconnecting", {
            error: error instanceof Error ? error.message : String(error),
          });
        },
      });
      this.#heard("listening");
      // A change committed while the connection was being made was not announced to it: followers
      // that read before it committed look again.
      this.#wake();
      return { stop: () => listening.close() };
    }
    if (this.database.dialect === "postgres") {
      this.logger.warn("change feed: this PostgreSQL handle cannot LISTEN; polling for changes instead");
    }
    const probe =
      this.database.dialect === "sqlite"
        ? async () =>
            String(
              (await sql<{ data_version: number }>`pragma data_version`.execute(this.#db)).rows[0]
                ?.data_version,
            )
        : async () => String((await this.log.head(this.#db)).last);
    let last = await probe();
    this.#heard("polled");
    this.#wake();
    let running = false;
    let failing = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      Promise.resolve()
        .then(() => this.#beforePoll?.())
        .then(probe)
        .then((now) => {
          // After a failed poll the watchers caught nothing meanwhile: they look again.
          if (now !== last || failing) {
            last = now;
            this.#othersCommitted();
          }
          failing = false;
          this.#heard("polled");
        })
        .catch(() => {
          failing = true;
          this.#lost();
        })
        .finally(() => {
          running = false;
        });
    }, this.#pollMs);
    // Ref'd while a follower waits for changes: it keeps its process alive, as a socket being read
    // would (`coffer secret watch` has nothing else); a watcher alone (the cache) does not.
    this.#pollTimer = timer;
    this.#keepAlive();
    return {
      stop: async () => {
        clearInterval(timer);
        if (this.#pollTimer === timer) this.#pollTimer = undefined;
      },
    };
  }
}
