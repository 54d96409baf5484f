/**
 * Column types and migrations that mean the same thing on SQLite, PostgreSQL and MySQL.
 *
 * Text that is compared, sorted or unique (names, ids) uses binary collation everywhere
 * (`COLLATE "C"` on PostgreSQL, `utf8mb4_bin` on MySQL, SQLite's default), so that "DB" and "db"
 * are different names and sorting is by code point on every database.
 */
import { type Kysely, type RawBuilder, sql } from "kysely";
import type { Migration, MigrationProvider } from "kysely/migration";
import type { Database, Dialect } from "./database.js";
import { rethrowDatabaseError } from "./errors.js";

export interface ColumnTypes {
  /** Identifiers (UUIDs, user names): short, exact, indexable. */
  key: RawBuilder<unknown>;
  /** Names: up to 255 characters, exact, indexable, sorted by code point. */
  name: RawBuilder<unknown>;
  /** Long text (JSON, ciphertext): up to 16 MiB on MySQL, unbounded elsewhere. */
  longText: RawBuilder<unknown>;
  /** Milliseconds since the epoch. */
  timestamp: RawBuilder<unknown>;
  /** 0 or 1. */
  flag: RawBuilder<unknown>;
  integer: RawBuilder<unknown>;
  /** Whole numbers beyond 2^31 (sequence numbers); read back as a string on PostgreSQL and MySQL. */
  bigInteger: RawBuilder<unknown>;
}

export function columnTypes(dialect: Dialect): ColumnTypes {
  switch (dialect) {
    case "postgres":
      return {
        key: sql`varchar(255) collate "C"`,
        name: sql`varchar(255) collate "C"`,
        longText: sql`text`,
        timestamp: sql`bigint`,
        flag: sql`smallint`,
        integer: sql`integer`,
        bigInteger: sql`bigint`,
      };
    case "mysql":
      return {
        key: sql`varchar(255) character set utf8mb4 collate utf8mb4_bin`,
        // 255 characters of 4 bytes each = 1020 bytes: within InnoDB's 3072-byte index limit.
        name: sql`varchar(255) character set utf8mb4 collate utf8mb4_bin`,
        longText: sql`mediumtext character set utf8mb4 collate utf8mb4_bin`,
        timestamp: sql`bigint`,
        flag: sql`smallint`,
        integer: sql`integer`,
        bigInteger: sql`bigint`,
      };
    case "sqlite":
      return {
        key: sql`text`,
        name: sql`text`,
        longText: sql`text`,
        timestamp: sql`integer`,
        flag: sql`integer`,
        integer: sql`integer`,
        bigInteger: sql`integer`,
      };
  }
}

// biome-ignore lint/suspicious/noExplicitAny: migrations work on tables that do not exist yet.
export type MigrationStep = (db: Kysely<any>, types: ColumnTypes, dialect: Dialect) => Promise<void>;

/**
 * Applies `steps` in name order, once each, recording them in `table`. Safe to run from several
 * processes at once: Kysely's migrator takes a lock row first.
 */
export async function migrate(
  database: Database,
  table: string,
  steps: Record<string, MigrationStep>,
): Promise<void> {
  // Every start of every process comes here, most of them with nothing to do: a single read of
  // the migrations table settles that, without taking the migration lock or loading the migrator.
  if (await allApplied(database, table, Object.keys(steps))) return;
  const { Migrator } = await import("kysely/migration");
  const types = columnTypes(database.dialect);
  const provider: MigrationProvider = {
    async getMigrations() {
      const migrations: Record<string, Migration> = {};
      for (const [name, step] of Object.entries(steps)) {
        migrations[name] = { up: (db) => step(db, types, database.dialect) };
      }
      return migrations;
    },
  };
  const migrator = new Migrator({
    db: database.db,
    provider,
    migrationTableName: table,
    migrationLockTableName: `${table}_lock`,
  });
  let result: Awaited<ReturnType<InstanceType<typeof Migrator>["migrateToLatest"]>>;
  try {
    result = await migrator.migrateToLatest();
  } catch (error) {
    rethrowDatabaseError(error, database.location);
  }
  if (result.error) rethrowDatabaseError(result.error, database.location);
}

async function allApplied(database: Database, table: string, names: string[]): Promise<boolean> {
  try {
    const { rows } = await sql<{ name: string }>`select name from ${sql.table(table)}`.execute(database.db);
    const applied = new Set(rows.map((row) => row.name));
    return names.every((name) => applied.has(name));
  } catch {
    // No migrations table yet (a new database) or unreachable: the migrator sorts it out and
    // reports a real problem properly.
    return false;
  }
}
