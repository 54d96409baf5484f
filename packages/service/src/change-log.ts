/**
 * The change feed's table (coffer_changes): every committed change of a secret's metadata —
 * create, update, rollback, rename, visibility, delete — as one row with a sequence number, written
 * in the same transaction as the change itself (metadata.ts), so that an event exists exactly when
 * its change does. Never a value: name, owner, visibility, version and action only.
 *
 * Order. The number comes from a counter row that each appending transaction updates first: the
 * row lock it takes is held until commit, so numbers are handed out and committed in one order on
 * every database. (A sequence or auto-increment would not do: on PostgreSQL and MySQL a later
 * number can commit before an earlier one, and a reader that already moved past the later would
 * never see the earlier.) A reader reads the counter first and then only rows up to it, all of
 * which are committed.
 *
 * Retention. Rows older than `retention.ms` (7 days) or beyond the newest `retention.events`
 * (100,000) are pruned now and then by the appending transaction, which records the highest number
 * it removed (`pruned_through`). A reader resuming from before that number gets `gone` — told to
 * resync — rather than a feed with a silent hole in it.
 */
import type { Dialect } from "@coffer/sql";
import { type Kysely, sql, type Transaction } from "kysely";
import type { ChangeRow, MetadataTables, SecretRow } from "./schema.js";

export type ChangeAction = "create" | "update" | "rollback" | "rename" | "visibility" | "delete";

/** What a change records: the row as committed, and the name and visibility it had before. */
export interface ChangeNote {
  action: ChangeAction;
  /** The row before the change (for the prior name and visibility); the committed row follows. */
  before?: Pick<SecretRow, "name" | "private">;
}

/**
 * One event as its reader may see it. `hidden`: the secret became private (or was renamed while
 * becoming private) and the reader is not its owner — the event carries only the id and the name
 * the reader knew it by, and says that it is gone from their view, like a delete.
 */
export interface SecretChangeEvent {
  id: number;
  secretId: string;
  action: ChangeAction | "hidden";
  name: string;
  /** Absent on `hidden` events (the secret is no longer the reader's to know about). */
  owner?: string;
  private?: boolean;
  version?: number;
  /** On a rename the reader saw: the name before. */
  previousName?: string;
  at: Date;
}

export interface ChangeRetention {
  /** Events kept at most (default 100,000). */
  events: number;
  /** How long an event is kept at most, in milliseconds (default 7 days). */
  ms: number;
}

export const DEFAULT_RETENTION: ChangeRetention = { events: 100_000, ms: 7 * 24 * 3600 * 1000 };

/** The PostgreSQL NOTIFY channel a committed change is announced on (its id as the payload). */
export const CHANGES_CHANNEL = "coffer_changes";

export type ChangePage =
  | { gone: false; events: SecretChangeEvent[]; cursor: number; more: boolean }
  /** The reader's position was pruned (or is beyond the feed): resync, then follow from `cursor`. */
  | { gone: true; cursor: number; oldest: number };

export class ChangeLog {
  readonly #pruneEvery: number;

  constructor(
    private readonly dialect: Dialect,
    private readonly retention: ChangeRetention = DEFAULT_RETENTION,
  ) {
    this.#pruneEvery = Math.max(1, Math.min(256, Math.floor(retention.events / 4)));
  }

  /** Appends the event for `row` as committed, inside the caller's transaction; returns its id. */
  async append(trx: Transaction<MetadataTables>, row: SecretRow, note: ChangeNote, now: number) {
    await trx
      .updateTable("coffer_change_counter")
      .set((eb) => ({ last_id: eb("last_id", "+", 1) }))
      .where("id", "=", "feed")
      .execute();
    const { last_id } = await trx
      .selectFrom("coffer_change_counter")
      .select("last_id")
      .where("id", "=", "feed")
      .executeTakeFirstOrThrow();
    const id = Number(last_id);
    const moved = note.before && (note.before.name !== row.name || note.before.private !== row.private);
    await trx
      .insertInto("coffer_changes")
      .values({
        id,
        secret_id: row.id,
        name: row.name,
        owner: row.owner,
        private: Number(row.private),
        version: Number(row.version),
        action: note.action,
        at: now,
        prior_name: moved ? note.before!.name : null,
        prior_private: moved ? Number(note.before!.private) : null,
      })
      .execute();
    if (id % this.#pruneEvery === 0) await this.#prune(trx, id, now);
    // Delivered at commit, to every process listening (change-feed.ts).
    if (this.dialect === "postgres")
      await sql`select pg_notify(${CHANGES_CHANNEL}, ${String(id)})`.execute(trx);
    return id;
  }

  async #prune(trx: Transaction<MetadataTables>, last: number, now: number) {
    const aged = await trx
      .selectFrom("coffer_changes")
      .select((eb) => eb.fn.max("id").as("id"))
      .where("at", "<", now - this.retention.ms)
      .executeTakeFirst();
    const cut = Math.max(last - this.retention.events, Number(aged?.id ?? 0));
    if (cut <= 0) return;
    await trx.deleteFrom("coffer_changes").where("id", "<=", cut).execute();
    await trx
      .updateTable("coffer_change_counter")
      .set({ pruned_through: cut })
      .where("id", "=", "feed")
      .where("pruned_through", "<", cut)
      .execute();
  }

