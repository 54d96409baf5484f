// "Free when off": a real server process (the built dist/start.js) without tracing configured
// loads no OpenTelemetry SDK module — only @opentelemetry/api, which prom-client brings, may be
// there — while the same process with an OTLP endpoint loads the SDK and only the exporter for
// its protocol. The module list comes from a resolve hook in the child (tracing/loaded-modules.mjs).
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const here = path.dirname(fileURLToPath(import.meta.url));
const START = pathToFileURL(path.resolve(here, "../dist/start.js")).href;
const SCRIPT = path.resolve(here, "tracing/loaded-modules.mjs");

async function loadedPackages(env: Record<string, string>): Promise<string[]> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "coffer-tracing-off-"));
  const { stdout } = await promisify(execFile)(process.execPath, [SCRIPT, START], {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: dataDir,
      COFFER_DATA_DIR: dataDir,
      COFFER_STORE_TYPE: "memory",
      COFFER_LOG_LEVEL: "silent",
      ...env,
    },
  });
  const result = JSON.parse(stdout.trim().split("\n").at(-1)!) as { status: number; packages: string[] };
  expect(result.status).toBe(200);
  return result.packages;
}

describe("tracing off", () => {
  it("loads no OpenTelemetry SDK package, only the API at most", async () => {
    const packages = await loadedPackages({});
    expect(packages.filter((name) => name !== "@opentelemetry/api")).toEqual([]);
  });

  it("stays off with COFFER_SERVER_TRACING=off, even with an endpoint set", async () => {
    const packages = await loadedPackages({
      COFFER_SERVER_TRACING: "off",
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9",
    });
    expect(packages.filter((name) => name !== "@opentelemetry/api")).toEqual([]);
  });

  it("loads the SDK and the protobuf exporter when an endpoint is set (so the check above can fail)", async () => {
    // Port 9 (discard) has no collector: the short flush at close gives up, which is fine here.
    const packages = await loadedPackages({
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9",
      OTEL_EXPORTER_OTLP_TIMEOUT: "200",
    });
    expect(packages).toEqual(
      expect.arrayContaining([
        "@opentelemetry/sdk-trace",
        "@opentelemetry/exporter-trace-otlp-proto",
        "@opentelemetry/resources",
      ]),
    );
    expect(packages).not.toContain("@opentelemetry/exporter-trace-otlp-http");
  });
});
