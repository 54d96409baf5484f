/**
 * Opens a database from a URL and hands out one shared handle per URL, so the metadata database
 * and the sql store (which by default live in the same database) share a connection pool — and,
 * for SQLite, one connection, which is what makes an in-memory database work at all.
 *
 *   sqlite:///var/lib/coffer/coffer.db   an absolute path (three slashes)
 *   sqlite://data/coffer.db              a path relative to the working directory
 *   sqlite://:memory:                    an in-memory database (tests)
 *   postgres://user:pass@host:5432/db    PostgreSQL (postgresql:// too)
 *   mysql://user:pass@host:3306/db       MySQL or MariaDB (mariadb:// too)
 *
 * Query parameters for PostgreSQL and MySQL (see server-pools.ts for what each one bounds):
 *   poolSize=10            connections in the pool
 *   connectTimeoutMs=5000  connecting, or waiting for a pooled connection
 *   queryTimeoutMs=10000   one statement
 *   lockTimeoutMs=5000     waiting for a lock
 * A database that stops answering then costs a BackendUnavailableError after at most these
 * times, never a request that hangs until its client gives up.
 */
import path from "node:path";
import { InvalidConfigError } from "@coffer/core";
import { Kysely, MysqlDialect, PostgresDialect, SqliteDialect } from "kysely";
import { type Listening, type ListenOptions, listenPostgres } from "./pg-listen.js";
import { createMysqlPool, createPgPool } from "./server-pools.js";
import { openSqlite } from "./sqlite.js";

export type Dialect = "sqlite" | "postgres" | "mysql";

export interface Database {
  // biome-ignore lint/suspicious/noExplicitAny: each user types its own tables with withTables<T>().
  readonly db: Kysely<any>;
  readonly dialect: Dialect;
  /** The URL with any password hidden, for messages and logs. */
  readonly location: string;
  /**
   * PostgreSQL only: LISTEN on `channel` over a connection of its own (pg-listen.ts); undefined
   * on SQLite and MySQL, which have no notifications (their readers poll).
   */
  readonly listen?: (options: Omit<ListenOptions, "driverUrl" | "connectTimeoutMs">) => Promise<Listening>;
  /** Gives the handle back; the connection closes when the last holder has released it. */
  close(): Promise<void>;
}

interface Shared {
  // biome-ignore lint/suspicious/noExplicitAny: see Database.db.
  db: Kysely<any>;
  dialect: Dialect;
  location: string;
  holders: number;
}

const open = new Map<string, Shared>();

export interface ParsedDatabaseUrl {
  dialect: Dialect;
  /** For SQLite: the file path or ":memory:". */
  file?: string;
  /** For servers: the URL handed to the driver (without Coffer's own parameters). */
  driverUrl?: string;
  poolSize: number;
  /** Timeouts in milliseconds (servers only; SQLite has its busy timeout). */
  connectTimeoutMs: number;
  queryTimeoutMs: number;
  lockTimeoutMs: number;
  location: string;
}

/** The defaults of the URL's timeout parameters, in milliseconds. */
export const DEFAULT_TIMEOUTS = { connectTimeoutMs: 5_000, queryTimeoutMs: 10_000, lockTimeoutMs: 5_000 };
const TIMEOUT_PARAMETERS = Object.keys(DEFAULT_TIMEOUTS) as Array<keyof typeof DEFAULT_TIMEOUTS>;

