/**
 * The migration journal, in the metadata database: one row per migration (its target, when it
 * started and finished) and one row per secret it handled (copied, already there, or failed, and
 * whether the read-back matched). `coffer migrate` resumes from it after a kill -9: ids the
 * journal holds as verified are not copied again, and a copy that landed in the target without
 * reaching the journal is found there by its keyed hash ("already there"), never written twice.
 *
 * The tables have their own migrations table (like cursor-key.ts), so a deployment that never
 * migrates never has them.
 */
import { type Database, type MigrationStep, migrate } from "@coffer/sql";
import type { Kysely } from "kysely";

export type ItemOutcome = "copied" | "already" | "failed";

interface MigrationRow {
  id: string;
  /** What the target is, without credentials: store type and a hash of its options. */
  target: string;
  started_at: number;
  /** null while the migration runs (or was killed). */
  finished_at: number | null;
}

interface ItemRow {
  migration_id: string;
  secret_id: string;
  outcome: ItemOutcome;
  /** 1 once the target's copy was read back and matched the source. */
  verified: number;
  code: string | null;
}

interface JournalTables {
  coffer_migrations: MigrationRow;
  coffer_migration_items: ItemRow;
}

const migrations: Record<string, MigrationStep> = {
  async "0001_migration_journal"(db, t) {
    await db.schema
      .createTable("coffer_migrations")
      .addColumn("id", t.key, (c) => c.primaryKey())
      .addColumn("target", t.key, (c) => c.notNull())
      .addColumn("started_at", t.timestamp, (c) => c.notNull())
      .addColumn("finished_at", t.timestamp)
      .execute();
    await db.schema
      .createTable("coffer_migration_items")
      .addColumn("migration_id", t.key, (c) => c.notNull())
      .addColumn("secret_id", t.key, (c) => c.notNull())
      .addColumn("outcome", t.key, (c) => c.notNull())
      .addColumn("verified", t.flag, (c) => c.notNull())
      .addColumn("code", t.key)
      .addPrimaryKeyConstraint("coffer_migration_items_pk", ["migration_id", "secret_id"])
      .execute();
  },
};

export interface JournalItem {
  id: string;
  outcome: ItemOutcome;
  verified: boolean;
  code?: string;
}

export class MigrationJournal {
  readonly #db: Kysely<JournalTables>;

  private constructor(
    database: Database,
    readonly migrationId: string,
    readonly resumed: boolean,
  ) {
    this.#db = database.db as Kysely<JournalTables>;
  }

  /**
   * The unfinished migration to `target`, or a new one. `fresh` starts again even when one is
   * unfinished (its rows stay, for the record).
   */
  static async open(
    database: Database,
    target: string,
    newId: string,
    now: number,
  ): Promise<MigrationJournal> {
    await migrate(database, "coffer_migration_migrations", migrations);
    const db = database.db as Kysely<JournalTables>;
    const open = await db
      .selectFrom("coffer_migrations")
      .select("id")
      .where("target", "=", target)
      .where("finished_at", "is", null)
      .orderBy("started_at", "desc")
      .executeTakeFirst();
    if (open) return new MigrationJournal(database, open.id, true);
    await db
      .insertInto("coffer_migrations")
      .values({ id: newId, target, started_at: now, finished_at: null })
      .execute();
    return new MigrationJournal(database, newId, false);
  }

  /** The unfinished migration to `target`, if any, without creating tables or rows (dry runs). */
  static async peek(database: Database, target: string): Promise<{ id: string; items: number } | undefined> {
    const db = database.db as Kysely<JournalTables>;
    try {
      const open = await db
        .selectFrom("coffer_migrations")
        .select("id")
        .where("target", "=", target)
        .where("finished_at", "is", null)
        .executeTakeFirst();
      if (!open) return undefined;
      const count = await db
        .selectFrom("coffer_migration_items")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("migration_id", "=", open.id)
        .executeTakeFirstOrThrow();
      return { id: open.id, items: Number(count.n) };
    } catch {
      // No journal tables yet: no migration ever ran here.
      return undefined;
    }
  }

  /** What the journal holds for these ids. */
  async items(ids: readonly string[]): Promise<Map<string, JournalItem>> {
    const found = new Map<string, JournalItem>();
    if (ids.length === 0) return found;
    const rows = await this.#db
      .selectFrom("coffer_migration_items")
      .selectAll()
      .where("migration_id", "=", this.migrationId)
      .where("secret_id", "in", ids)
      .execute();
    for (const row of rows) found.set(row.secret_id, toItem(row));
    return found;
  }

  /** Every item recorded, in id order (the final report). */
  async all(): Promise<JournalItem[]> {
    const rows = await this.#db
      .selectFrom("coffer_migration_items")
      .selectAll()
      .where("migration_id", "=", this.migrationId)
      .orderBy("secret_id")
      .execute();
    return rows.map(toItem);
  }

  /** Records (or replaces) the outcome of a batch, in one transaction. */
  async record(items: readonly JournalItem[]): Promise<void> {
    if (items.length === 0) return;
    await this.#db.transaction().execute(async (tx) => {
      await tx
        .deleteFrom("coffer_migration_items")
        .where("migration_id", "=", this.migrationId)
        .where(
          "secret_id",
          "in",
          items.map((item) => item.id),
        )
        .execute();
      await tx
        .insertInto("coffer_migration_items")
        .values(
          items.map((item) => ({
            migration_id: this.migrationId,
            secret_id: item.id,
            outcome: item.outcome,
            verified: item.verified ? 1 : 0,
            code: item.code ?? null,
          })),
        )
        .execute();
    });
  }

  /** Ids recorded for secrets that no longer exist (deleted during the migration). */
  async forget(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.#db
      .deleteFrom("coffer_migration_items")
      .where("migration_id", "=", this.migrationId)
      .where("secret_id", "in", ids)
      .execute();
  }

  async finish(now: number): Promise<void> {
    await this.#db
      .updateTable("coffer_migrations")
      .set({ finished_at: now })
      .where("id", "=", this.migrationId)
      .execute();
  }
}

function toItem(row: ItemRow): JournalItem {
  return {
    id: row.secret_id,
    outcome: row.outcome,
    verified: row.verified === 1,
    ...(row.code ? { code: row.code } : {}),
  };
}
