/**
 * Whether the server traces, and how, from the variables OpenTelemetry's specification defines
 * (so an operator sets what every other traced service takes) plus one Coffer switch,
 * COFFER_SERVER_TRACING. Read and checked at start: a value the SDK would quietly ignore (its own
 * env parsing warns and falls back) stops the start here with one line naming the variable.
 *
 * Tracing is on when COFFER_SERVER_TRACING=otlp, or when it is unset and an OTLP endpoint or
 * OTEL_TRACES_EXPORTER=otlp is set; OTEL_SDK_DISABLED=true, OTEL_TRACES_EXPORTER=none and
 * COFFER_SERVER_TRACING=off turn it off. This module imports nothing from OpenTelemetry: it is
 * loaded whether tracing is on or not.
 */
import { InvalidConfigError } from "@coffer/core";

export type TracingSwitch = "off" | "otlp";

export type SamplerName =
  | "always_on"
  | "always_off"
  | "traceidratio"
  | "parentbased_always_on"
  | "parentbased_always_off"
  | "parentbased_traceidratio";

const SAMPLERS: readonly SamplerName[] = [
  "always_on",
  "always_off",
  "traceidratio",
  "parentbased_always_on",
  "parentbased_always_off",
  "parentbased_traceidratio",
];

export interface TracingSettings {
  /** Where spans go: the full OTLP/HTTP traces URL (…/v1/traces). */
  endpoint: string;
  protocol: "http/protobuf" | "http/json";
  serviceName: string;
  sampler: SamplerName;
  /** The ratio for the traceidratio samplers, 0–1. */
  samplerRatio: number;
  /** Per export request, in ms (the exporter retries within it). */
  exportTimeoutMillis: number;
  /** The batch span processor: delay between exports, its own timeout, queue bound, batch size. */
  batch: {
    scheduledDelayMillis: number;
    exportTimeoutMillis: number;
    maxQueueSize: number;
    maxExportBatchSize: number;
  };
  /**
   * OTEL_EXPORTER_OTLP_HEADERS then OTEL_EXPORTER_OTLP_TRACES_HEADERS, raw (`k=v,k2=v2`); parsed
   * by the SDK side. They usually carry a collector's API key: never logged.
   */
  headers: string[];
  /** OTEL_RESOURCE_ATTRIBUTES, raw; operator-given, never from a client. */
  resourceAttributes?: string;
}

type Env = Record<string, string | undefined>;

/** The tracing settings, or undefined when tracing is off. */
export function tracingSettings(env: Env, switched: TracingSwitch | undefined): TracingSettings | undefined {
  const value = (name: string) => {
    const text = env[name]?.trim();
    return text ? text : undefined;
  };
  const sdkDisabled = value("OTEL_SDK_DISABLED")?.toLowerCase() === "true";
  const exporter = value("OTEL_TRACES_EXPORTER")?.toLowerCase();
  if (exporter !== undefined && exporter !== "otlp" && exporter !== "none") {
    throw configError(
      "OTEL_TRACES_EXPORTER",
      `is '${exporter}'; Coffer exports traces over OTLP only.`,
      "Set it to 'otlp' (or 'none' to turn tracing off) and send spans to an OpenTelemetry Collector, which can forward them anywhere.",
    );
  }
  if (switched === "off") return undefined;
  if (switched === "otlp" && (sdkDisabled || exporter === "none")) {
    throw configError(
      "COFFER_SERVER_TRACING",
      `is 'otlp' but ${sdkDisabled ? "OTEL_SDK_DISABLED=true" : "OTEL_TRACES_EXPORTER=none"} turns tracing off.`,
      "Unset one of the two.",
    );
  }
  if (sdkDisabled || exporter === "none") return undefined;
  const endpointSet =
    value("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") !== undefined ||
    value("OTEL_EXPORTER_OTLP_ENDPOINT") !== undefined;
  if (switched !== "otlp" && !endpointSet && exporter !== "otlp") return undefined;

  const batch = {
    scheduledDelayMillis: integer(env, "OTEL_BSP_SCHEDULE_DELAY", 5000, 0),
    exportTimeoutMillis: integer(env, "OTEL_BSP_EXPORT_TIMEOUT", 30_000, 1),
    maxQueueSize: integer(env, "OTEL_BSP_MAX_QUEUE_SIZE", 2048, 1),
    maxExportBatchSize: integer(env, "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", 512, 1),
  };
  if (batch.maxExportBatchSize > batch.maxQueueSize) {
    throw configError(
      "OTEL_BSP_MAX_EXPORT_BATCH_SIZE",
      `(${batch.maxExportBatchSize}) is larger than OTEL_BSP_MAX_QUEUE_SIZE (${batch.maxQueueSize}).`,
      "A batch is taken from the queue: make it at most the queue's size.",
    );
  }
  const timeoutName = value("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT")
    ? "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT"
    : "OTEL_EXPORTER_OTLP_TIMEOUT";
  const resourceAttributes = value("OTEL_RESOURCE_ATTRIBUTES");
  return {
    endpoint: endpointFrom(env),
    protocol: protocolFrom(env),
    serviceName: value("OTEL_SERVICE_NAME") ?? "coffer-server",
    ...samplerFrom(env),
    exportTimeoutMillis: integer(env, timeoutName, 10_000, 1),
    batch,
    headers: ["OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS"].flatMap(
      (name) => value(name) ?? [],
    ),
    ...(resourceAttributes ? { resourceAttributes } : {}),
  };
}

