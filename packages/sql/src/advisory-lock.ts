/**
 * A named lock in the database itself, so that an operation meant to run once per deployment
 * (reconcile, key rotation) runs once even when several server replicas share the database.
 *
 *   PostgreSQL  pg_try_advisory_lock(hashtextextended(name, 0)) — per database
 *   MySQL       GET_LOCK(name, 0) — per server, so callers put the deployment id in the name
 *   SQLite      none: one file means one machine, and the callers' own rows keep it safe
 *
 * The lock is a session lock held on one pooled connection for the length of `task`, and taken
 * without waiting: a second caller learns at once that the operation is running (undefined)
 * instead of holding a request open behind it. A process that dies while holding it loses its
 * connection, and with it the lock, so a crash never leaves the operation locked out.
 */
import { sql } from "kysely";
import type { Database } from "./database.js";

/** MySQL refuses lock names over 64 characters. */
const MAX_NAME_LENGTH = 64;

/**
 * Runs `task` while holding the database lock `name`. Returns `{ value }` when it ran, or
 * undefined when another session (another replica) holds the lock.
 */
export async function withAdvisoryLock<T>(
  database: Database,
  name: string,
  task: () => Promise<T>,
): Promise<{ value: T } | undefined> {
  if (name.length === 0 || name.length > MAX_NAME_LENGTH) {
    throw new Error(`advisory lock names are 1 to ${MAX_NAME_LENGTH} characters: '${name}'`);
  }
  // SQLite has one connection per process, which task needs for its own queries.
  if (database.dialect === "sqlite") return { value: await task() };
  return database.db.connection().execute(async (connection) => {
    const taken =
      database.dialect === "postgres"
        ? await sql<{
            locked: boolean;
          }>`SELECT pg_try_advisory_lock(hashtextextended(${name}, 0)) AS locked`.execute(connection)
        : await sql<{ locked: number | null }>`SELECT GET_LOCK(${name}, 0) AS locked`.execute(connection);
    const locked = taken.rows[0]?.locked;
    if (locked !== true && Number(locked) !== 1) return undefined;
    try {
      return { value: await task() };
    } finally {
      // If the unlock fails, the connection is broken and the session (with its lock) ends anyway.
      await (database.dialect === "postgres"
        ? sql`SELECT pg_advisory_unlock(hashtextextended(${name}, 0))`
        : sql`SELECT RELEASE_LOCK(${name})`
      )
        .execute(connection)
        .catch(() => undefined);
    }
  });
}
