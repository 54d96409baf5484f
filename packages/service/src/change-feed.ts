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
}

/** What a follower gets: a page of events (maybe none, when only its position moved) or `gone`. */
export type ChangeBatch = ChangePage;

export class ChangeFeed {
  readonly #db: Kysely<MetadataTables>;
  readonly #listeners = new Set<() => void>();
  readonly #pollMs: number;
  #source: Promise<{ stop(): Promise<void> } | undefined> | undefined;
  #closed = false;

  constructor(
    private readonly database: Database,
    private readonly log: ChangeLog,
    private readonly logger: Logger,
    options: ChangeFeedOptions = {},
  ) {
    this.#db = database.db as Kysely<MetadataTables>;
    this.#pollMs = options.pollMs ?? (database.dialect === "sqlite" ? 100 : 250);
  }

  /** Called by the repository after a change committed in this process. */
  committed(): void {
    for (const listener of this.#listeners) listener();
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
          yield page;
        }
        if (!page.gone && page.more) woken = true;
      }
    } finally {
      signal.removeEventListener("abort", onAbort);
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.#stopSource();
    }
  }

  /** Stops listening and polling and ends every follower. */
  async close(): Promise<void> {
    this.#closed = true;
    this.committed();
    await this.#stopSource();
  }

  #startSource(): void {
    if (this.#source || this.#closed) return;
    this.#source = this.#openSource().catch((error: unknown) => {
      // Followers still hear this process's changes; others' arrive once a later start works.
      this.logger.warn("change feed: cannot watch for other processes' changes", {
        error: error instanceof Error ? error.message : String(error),
      });
      this.#source = undefined;
      return undefined;
    });
  }

  async #stopSource(): Promise<void> {
    const source = this.#source;
    this.#source = undefined;
    await (await source)?.stop();
  }

  async #openSource(): Promise<{ stop(): Promise<void> }> {
    if (this.database.listen) {
      const listening: Listening = await this.database.listen({
        channel: CHANGES_CHANNEL,
        onNotify: () => this.committed(),
        onReconnect: () => this.committed(),
        onProblem: (error) =>
          this.logger.warn("change feed: the LISTEN connection failed; reconnecting", {
            error: error instanceof Error ? error.message : String(error),
          }),
      });
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
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      probe()
        .then((now) => {
          if (now !== last) {
            last = now;
            this.committed();
          }
        })
        .catch(() => undefined)
        .finally(() => {
          running = false;
        });
    }, this.#pollMs);
    // Not unref'd: a follower waiting for changes keeps its process alive, as a socket being read
    // would (`coffer secret watch` has nothing else); the poll runs only while someone follows.
    return { stop: async () => clearInterval(timer) };
  }
}