/**
 * The spec's rule: a traces endpoint is used as given; the general endpoint gets `v1/traces`
 * appended; neither means the local collector's default.
 */
function endpointFrom(env: Env): string {
  const specific = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  const general = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  const [name, text] = specific
    ? ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", specific]
    : general
      ? ["OTEL_EXPORTER_OTLP_ENDPOINT", `${general.replace(/\/+$/, "")}/v1/traces`]
      : [undefined, "http://localhost:4318/v1/traces"];
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw configError(
      name ?? "OTEL_EXPORTER_OTLP_ENDPOINT",
      "is not an http:// or https:// URL.",
      "Give the collector's OTLP/HTTP address, e.g. http://otel-collector:4318.",
    );
  }
  return url.toString();
}

function protocolFrom(env: Env): TracingSettings["protocol"] {
  const specific = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL?.trim();
  const name = specific ? "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL" : "OTEL_EXPORTER_OTLP_PROTOCOL";
  const protocol = (specific || env.OTEL_EXPORTER_OTLP_PROTOCOL?.trim() || "http/protobuf").toLowerCase();
  if (protocol === "http/protobuf" || protocol === "http/json") return protocol;
  throw configError(
    name,
    `is '${protocol}'; Coffer speaks OTLP over HTTP only.`,
    "Use 'http/protobuf' (the default, port 4318 on a collector) or 'http/json'.",
  );
}

function samplerFrom(env: Env): { sampler: SamplerName; samplerRatio: number } {
  const text = (env.OTEL_TRACES_SAMPLER?.trim() || "parentbased_always_on").toLowerCase();
  if (!(SAMPLERS as readonly string[]).includes(text)) {
    throw configError(
      "OTEL_TRACES_SAMPLER",
      `is '${text}', which Coffer does not know.`,
      `Use one of ${SAMPLERS.join(", ")}.`,
    );
  }
  const sampler = text as SamplerName;
  const arg = env.OTEL_TRACES_SAMPLER_ARG?.trim();
  if (!sampler.endsWith("traceidratio") || !arg) return { sampler, samplerRatio: 1 };
  const ratio = Number(arg);
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
    throw configError(
      "OTEL_TRACES_SAMPLER_ARG",
      `is '${arg}', not a ratio between 0 and 1.`,
      "Give the share of traces to keep, e.g. 0.1.",
    );
  }
  return { sampler, samplerRatio: ratio };
}

function integer(env: Env, name: string, fallback: number, min: number): number {
  const text = env[name]?.trim();
  if (!text) return fallback;
  const number = Number(text);
  if (!Number.isSafeInteger(number) || number < min) {
    throw configError(
      name,
      `is '${text}', not a whole number of at least ${min}.`,
      `Unset it for ${fallback}.`,
    );
  }
  return number;
}

function configError(variable: string, problem: string, hint: string): InvalidConfigError {
  return new InvalidConfigError(`${variable} ${problem}`, { hint, details: { variable } });
}
