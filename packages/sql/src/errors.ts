/**
 * Database driver errors mapped onto Coffer's typed errors. Messages name the database (password
 * hidden) and the driver's code; they never include query parameters, which can hold values.
 */
import {
  BackendAccessDeniedError,
  BackendUnavailableError,
  type CofferError,
  isCofferError,
} from "@coffer/core";

interface DriverError {
  code?: string | number;
  errno?: number;
  errcode?: number;
  message?: string;
}

const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "EPIPE",
  "EAI_AGAIN",
  "PROTOCOL_CONNECTION_LOST",
  "ER_CON_COUNT_ERROR",
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now
  "53300", // too_many_connections
  // Timeouts (see server-pools.ts): the database did not answer in time.
  "57014", // query_canceled: statement_timeout
  "55P03", // lock_not_available: lock_timeout
  "25P03", // idle_in_transaction_session_timeout
  "PROTOCOL_SEQUENCE_TIMEOUT", // mysql2's per-query timeout
  "ER_LOCK_WAIT_TIMEOUT", // innodb_lock_wait_timeout
  "ER_STATEMENT_TIMEOUT", // MariaDB max_statement_time
  "ER_QUERY_TIMEOUT", // MySQL max_execution_time
]);
const DENIED_CODES = new Set([
  "28P01",
  "28000",
  "ER_ACCESS_DENIED_ERROR",
  "ER_DBACCESS_DENIED_ERROR",
  "42501",
]);
// SQLite result codes (primary code in the low byte).
const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;
const SQLITE_READONLY = 8;
const SQLITE_CANTOPEN = 14;
const SQLITE_CONSTRAINT = 19;

/** True for a unique-key violation on any of the three dialects. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as DriverError;
  if (e?.code === "23505" || e?.code === "ER_DUP_ENTRY" || e?.errno === 1062) return true;
  return (
    typeof e?.errcode === "number" &&
    (e.errcode & 0xff) === SQLITE_CONSTRAINT &&
    /UNIQUE|PRIMARY KEY/i.test(e.message ?? "")
  );
}

/** Maps a driver error to a typed one, or returns undefined when it is not a connectivity problem. */
export function classifyDatabaseError(error: unknown, location: string): CofferError | undefined {
  if (isCofferError(error)) return error;
  const e = error as DriverError;
  const code = String(e?.code ?? "");
  const sqliteCode = typeof e?.errcode === "number" ? e.errcode & 0xff : undefined;
  const connectionTerminated =
    /Connection terminated|connection is closed|Pool is closed|Cannot use a pool after|not queryable|Query read timeout|timeout exceeded when trying to connect|Can't add new command when connection is in closed state/i.test(
      e?.message ?? "",
    );
  if (
    UNAVAILABLE_CODES.has(code) ||
    code.startsWith("08") ||
    connectionTerminated ||
    sqliteCode === SQLITE_BUSY ||
    sqliteCode === SQLITE_LOCKED ||
    sqliteCode === SQLITE_CANTOPEN
  ) {
    const reason = code || (sqliteCode !== undefined ? describeSqlite(sqliteCode) : driverReason(e?.message));
    return new BackendUnavailableError(`The database ${location} is unavailable (${reason}).`, {
      hint: "Check that it is running and reachable; Coffer retries when it returns.",
      details: { database: location, reason },
      cause: error,
    });
  }
  if (DENIED_CODES.has(code) || sqliteCode === SQLITE_READONLY) {
    return new BackendAccessDeniedError(`The database ${location} refused access (${code || "read-only"}).`, {
      hint: "Check the user, password and grants in the database URL.",
      details: { database: location, reason: code || "read-only" },
      cause: error,
    });
  }
  return undefined;
}

/** Rethrows a driver error as a typed one when it is a connectivity problem. */
export function rethrowDatabaseError(error: unknown, location: string): never {
  throw classifyDatabaseError(error, location) ?? error;
}

/** A short reason from a driver message that has no code (never the message itself: it may quote SQL). */
function driverReason(message: string | undefined): string {
  return /timeout/i.test(message ?? "") ? "timed out" : "connection lost";
}

function describeSqlite(code: number | undefined): string {
  if (code === SQLITE_BUSY || code === SQLITE_LOCKED) return "database is locked";
  if (code === SQLITE_CANTOPEN) return "cannot open the file";
  return "error";
}
