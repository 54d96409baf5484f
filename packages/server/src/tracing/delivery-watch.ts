/**
 * The exporter as the batch processor sees it, saying in the server log when spans stop
 * reaching the collector: one warning when an export first fails, one line when one succeeds
 * again, nothing in between (an unreachable collector would otherwise be silent — the SDK logs
 * through its own `diag` logger, which the server does not install — or, logged per batch,
 * would fill the log). Requests never wait on exports: the batch processor queues ended spans
 * (up to OTEL_BSP_MAX_QUEUE_SIZE, then drops them) and exports in the background.
 */
import { type ExportResult, ExportResultCode } from "@opentelemetry/core";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace";
import type { TracingLog } from "./tracing.js";

export class DeliveryWatch implements SpanExporter {
  #failing = false;

  constructor(
    private readonly inner: SpanExporter,
    private readonly log: TracingLog,
    /** The collector's origin, for the log line (the URL's path and any userinfo left out). */
    private readonly collector: string,
  ) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.inner.export(spans, (result) => {
      if (result.code !== ExportResultCode.SUCCESS && !this.#failing) {
        this.#failing = true;
        this.log.warn(
          { collector: this.collector, reason: reasonOf(result.error) },
          "tracing: spans could not be exported; the server keeps serving and drops spans beyond the queue until the collector answers",
        );
      } else if (result.code === ExportResultCode.SUCCESS && this.#failing) {
        this.#failing = false;
        this.log.info({ collector: this.collector }, "tracing: spans are exported again");
      }
      resultCallback(result);
    });
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

/** A short reason: a socket error's code or an HTTP status, never a response body. */
function reasonOf(error: unknown): string {
  if (!error || typeof error !== "object") return "unknown";
  const { code, name } = error as { code?: unknown; name?: unknown };
  if (typeof code === "string" || typeof code === "number") return String(code);
  const cause = (error as { cause?: { code?: unknown } }).cause;
  if (cause && typeof cause.code === "string") return cause.code;
  return typeof name === "string" ? name : "unknown";
}
