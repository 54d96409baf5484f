/**
 * PostgreSQL LISTEN on a connection of its own (a pooled connection cannot hold a LISTEN: it goes
 * back to the pool after each query). A NOTIFY sent inside a transaction is delivered when that
 * transaction commits, so a listener hears of a change only once it can be read.
 *
 * The connection can drop (a restart, a failover): the listener then reconnects with a growing
 * delay (up to 5 s) and calls `onReconnect`, since notifications sent meanwhile were lost — the
 * caller re-reads what it follows, so a drop costs latency, never an event.
 */
import type { Client } from "pg";

export interface ListenOptions {
  driverUrl: string;
  connectTimeoutMs: number;
  channel: string;
  onNotify(payload: string | undefined): void;
  /** After a reconnect (notifications may have been missed meanwhile). */
  onReconnect(): void;
  /** A connection attempt failed or an established one dropped (for logs). */
  onProblem?(error: unknown): void;
}

export interface Listening {
  close(): Promise<void>;
}

const MAX_RETRY_MS = 5_000;

export async function listenPostgres(options: ListenOptions): Promise<Listening> {
  const { default: pg } = await import("pg");
  let client: Client | undefined;
  let closed = false;
  let retryMs = 100;
  let timer: NodeJS.Timeout | undefined;

  const connect = async (isReconnect: boolean): Promise<void> => {
    const next = new pg.Client({
      connectionString: options.driverUrl,
      connectionTimeoutMillis: options.connectTimeoutMs,
    });
    // Unheard, a dropped connection's 'error' would crash the process (see server-pools.ts).
    next.on("error", (error) => {
      options.onProblem?.(error);
      retry(next);
    });
    next.on("end", () => retry(next));
    next.on("notification", (message) => {
      if (message.channel === options.channel) options.onNotify(message.payload);
    });
    try {
      await next.connect();
      // The channel name is ours (a constant), quoted as an identifier all the same.
      await next.query(`LISTEN ${pgIdentifier(options.channel)}`);
    } catch (error) {
      options.onProblem?.(error);
      await next.end().catch(() => undefined);
      if (!isReconnect) throw error;
      schedule();
      return;
    }
    if (closed) {
      await next.end().catch(() => undefined);
      return;
    }
    client = next;
    retryMs = 100;
    if (isReconnect) options.onReconnect();
  };

  const schedule = () => {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void connect(true);
    }, retryMs);
    timer.unref();
    retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
  };

  const retry = (dropped: Client) => {
    if (client !== dropped) return;
    client = undefined;
    dropped.end().catch(() => undefined);
    schedule();
  };

  await connect(false);
  return {
    async close() {
      closed = true;
      clearTimeout(timer);
      const last = client;
      client = undefined;
      await last?.end().catch(() => undefined);
    },
  };
}

function pgIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
