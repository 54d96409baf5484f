// GET /metrics on a server started as in production (startServer: configuration, the measured
// store): who may scrape, what is counted, and that no secret name, key, value or token — the
// canaries below, sent in bodies, URLs and headers — ever shows in a scrape.
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { MemoryStore } from "@coffer/store-memory";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, type StartServerOptions, startServer } from "../src/start.js";
import { call, type TestServer } from "./helpers.js";

const CANARY = {
  name: "canary-name-7f3a",
  privateName: "canary-private-91bc",
  key: "canary_key_4d2e",
  value: "canary-value-fake-0c8d",
  badToken: "coffer_canarybadtok_canaryCanaryCanaryCanaryCanaryCanaryCanaryC",
};

async function start(
  settings: StartServerOptions["settings"] = {},
  storeType = "memory",
  env: (dataDir: string) => Record<string, string> = () => ({}),
): Promise<{ running: RunningServer; server: TestServer }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "coffer-metrics-"));
  const running = await startServer({
    env: {
      HOME: dataDir,
      COFFER_DATA_DIR: dataDir,
      COFFER_LOG_LEVEL: "silent",
      COFFER_STORE_TYPE: storeType,
      ...env(dataDir),
    },
    settings: { port: 0, authFailureLimit: 0, ...settings },
    log: false,
  });
  const server: TestServer = {
    url: running.url,
    adminToken: running.bootstrapToken!.token,
    identity: running.identity,
    async user(name, role) {
      await running.identity.createUser(name, role);
      return (await running.identity.issueToken(name)).token;
    },
    close: () => running.close(),
  };
  return { running, server };
}

