/**
 * The OpenTelemetry SDK, set up from the tracing settings: a TracerProvider with the configured
 * sampler and a batch span processor feeding the OTLP/HTTP exporter (protobuf or JSON), under
 * a resource naming the service. Loaded only by startTracing (tracing.ts), with a dynamic
 * import: nothing here is loaded when tracing is off. Nothing is registered globally (no global
 * tracer provider, context manager or propagator): the spans are made through the tracer this
 * returns, by Coffer's own hooks and wrappers.
 */
import { createRequire } from "node:module";
import { parseKeyPairsIntoRecord } from "@opentelemetry/core";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  type Sampler,
  type SpanExporter,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from "./attributes.js";
import { DeliveryWatch } from "./delivery-watch.js";
import { installRequestSpans } from "./request-spans.js";
import type { SamplerName, TracingSettings } from "./settings.js";
import { tracedDatabase } from "./traced-database.js";
import { tracedStore } from "./traced-store.js";
import type { Tracing, TracingLog } from "./tracing.js";

const { version } = createRequire(import.meta.url)("../../package.json") as { version: string };

export async function createTracing(settings: TracingSettings, log: TracingLog): Promise<Tracing> {
  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      // Operator-given (OTEL_RESOURCE_ATTRIBUTES); OTEL_SERVICE_NAME wins, as the spec says.
      ...parseKeyPairsIntoRecord(settings.resourceAttributes),
      [ATTR_SERVICE_NAME]: settings.serviceName,
      [ATTR_SERVICE_VERSION]: version,
    }),
    sampler: samplerFor(settings.sampler, settings.samplerRatio),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: new DeliveryWatch(await exporterFor(settings), log, new URL(settings.endpoint).origin),
        ...settings.batch,
      }),
    ],
  });
  const tracer = provider.getTracer("@coffer/server", version);
  return {
    installRequestSpans: (app) => installRequestSpans(app, tracer),
    traceStore: (store) => tracedStore(store, tracer),
    traceDatabase: (database) => tracedDatabase(database, tracer),
    async shutdown(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      });
      // A collector that does not answer fails the flush (logged once by DeliveryWatch already).
      const flushed = provider.shutdown().then(
        () => true,
        () => false,
      );
      try {
        return await Promise.race([flushed, timedOut]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** The exporter for the protocol; only that one package is loaded. */
async function exporterFor(settings: TracingSettings): Promise<SpanExporter> {
  const options = {
    url: settings.endpoint,
    timeoutMillis: settings.exportTimeoutMillis,
    // General headers first, the traces-specific ones over them (the spec's precedence).
    headers: Object.assign({}, ...settings.headers.map((raw) => parseKeyPairsIntoRecord(raw))),
  };
  const { OTLPTraceExporter } =
    settings.protocol === "http/json"
      ? await import("@opentelemetry/exporter-trace-otlp-http")
      : await import("@opentelemetry/exporter-trace-otlp-proto");
  return new OTLPTraceExporter(options);
}

function samplerFor(name: SamplerName, ratio: number): Sampler {
  switch (name) {
    case "always_on":
      return new AlwaysOnSampler();
    case "always_off":
      return new AlwaysOffSampler();
    case "traceidratio":
      return new TraceIdRatioBasedSampler(ratio);
    case "parentbased_always_on":
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case "parentbased_always_off":
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case "parentbased_traceidratio":
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
  }
}
