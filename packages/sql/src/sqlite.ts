/**
 * Kysely's SQLite dialect over Node's built-in `node:sqlite`, so the embedded default needs no
 * native addon to compile: nothing to build on install, nothing that breaks on a Node upgrade.
 * Kysely asks for a better-sqlite3-shaped database; this adapts DatabaseSync to that shape.
 */
import { chmodSync, existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import { BackendUnavailableError } from "@coffer/core";
import type { SqliteDatabase, SqliteStatement } from "kysely";

// Statements that return rows. Used only where node:sqlite lacks StatementSync#columns().
const READER = /^\s*(select|with|pragma|values|explain)\b|\breturning\b/i;

class NodeSqliteStatement implements SqliteStatement {
  readonly reader: boolean;

  constructor(
    private readonly statement: StatementSync,
    sql: string,
    private readonly fresh: () => StatementSync,
  ) {
    const columns = (statement as { columns?: () => unknown[] }).columns;
    this.reader = typeof columns === "function" ? columns.call(statement).length > 0 : READER.test(sql);
  }

  all(parameters: ReadonlyArray<unknown>): unknown[] {
    return this.statement.all(...toSqlite(parameters));
  }

  run(parameters: ReadonlyArray<unknown>): { changes: number | bigint; lastInsertRowid: number | bigint } {
    return this.statement.run(...toSqlite(parameters));
  }

  iterate(parameters: ReadonlyArray<unknown>): IterableIterator<unknown> {
    // A streaming read holds its statement until the caller stops iterating: use one of its own.
    return this.fresh().iterate(...toSqlite(parameters)) as IterableIterator<unknown>;
  }
}

/** How many prepared statements to keep: Coffer issues a few dozen distinct queries. */
const STATEMENT_CACHE_SIZE = 256;

class NodeSqliteDatabase implements SqliteDatabase {
  // Kysely prepares every query anew; parsing the SQL each time costs more than running a point
  // lookup. node:sqlite runs one statement at a time on this connection, so reuse is safe (only
  // `iterate`, which keeps a statement busy across calls, gets a fresh one — see below).
  readonly #statements = new Map<string, NodeSqliteStatement>();

  constructor(private readonly database: DatabaseSync) {}

  prepare(sql: string): SqliteStatement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = new NodeSqliteStatement(this.database.prepare(sql), sql, () => this.database.prepare(sql));
      if (this.#statements.size >= STATEMENT_CACHE_SIZE) {
        this.#statements.delete(this.#statements.keys().next().value!);
      }
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  close(): void {
    this.#statements.clear();
    if (this.database.isOpen) this.database.close();
  }
}

/**
 * Opens (creating if needed) a SQLite file for Kysely. The directory is created private to the
 * owner and the file is made readable by the owner only: it holds secret metadata and, for the
 * embedded default, the encrypted values.
 */
export function openSqlite(file: string): SqliteDatabase {
  let database: DatabaseSync;
  try {
    if (file !== ":memory:") {
      const directory = path.dirname(file);
      if (!existsSync(directory)) mkdirSync(directory, { recursive: true, mode: 0o700 });
    }
    database = new DatabaseSync(file);
    if (file !== ":memory:") chmodSync(file, 0o600);
  } catch (error) {
    const reason = (error as { errstr?: string }).errstr ?? (error as NodeJS.ErrnoException).code ?? "error";
    throw new BackendUnavailableError(`The SQLite database ${file} cannot be opened (${reason}).`, {
      hint: "Check that its directory exists or can be created, and that Coffer may write there (COFFER_DATA_DIR or COFFER_DATABASE_URL).",
      details: { database: file, reason },
      cause: error,
    });
  }
  // WAL lets readers proceed while one writer writes; busy_timeout makes a second process wait
  // for the lock instead of failing at once.
  database.exec("PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;");
  return new NodeSqliteDatabase(database);
}

function toSqlite(parameters: ReadonlyArray<unknown>): SQLInputValue[] {
  return parameters.map((value) => {
    if (value === undefined) return null;
    if (typeof value === "boolean") return value ? 1 : 0;
    if (value instanceof Date) return value.getTime();
    return value as SQLInputValue;
  });
}
