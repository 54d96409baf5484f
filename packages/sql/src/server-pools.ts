/**
 * Connection pools for PostgreSQL and MySQL that survive the database going away and never wait on
 * it forever.
 *
 * Surviving: a connection the server drops (a restart, a failover, an admin kill) emits 'error'.
 * pg-pool listens only while a client is idle; a client that is checked out — running a query, or
 * between the statements of a transaction — has no listener, and Node turns the unheard 'error'
 * into a crash of the whole process. Every client here listens for the whole of its life; the query
 * that was using it fails with a connectivity error (a typed BackendUnavailableError once mapped),
 * and the pool discards the dead client when it is released.
 *
 * Not waiting forever: a database that stops answering without closing its sockets (frozen, a
 * network partition) would hold every request and readiness check until the client gave up.
 *   connectTimeoutMs  connecting, and waiting for a free pooled connection (pg)
 *   queryTimeoutMs    each statement: the server cancels it (PostgreSQL statement_timeout) and the
 *                     client gives up on its own a second later if the server does not even answer
 *                     (pg query_timeout, mysql2's per-query timeout); that connection is then
 *                     destroyed, since its answer could still arrive and be taken for the next one's
 *   lockTimeoutMs     waiting for a row or table lock (lock_timeout, innodb_lock_wait_timeout)
 * Each failure maps to BackendUnavailableError, like a stopped database (see errors.ts).
 */
import type { Pool as MysqlPool, PoolConnection as MysqlPoolConnection } from "mysql2";
import type { Pool as PgPool } from "pg";

export interface PoolSettings {
  driverUrl: string;
  poolSize: number;
  connectTimeoutMs: number;
  queryTimeoutMs: number;
  lockTimeoutMs: number;
}

/** The message pg gives a query whose answer did not come within query_timeout. */
const PG_READ_TIMEOUT = "Query read timeout";
/** How much longer the client waits than the server-side statement timeout. */
const CLIENT_GRACE_MS = 1000;

const ignore = () => undefined;

export async function createPgPool(settings: PoolSettings): Promise<PgPool> {
  const { default: pg } = await import("pg");

  class GuardedClient extends pg.Client {
    // biome-ignore lint/suspicious/noExplicitAny: pg.Client's constructor takes a config object.
    constructor(config?: any) {
      super(config);
      // The listener that pg-pool removes while the client is checked out (see above).
      this.on("error", ignore);
    }

    // biome-ignore lint/suspicious/noExplicitAny: forwards every overload of pg.Client#query.
    override query(...args: any[]): any {
      // biome-ignore lint/suspicious/noExplicitAny: see above.
      const result = (super.query as (...a: any[]) => any)(...args);
      if (result && typeof result.then === "function") {
        result.then(undefined, (error: unknown) => {
          // The server never answered: its late answer must not be read as the next query's.
          if ((error as Error)?.message === PG_READ_TIMEOUT) {
            (
              this as unknown as { connection?: { stream?: { destroy(): void } } }
            ).connection?.stream?.destroy();
          }
        });
      }
      return result;
    }
  }

  const pool = new pg.Pool({
    connectionString: settings.driverUrl,
    max: settings.poolSize,
    Client: GuardedClient,
    connectionTimeoutMillis: settings.connectTimeoutMs,
    statement_timeout: settings.queryTimeoutMs,
    lock_timeout: settings.lockTimeoutMs,
    query_timeout: settings.queryTimeoutMs + CLIENT_GRACE_MS,
    // A transaction left open by a process that stopped mid-way must not hold its locks for ever.
    idle_in_transaction_session_timeout: settings.queryTimeoutMs * 2,
  });
  // An idle client's error also reaches the pool; unheard, that too would crash the process.
  pool.on("error", ignore);
  return pool;
}

export async function createMysqlPool(settings: PoolSettings): Promise<MysqlPool> {
  const { createPool } = await import("mysql2");
  const pool = createPool({
    uri: settings.driverUrl,
    connectionLimit: settings.poolSize,
    connectTimeout: settings.connectTimeoutMs,
  });
  const lockWaitSeconds = Math.max(1, Math.ceil(settings.lockTimeoutMs / 1000));
  pool.on("connection", (connection) => {
    connection.on("error", ignore);
    // Runs before anything else on the new connection (mysql2 queues a connection's commands).
    connection.query(`SET SESSION innodb_lock_wait_timeout = ${lockWaitSeconds}`, ignore);
  });
  return withQueryTimeout(pool, settings.queryTimeoutMs + CLIENT_GRACE_MS);
}

/**
 * Kysely runs `connection.query(sql, parameters, callback)` on what `getConnection` hands out.
 * This gives each such query mysql2's `timeout`, and destroys a connection whose query timed out
 * (mysql2 leaves the command waiting on it), so that the pool opens a fresh one.
 */
function withQueryTimeout(pool: MysqlPool, timeoutMs: number): MysqlPool {
  const getConnection = pool.getConnection.bind(pool);
  const guarded = (callback: (error: unknown, connection?: MysqlPoolConnection) => void) =>
    getConnection((error, connection) => {
      if (error || !connection) return callback(error, connection);
      callback(null, guardConnection(connection, timeoutMs));
    });
  return new Proxy(pool, {
    get(target, property, receiver) {
      if (property === "getConnection") return guarded;
      const value = Reflect.get(target, property, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

function guardConnection(connection: MysqlPoolConnection, timeoutMs: number): MysqlPoolConnection {
  return new Proxy(connection, {
    get(target, property, receiver) {
      if (property === "query") {
        // biome-ignore lint/suspicious/noExplicitAny: forwards mysql2's query overloads.
        return (sqlText: any, parameters?: any, callback?: any) => {
          if (typeof sqlText !== "string" || typeof callback !== "function") {
            return target.query(sqlText, parameters, callback);
          }
          return target.query({ sql: sqlText, timeout: timeoutMs }, parameters, (error, ...rest) => {
            if ((error as { code?: string } | null)?.code === "PROTOCOL_SEQUENCE_TIMEOUT") target.destroy();
            callback(error, ...rest);
          });
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
