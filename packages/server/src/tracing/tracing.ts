/**
 * Tracing as the rest of the server sees it: four hooks, no OpenTelemetry SDK type. The SDK
 * (sdk.ts and the packages it imports) is loaded by startTracing only, with a dynamic import, so
 * a server without tracing configured loads none of it (test/tracing-off.test.ts checks the
 * module list of a real process) and its requests pay nothing: no hook is installed, no store
 * or database is wrapped.
 */
import type { Database } from "@coffer/sql";
import type { FastifyInstance } from "fastify";
import type { TracingSettings } from "./settings.js";

export interface Tracing {
  /** A server span per request (call before the other hooks; see request-spans.ts). */
  installRequestSpans(app: FastifyInstance): void;
  /** The store with a child span around each backend call. */
  traceStore<S extends object>(store: S): S;
  /** The database with a child span per metadata query. */
  traceDatabase(database: Database): Database;
  /** Exports what is queued, then stops (at most `timeoutMs`; false when it did not finish). */
  shutdown(timeoutMs: number): Promise<boolean>;
}

/** Where the exporter's delivery warnings go (the server's pino logger). */
export interface TracingLog {
  warn(fields: object, message: string): void;
  info(fields: object, message: string): void;
}

export async function startTracing(settings: TracingSettings, log: TracingLog): Promise<Tracing> {
  const { createTracing } = await import("./sdk.js");
  return createTracing(settings, log);
}
