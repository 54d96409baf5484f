// When tracing is on, and the typed configuration errors for OTEL_* values Coffer cannot use
// (tracing/settings.ts), plus one start that a bad value stops before anything listens.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { InvalidConfigError } from "@coffer/core";
import { describe, expect, it } from "vitest";
import { startServer } from "../src/start.js";
import { tracingSettings } from "../src/tracing/settings.js";

const ENDPOINT = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" };

describe("whether tracing is on", () => {
  it.each([
    ["nothing set", {}, undefined, false],
    ["an endpoint", ENDPOINT, undefined, true],
    ["a traces endpoint", { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://c:4318/v1/traces" }, undefined, true],
    ["OTEL_TRACES_EXPORTER=otlp", { OTEL_TRACES_EXPORTER: "otlp" }, undefined, true],
    ["COFFER_SERVER_TRACING=otlp", {}, "otlp", true],
    ["COFFER_SERVER_TRACING=off and an endpoint", ENDPOINT, "off", false],
    ["OTEL_SDK_DISABLED=true and an endpoint", { ...ENDPOINT, OTEL_SDK_DISABLED: "TRUE" }, undefined, false],
    [
      "OTEL_TRACES_EXPORTER=none and an endpoint",
      { ...ENDPOINT, OTEL_TRACES_EXPORTER: "none" },
      undefined,
      false,
    ],
    ["an empty endpoint", { OTEL_EXPORTER_OTLP_ENDPOINT: " " }, undefined, false],
  ] as const)("%s", (_what, env, switched, on) => {
    expect(tracingSettings(env, switched) !== undefined).toBe(on);
  });
});

describe("the settings", () => {
  it("default to the spec's values and coffer-server", () => {
    expect(tracingSettings({}, "otlp")).toEqual({
      endpoint: "http://localhost:4318/v1/traces",
      protocol: "http/protobuf",
      serviceName: "coffer-server",
      sampler: "parentbased_always_on",
      samplerRatio: 1,
      exportTimeoutMillis: 10_000,
      batch: {
        scheduledDelayMillis: 5000,
        exportTimeoutMillis: 30_000,
        maxQueueSize: 2048,
        maxExportBatchSize: 512,
      },
      headers: [],
    });
  });

  it("append v1/traces to the general endpoint only, and let the traces one win", () => {
    expect(
      tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: "https://c.example/otlp/" }, undefined)?.endpoint,
    ).toBe("https://c.example/otlp/v1/traces");
    expect(
      tracingSettings(
        { ...ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://other:4318/custom" },
        undefined,
      )?.endpoint,
    ).toBe("http://other:4318/custom");
  });

  it("take the sampler, its ratio, the protocol, timeouts and headers", () => {
    const settings = tracingSettings(
      {
        ...ENDPOINT,
        OTEL_TRACES_SAMPLER: "ParentBased_TraceIdRatio",
        OTEL_TRACES_SAMPLER_ARG: "0.25",
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http/json",
        OTEL_EXPORTER_OTLP_TIMEOUT: "1000",
        OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: "2000",
        OTEL_EXPORTER_OTLP_HEADERS: "a=1",
        OTEL_EXPORTER_OTLP_TRACES_HEADERS: "b=2",
        OTEL_SERVICE_NAME: "coffer-eu",
      },
      undefined,
    );
    expect(settings).toMatchObject({
      sampler: "parentbased_traceidratio",
      samplerRatio: 0.25,
      protocol: "http/json",
      exportTimeoutMillis: 2000,
      headers: ["a=1", "b=2"],
      serviceName: "coffer-eu",
    });
  });
});

describe("values Coffer cannot use stop the start with a typed error naming the variable", () => {
  it.each([
    [{ OTEL_TRACES_EXPORTER: "zipkin" }, undefined, "OTEL_TRACES_EXPORTER"],
    [{ OTEL_SDK_DISABLED: "true" }, "otlp", "COFFER_SERVER_TRACING"],
    [{ OTEL_TRACES_EXPORTER: "none" }, "otlp", "COFFER_SERVER_TRACING"],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" }, undefined, "OTEL_EXPORTER_OTLP_ENDPOINT"],
    [
      { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "grpc://c:4317" },
      undefined,
      "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    ],
    [{ ...ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" }, undefined, "OTEL_EXPORTER_OTLP_PROTOCOL"],
    [{ ...ENDPOINT, OTEL_TRACES_SAMPLER: "jaeger_remote" }, undefined, "OTEL_TRACES_SAMPLER"],
    [
      { ...ENDPOINT, OTEL_TRACES_SAMPLER: "traceidratio", OTEL_TRACES_SAMPLER_ARG: "1.5" },
      undefined,
      "OTEL_TRACES_SAMPLER_ARG",
    ],
    [
      { ...ENDPOINT, OTEL_TRACES_SAMPLER: "traceidratio", OTEL_TRACES_SAMPLER_ARG: "half" },
      undefined,
      "OTEL_TRACES_SAMPLER_ARG",
    ],
    [{ ...ENDPOINT, OTEL_BSP_SCHEDULE_DELAY: "-1" }, undefined, "OTEL_BSP_SCHEDULE_DELAY"],
    [{ ...ENDPOINT, OTEL_BSP_MAX_QUEUE_SIZE: "0" }, undefined, "OTEL_BSP_MAX_QUEUE_SIZE"],
    [
      { ...ENDPOINT, OTEL_BSP_MAX_QUEUE_SIZE: "100", OTEL_BSP_MAX_EXPORT_BATCH_SIZE: "200" },
      undefined,
      "OTEL_BSP_MAX_EXPORT_BATCH_SIZE",
    ],
    [{ ...ENDPOINT, OTEL_EXPORTER_OTLP_TIMEOUT: "10s" }, undefined, "OTEL_EXPORTER_OTLP_TIMEOUT"],
  ] as const)("%j", (env, switched, variable) => {
    let thrown: unknown;
    try {
      tracingSettings(env, switched);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidConfigError);
    expect((thrown as InvalidConfigError).details).toEqual({ variable });
    expect((thrown as InvalidConfigError).message.startsWith(variable)).toBe(true);
    expect((thrown as InvalidConfigError).hint).toBeTruthy();
  });

  it("through startServer, and COFFER_SERVER_TRACING by the configuration schema", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "coffer-tracing-config-"));
    const env = { HOME: dataDir, COFFER_DATA_DIR: dataDir, COFFER_STORE_TYPE: "memory" };
    const start = (extra: Record<string, string>) =>
      startServer({ env: { ...env, ...extra }, settings: { port: 0 }, log: false });
    await expect(start({ ...ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" })).rejects.toMatchObject({
      code: "INVALID_CONFIG",
      details: { variable: "OTEL_EXPORTER_OTLP_PROTOCOL" },
    });
    await expect(start({ COFFER_SERVER_TRACING: "jaeger" })).rejects.toMatchObject({
      code: "INVALID_CONFIG",
    });
  });
});