export function parseDatabaseUrl(url: string, cwd = process.cwd()): ParsedDatabaseUrl {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === "sqlite") {
    const rest = url.slice("sqlite:".length).replace(/^\/\//, "");
    if (rest === "") throw badUrl(url, "the SQLite file path is missing");
    const file = rest === ":memory:" ? ":memory:" : path.resolve(cwd, decodeURIComponent(rest));
    return { dialect: "sqlite", file, poolSize: 1, ...DEFAULT_TIMEOUTS, location: `sqlite://${file}` };
  }
  if (scheme === "postgres" || scheme === "postgresql" || scheme === "mysql" || scheme === "mariadb") {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw badUrl(url, "it is not a valid URL");
    }
    const poolSize = Number(parsed.searchParams.get("poolSize") ?? 10);
    if (!Number.isInteger(poolSize) || poolSize < 1) throw badUrl(url, "poolSize must be a whole number ≥ 1");
    parsed.searchParams.delete("poolSize");
    const timeouts = { ...DEFAULT_TIMEOUTS };
    for (const name of TIMEOUT_PARAMETERS) {
      const given = parsed.searchParams.get(name);
      if (given === null) continue;
      const value = Number(given);
      if (!Number.isInteger(value) || value < 1 || value > 3_600_000) {
        throw badUrl(url, `${name} must be a whole number of milliseconds from 1 to 3600000`);
      }
      timeouts[name] = value;
      parsed.searchParams.delete(name);
    }
    const location = redactUrl(parsed);
    if (scheme === "mariadb") parsed.protocol = "mysql:";
    return {
      dialect: scheme.startsWith("postgres") ? "postgres" : "mysql",
      driverUrl: parsed.toString(),
      poolSize,
      ...timeouts,
      location,
    };
  }
  throw badUrl(url, "the scheme must be sqlite://, postgres:// or mysql://");
}

/** Opens (or shares) the database at `url`. */
export function openDatabase(url: string): Database {
  const parsed = parseDatabaseUrl(url);
  const key = parsed.file ?? parsed.driverUrl!;
  let shared = open.get(key);
  if (!shared) {
    shared = { db: createKysely(parsed), dialect: parsed.dialect, location: parsed.location, holders: 0 };
    open.set(key, shared);
  }
  shared.holders++;
  let released = false;
  const handle = shared;
  const { driverUrl, connectTimeoutMs } = parsed;
  return {
    db: handle.db,
    dialect: handle.dialect,
    location: handle.location,
    ...(parsed.dialect === "postgres"
      ? { listen: (options) => listenPostgres({ ...options, driverUrl: driverUrl!, connectTimeoutMs }) }
      : {}),
    async close() {
      if (released) return;
      released = true;
      handle.holders--;
      if (handle.holders === 0) {
        open.delete(key);
        await handle.db.destroy();
      }
    },
  };
}

// biome-ignore lint/suspicious/noExplicitAny: see Database.db.
function createKysely(parsed: ParsedDatabaseUrl): Kysely<any> {
  switch (parsed.dialect) {
    case "sqlite":
      // The file is opened on first use, so a bad path fails on the first query, not here.
      return new Kysely({ dialect: new SqliteDialect({ database: async () => openSqlite(parsed.file!) }) });
    case "postgres":
      // Drivers load when the first connection is made, so the embedded default never pays for them.
      return new Kysely({ dialect: new PostgresDialect({ pool: () => createPgPool(poolSettings(parsed)) }) });
    case "mysql":
      return new Kysely({ dialect: new MysqlDialect({ pool: () => createMysqlPool(poolSettings(parsed)) }) });
  }
}

function poolSettings(parsed: ParsedDatabaseUrl) {
  return {
    driverUrl: parsed.driverUrl!,
    poolSize: parsed.poolSize,
    connectTimeoutMs: parsed.connectTimeoutMs,
    queryTimeoutMs: parsed.queryTimeoutMs,
    lockTimeoutMs: parsed.lockTimeoutMs,
  };
}

function redactUrl(url: URL): string {
  const copy = new URL(url.toString());
  if (copy.password) copy.password = "***";
  return copy.toString();
}

function badUrl(url: string, problem: string): InvalidConfigError {
  const shown = url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
  return new InvalidConfigError(`The database URL '${shown}' is not usable: ${problem}.`, {
    hint: "Use sqlite:///path/to/coffer.db, postgres://user:pass@host:5432/db or mysql://user:pass@host:3306/db.",
    details: { variable: "COFFER_DATABASE_URL" },
  });
}