/** The value of one sample line (`name{labels} value`), or undefined when it is absent. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`)) continue;
    const inside = line.slice(name.length + 1, line.lastIndexOf("}"));
    if (Object.entries(labels).every(([key, value]) => inside.includes(`${key}="${value}"`))) {
      return Number(line.slice(line.lastIndexOf(" ") + 1));
    }
  }
  return undefined;
}

describe("GET /metrics", () => {
  let running: RunningServer;
  let server: TestServer;
  let auditor: string;
  let writer: string;
  let reader: string;

  beforeAll(async () => {
    ({ running, server } = await start());
    auditor = await server.user("scraper", "auditor");
    writer = await server.user("metrics-writer", "writer");
    reader = await server.user("metrics-reader", "reader");
  });
  afterAll(() => running.close());

  it("needs an auditor or admin token by default", async () => {
    expect((await call(server, undefined, "GET", "/metrics")).status).toBe(401);
    expect((await call(server, reader, "GET", "/metrics")).status).toBe(403);
    expect((await call(server, writer, "GET", "/metrics")).status).toBe(403);
    const scraped = await call(server, auditor, "GET", "/metrics");
    expect(scraped.status).toBe(200);
    expect(scraped.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    expect((await call(server, server.adminToken, "GET", "/metrics")).status).toBe(200);
  });

  it("counts requests by route pattern and status, and times them and the store's calls", async () => {
    const created = await call(server, writer, "POST", "/api/v1/secrets", {
      name: "metrics-demo",
      values: { password: "fake-password-1" },
    });
    expect(created.status).toBe(201);
    const { id } = created.body as { id: string };
    for (let i = 0; i < 3; i++)
      expect((await call(server, writer, "GET", `/api/v1/secrets/${id}`)).status).toBe(200);
    expect(
      (await call(server, writer, "GET", "/api/v1/secrets/00000000-0000-4000-8000-000000000000")).status,
    ).toBe(404);

    const text = (await call(server, auditor, "GET", "/metrics")).text;
    const byId = { method: "GET", route: "/api/v1/secrets/:id" };
    expect(sample(text, "coffer_http_requests_total", { ...byId, status: "200" })).toBeGreaterThanOrEqual(3);
    expect(sample(text, "coffer_http_requests_total", { ...byId, status: "404" })).toBeGreaterThanOrEqual(1);
    expect(sample(text, "coffer_http_request_duration_seconds_count", byId)).toBeGreaterThanOrEqual(4);
    expect(
      sample(text, "coffer_http_request_duration_seconds_bucket", { ...byId, le: "+Inf" }),
    ).toBeGreaterThanOrEqual(4);
    const storeGet = { store: "memory", operation: "get", outcome: "ok" };
    expect(sample(text, "coffer_store_call_duration_seconds_count", storeGet)).toBeGreaterThanOrEqual(3);
    expect(
      sample(text, "coffer_store_call_duration_seconds_count", { operation: "create", outcome: "ok" }),
    ).toBeGreaterThanOrEqual(1);
    // The metadata database's queries (the service's and the server's users and tokens), by kind.
    for (const statement of ["select", "insert"]) {
      expect(
        sample(text, "coffer_metadata_query_duration_seconds_count", { dialect: "sqlite", statement }),
      ).toBeGreaterThanOrEqual(1);
    }
    // The service's own queries too, not only the server's (users and tokens, which the
    // identity cache answers here): listing secrets is a select through the service's handle.
    const selects = (scrape: string) =>
      sample(scrape, "coffer_metadata_query_duration_seconds_count", {
        dialect: "sqlite",
        statement: "select",
      }) ?? 0;
    const before = selects(text);
    expect((await call(server, writer, "GET", "/api/v1/secrets")).status).toBe(200);
    expect(selects((await call(server, auditor, "GET", "/metrics")).text)).toBeGreaterThan(before);
    // Node's own metrics, prefixed.
    expect(text).toContain("coffer_nodejs_eventloop_lag_seconds");
  });

  it("counts a failed store call by operation and error code", async () => {
    const created = await call(server, writer, "POST", "/api/v1/secrets", {
      name: "metrics-outage",
      values: { password: "fake-password-2" },
    });
    const { id } = created.body as { id: string };
    // The measured store passes everything through, the memory store's fault injection too.
    const memory = running.service.store as unknown as MemoryStore;
    memory.injectFault("get");
    expect((await call(server, writer, "GET", `/api/v1/secrets/${id}`)).status).toBe(503);
    const text = (await call(server, auditor, "GET", "/metrics")).text;
    const failed = { store: "memory", operation: "get" };
    expect(sample(text, "coffer_store_call_errors_total", { ...failed, code: "BACKEND_UNAVAILABLE" })).toBe(
      1,
    );
    expect(sample(text, "coffer_store_call_duration_seconds_count", { ...failed, outcome: "error" })).toBe(1);
    expect(sample(text, "coffer_http_requests_total", { route: "/api/v1/secrets/:id", status: "503" })).toBe(
      1,
    );
  });

  it("never carries a secret's name, key or value, or a token, wherever a client sent them", async () => {
    const values = { [CANARY.key]: CANARY.value };
    expect(
      (await call(server, writer, "POST", "/api/v1/secrets", { name: CANARY.name, values })).status,
    ).toBe(201);
    expect(
      (
        await call(server, writer, "POST", "/api/v1/secrets", {
          name: CANARY.privateName,
          values,
          private: true,
        })
      ).status,
    ).toBe(201);
    const byName = `/api/v1/secrets/by-name?name=${CANARY.name}`;
    expect((await call(server, writer, "GET", byName)).status).toBe(200);
    expect((await call(server, writer, "PUT", byName, { values })).status).toBe(200);
    expect(
      (await call(server, writer, "GET", `/api/v1/secrets/by-name?name=${CANARY.privateName}`)).status,
    ).toBe(200);
    // A name that does not exist, a URL no route matches (with a name in it), a bad token.
    expect(
      (await call(server, writer, "GET", `/api/v1/secrets/by-name?name=${CANARY.name}-missing`)).status,
    ).toBe(404);
    expect((await call(server, writer, "GET", `/api/v1/${CANARY.name}/${CANARY.value}`)).status).toBe(404);
    expect((await call(server, CANARY.badToken, "GET", byName)).status).toBe(401);
    expect(
      (
        await call(server, writer, "POST", "/api/v1/references/resolve", {
          text: `\${${CANARY.name}.${CANARY.key}}`,
        })
      ).status,
    ).toBeLessThan(500);

    const text = (await call(server, auditor, "GET", "/metrics")).text;
    // The scrape holds none of what was in those requests…
    for (const canary of [
      CANARY.name,
      CANARY.privateName,
      CANARY.key,
      CANARY.value,
      CANARY.badToken,
      "canary",
      writer,
      auditor,
      server.adminToken,
    ]) {
      expect(text).not.toContain(canary);
    }
    // The scrape did see those requests, so the absence above means something.
    expect(
      sample(text, "coffer_http_requests_total", {
        method: "GET",
        route: "/api/v1/secrets/by-name",
        status: "200",
      }),
    ).toBeGreaterThanOrEqual(2);
    expect(
      sample(text, "coffer_http_requests_total", {
        method: "PUT",
        route: "/api/v1/secrets/by-name",
        status: "200",
      }),
    ).toBe(1);
    expect(
      sample(text, "coffer_http_requests_total", { route: "(unmatched)", status: "404" }),
    ).toBeGreaterThanOrEqual(1);
  });
});

describe("GET /metrics with COFFER_SERVER_METRICS_PUBLIC", () => {
  it("answers without a token", async () => {
    const { running, server } = await start({ metricsPublic: true });
    try {
      const scraped = await call(server, undefined, "GET", "/metrics");
      expect(scraped.status).toBe(200);
      expect(scraped.text).toContain("coffer_http_requests_total");
    } finally {
      await running.close();
    }
  });
});

describe("the measured store", () => {
  it("keeps what the store has beyond the contract: the sql store's key rotation still works", async () => {
    const { running, server } = await start({}, "sql");
    try {
      const created = await call(server, server.adminToken, "POST", "/api/v1/secrets", {
        name: "metrics-rotation",
        values: { password: "fake-password-3" },
      });
      expect(created.status).toBe(201);
      const rotated = await call(server, server.adminToken, "POST", "/api/v1/admin/rotate-key", {});
      expect(rotated.status, rotated.text).toBe(200);
      const text = (await call(server, server.adminToken, "GET", "/metrics")).text;
      expect(
        sample(text, "coffer_store_call_duration_seconds_count", {
          store: "sql",
          operation: "rotateKey",
          outcome: "ok",
        }),
      ).toBe(1);
    } finally {
      await running.close();
    }
  });
});

describe("the audit sinks' health", () => {
  it("shows a failing best-effort sink as down, with its failures, and the others up", async () => {
    // The file sink's path is a directory: every append fails (EISDIR), even as root.
    const { running, server } = await start({}, "memory", (dataDir) => {
      const directory = path.join(dataDir, "audit-is-a-directory");
      mkdirSync(directory);
      return {
        COFFER_AUDIT_SINKS: "database,file",
        COFFER_AUDIT_FILE: directory,
        COFFER_AUDIT_BEST_EFFORT: "file",
      };
    });
    try {
      const before = (await call(server, server.adminToken, "GET", "/metrics")).text;
      expect(sample(before, "coffer_audit_sink_up", { sink: "file", required: "false" })).toBe(1);
      for (let i = 0; i < 2; i++) {
        const created = await call(server, server.adminToken, "POST", "/api/v1/secrets", {
          name: `metrics-audit-${i}`,
          values: { password: "fake-password-4" },
        });
        expect(created.status).toBe(201);
      }
      const text = (await call(server, server.adminToken, "GET", "/metrics")).text;
      expect(sample(text, "coffer_audit_sink_up", { sink: "file", required: "false" })).toBe(0);
      expect(sample(text, "coffer_audit_sink_failures", { sink: "file" })).toBeGreaterThanOrEqual(2);
      expect(sample(text, "coffer_audit_sink_up", { sink: "database", required: "true" })).toBe(1);
      expect(sample(text, "coffer_audit_sink_failures", { sink: "database" })).toBe(0);
    } finally {
      await running.close();
    }
  });
});