  /** The newest id and the highest pruned one. */
  async head(db: Kysely<MetadataTables>): Promise<{ last: number; prunedThrough: number }> {
    const row = await db
      .selectFrom("coffer_change_counter")
      .select(["last_id", "pruned_through"])
      .where("id", "=", "feed")
      .executeTakeFirst();
    return { last: Number(row?.last_id ?? 0), prunedThrough: Number(row?.pruned_through ?? 0) };
  }

  /**
   * Up to `limit` events after `since` that `actorId` may see: public secrets, the actor's own,
   * and — as `hidden` — public ones that became private. The cursor moves past events the actor
   * may not see too, so a quiet reader does not fall behind the pruning.
   */
  async read(db: Kysely<MetadataTables>, actorId: string, since: number, limit: number): Promise<ChangePage> {
    const head = await this.head(db);
    if (since < head.prunedThrough || since > head.last)
      return { gone: true, cursor: head.last, oldest: head.prunedThrough + 1 };
    if (since === head.last) return { gone: false, events: [], cursor: since, more: false };
    const rows = await db
      .selectFrom("coffer_changes")
      .selectAll()
      .where("id", ">", since)
      .where("id", "<=", head.last)
      .where((eb) => eb.or([eb("private", "=", 0), eb("owner", "=", actorId), eb("prior_private", "=", 0)]))
      .orderBy("id")
      .limit(limit)
      .execute();
    const full = rows.length === limit;
    return {
      gone: false,
      events: rows.map((row) => eventFor(row, actorId)),
      cursor: full ? Number(rows.at(-1)!.id) : head.last,
      more: full,
    };
  }

  /**
   * What changed after `since`, whoever may see it — secret ids and the names involved, for the
   * metadata cache to drop (cache-coherence.ts). `gone` as in `read`.
   */
  async touched(db: Kysely<MetadataTables>, since: number, limit: number): Promise<TouchedPage> {
    const head = await this.head(db);
    if (since < head.prunedThrough || since > head.last) return { gone: true, cursor: head.last };
    if (since === head.last) return { gone: false, touched: [], cursor: since, more: false };
    const rows = await db
      .selectFrom("coffer_changes")
      .select(["id", "secret_id", "name", "prior_name"])
      .where("id", ">", since)
      .where("id", "<=", head.last)
      .orderBy("id")
      .limit(limit)
      .execute();
    const full = rows.length === limit;
    return {
      gone: false,
      touched: rows.map((row) => ({
        id: Number(row.id),
        secretId: row.secret_id,
        names: [row.name, row.prior_name],
      })),
      cursor: full ? Number(rows.at(-1)!.id) : head.last,
      more: full,
    };
  }
}

/** The secrets changed after a position, and the names each had before and after. */
export type TouchedPage =
  | {
      gone: false;
      touched: Array<{ id: number; secretId: string; names: Array<string | null> }>;
      cursor: number;
      more: boolean;
    }
  | { gone: true; cursor: number };

function eventFor(row: ChangeRow, actorId: string): SecretChangeEvent {
  const id = Number(row.id);
  const at = new Date(Number(row.at));
  if (Number(row.private) === 1 && row.owner !== actorId) {
    return { id, secretId: row.secret_id, action: "hidden", name: row.prior_name ?? row.name, at };
  }
  const renamed = row.prior_name !== null && row.prior_name !== row.name;
  // A name the reader never saw (the secret was someone else's private one) is not theirs to learn.
  const sawBefore = row.prior_private === 0 || row.owner === actorId;
  return {
    id,
    secretId: row.secret_id,
    action: row.action as ChangeAction,
    name: row.name,
    owner: row.owner,
    private: Number(row.private) === 1,
    version: Number(row.version),
    ...(renamed && sawBefore ? { previousName: row.prior_name! } : {}),
    at,
  };
}
