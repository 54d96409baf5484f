/**
 * The server's Prometheus metrics (prom-client), one registry per server so that tests can run
 * several in one process. Labels are chosen so that nothing a client sends reaches them: a route
 * is its registered pattern (`/api/v1/secrets/:id`, never the URL, which can hold a secret's name
 * in `?name=`), a status is a number, a store operation is a method name of SecretsStore, and an
 * error is the typed error's code. No secret name, key, value or token can become a label value.
 */
import type { AuditTrail } from "@coffer/audit";
import { isCofferError } from "@coffer/core";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** Latency buckets in seconds: 1 ms to 10 s, covering an in-memory hit and a slow cloud call. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class ServerMetrics {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({
    name: "coffer_http_requests_total",
    help: "HTTP requests answered, by method, route pattern and status.",
    labelNames: ["method", "route", "status"] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: "coffer_http_request_duration_seconds",
    help: "Time to answer an HTTP request, by method and route pattern.",
    labelNames: ["method", "route"] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly storeDuration = new Histogram({
    name: "coffer_store_call_duration_seconds",
    help: "Calls to the secrets store (the configured backend), by operation and outcome (ok or error).",
    labelNames: ["store", "operation", "outcome"] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly storeErrors = new Counter({
    name: "coffer_store_call_errors_total",
    help: "Failed calls to the secrets store, by operation and typed error code.",
    labelNames: ["store", "operation", "code"] as const,
    registers: [this.registry],
  });

  readonly databaseDuration = new Histogram({
    name: "coffer_metadata_query_duration_seconds",
    help: "Metadata database queries that returned, by dialect and kind of statement (select, insert…), pool wait included.",
    labelNames: ["dialect", "statement"] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  constructor(options: { processMetrics?: boolean } = {}) {
    // Node's own (event loop lag, heap, CPU): useful to an operator, and free of any request data.
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: "coffer_" });
  }

  /**
   * The audit log's sinks, read at each scrape: up (1 when the last write succeeded) and failed
   * writes, by sink kind (database, file, stdout) and whether a failure refuses requests.
   */
  watchAudit(trail: AuditTrail | undefined): void {
    if (!trail) return;
    new Gauge({
      name: "coffer_audit_sink_up",
      help: "1 when the audit sink's last write succeeded (or none was tried yet), 0 when it failed.",
      labelNames: ["sink", "required"] as const,
      registers: [this.registry],
      collect() {
        for (const sink of trail.sinkHealth()) {
          this.set({ sink: sink.kind, required: String(sink.required) }, sink.up ? 1 : 0);
        }
      },
    });
    new Gauge({
      name: "coffer_audit_sink_failures",
      help: "Failed writes to the audit sink since the server started.",
      labelNames: ["sink", "required"] as const,
      registers: [this.registry],
      collect() {
        for (const sink of trail.sinkHealth()) {
          this.set({ sink: sink.kind, required: String(sink.required) }, sink.failures);
        }
      },
    });
  }

  /** The exposition text for a scrape. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

/** The label for an error: its typed code, or INTERNAL (never its message, which may name things). */
export function errorCode(error: unknown): string {
  return isCofferError(error) ? error.code : "INTERNAL";
}
