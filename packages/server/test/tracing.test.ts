// OpenTelemetry tracing on a server started as in production (startServer, the measured and
// traced store), exporting over OTLP/HTTP to a real receiver on 127.0.0.1 (tracing/otlp-
// receiver.ts): span names and attributes, the caller's trace continued from `traceparent`,
// store and metadata spans as children of the request's span, errors by typed code, nothing a
// client sent in any exported byte, a shutdown that flushes, and a collector that is down.
import { mkdtempSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { MemoryStore } from "@coffer/store-memory";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../src/start.js";
import { asTestServer, call, type TestServer } from "./helpers.js";
import { OtlpReceiver, type ReceivedSpan } from "./tracing/otlp-receiver.js";

const CANARY = {
  name: "canary-name-5e1b",
  privateName: "canary-private-a73c",
  key: "canary_key_2f9d",
  value: "canary-value-fake-8b04",
  badToken: "coffer_canarybadtok_canaryCanaryCanaryCanaryCanaryCanaryCanaryC",
  traceState: "canaryvendor=canary-tracestate-61f0",
  header: "canary-header-77aa",
};

const SERVER = 2;
const CLIENT = 3;

interface Traced {
  running: RunningServer;
  server: TestServer;
  logLines: Array<{ level: number; msg: string; [field: string]: unknown }>;
}

async function startTraced(env: Record<string, string>): Promise<Traced> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "coffer-tracing-"));
  const logLines: Traced["logLines"] = [];
  const running = await startServer({
    env: {
      HOME: dataDir,
      COFFER_DATA_DIR: dataDir,
      COFFER_LOG_LEVEL: "info",
      COFFER_STORE_TYPE: "memory",
      OTEL_BSP_SCHEDULE_DELAY: "20",
      ...env,
    },
    settings: { port: 0, authFailureLimit: 0 },
    logStream: { write: (line: string) => logLines.push(JSON.parse(line)) },
  });
  return { running, server: asTestServer(running), logLines };
}

function serverSpan(spans: ReceivedSpan[], name: string, status?: number): ReceivedSpan | undefined {
  return spans.find(
    (span) =>
      span.name === name &&
      span.kind === SERVER &&
      (status === undefined || span.attributes["http.response.status_code"] === status),
  );
}

describe("tracing over OTLP/HTTP JSON", () => {
  const receiver = new OtlpReceiver();
  let traced: Traced;
  let server: TestServer;
  let writer: string;

  beforeAll(async () => {
    await receiver.start();
    traced = await startTraced({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_SERVICE_NAME: "coffer-under-test",
    });
    server = traced.server;
    writer = await server.user("tracing-writer", "writer");
  });
  afterAll(async () => {
    await traced.running.close();
    await receiver.stop();
  });

  it("sends a server span per request, named by route pattern, with method, route and status", async () => {
    const created = await call(server, writer, "POST", "/api/v1/secrets", {
      name: "tracing-demo",
      values: { password: "fake-password-1" },
    });
    expect(created.status).toBe(201);
    const { id } = created.body as { id: string };
    expect((await call(server, writer, "GET", `/api/v1/secrets/${id}`)).status).toBe(200);

    const span = await receiver.waitFor(
      (spans) => serverSpan(spans, "GET /api/v1/secrets/:id", 200),
      "GET /api/v1/secrets/:id span",
    );
    expect(span.attributes).toEqual({
      "http.request.method": "GET",
      "http.route": "/api/v1/secrets/:id",
      "http.response.status_code": 200,
    });
    expect(span.statusCode).toBe(0);
    expect(span.resource["service.name"]).toBe("coffer-under-test");
    expect(span.resource["service.version"]).toMatch(/^\d+\.\d+\.\d+/);
    expect(serverSpan(receiver.spans(), "POST /api/v1/secrets", 201)).toBeDefined();
  });

  it("makes the store's and the metadata database's calls children of the request's span", async () => {
    const created = await call(server, writer, "POST", "/api/v1/secrets", {
      name: "tracing-children",
      values: { password: "fake-password-2" },
    });
    const { id } = created.body as { id: string };
    expect((await call(server, writer, "GET", `/api/v1/secrets/by-name?name=tracing-children`)).status).toBe(
      200,
    );
    const request = await receiver.waitFor(
      (spans) => serverSpan(spans, "GET /api/v1/secrets/by-name", 200),
      "by-name span",
    );
    const children = await receiver.waitFor((spans) => {
      const found = spans.filter((span) => span.parentSpanId === request.spanId);
      return found.some((span) => span.name === "coffer.store.get") ? found : undefined;
    }, "store span under the by-name request");
    const storeGet = children.find((span) => span.name === "coffer.store.get")!;
    expect(storeGet.traceId).toBe(request.traceId);
    expect(storeGet.kind).toBe(CLIENT);
    expect(storeGet.attributes).toEqual({ "coffer.store.type": "memory" });
    // The write's store call and its metadata queries hang under the POST's span.
    const post = receiver
      .spans()
      .find(
        (span) =>
          span.name === "POST /api/v1/secrets" && span.attributes["http.response.status_code"] === 201,
      )!;
    const underPost = receiver.spans().filter((span) => span.parentSpanId === post.spanId);
    expect(underPost.map((span) => span.name)).toEqual(
      expect.arrayContaining(["coffer.store.create", "coffer.metadata.select", "coffer.metadata.insert"]),
    );
    const query = underPost.find((span) => span.name === "coffer.metadata.insert")!;
    expect(query.attributes).toEqual({ "db.system.name": "sqlite", "db.operation.name": "insert" });
    expect(query.traceId).toBe(post.traceId);
    expect(id).toBeDefined();
  });

  it("continues the caller's trace from traceparent, without its tracestate", async () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const parentId = "00f067aa0ba902b7";
    const reply = await call(server, writer, "GET", "/api/v1/secrets?limit=1", undefined, {
      traceparent: `00-${traceId}-${parentId}-01`,
      tracestate: CANARY.traceState,
    });
    expect(reply.status).toBe(200);
    const span = await receiver.waitFor(
      (spans) => spans.find((s) => s.name === "GET /api/v1/secrets" && s.traceId === traceId),
      "span in the caller's trace",
    );
    expect(span.parentSpanId).toBe(parentId);
    expect(span.traceState).toBe("");
    // A malformed traceparent starts a trace of the server's own.
    expect(
      (await call(server, writer, "GET", "/api/v1/me", undefined, { traceparent: "00-zz-yy-01" })).status,
    ).toBe(200);
    const own = await receiver.waitFor((spans) => serverSpan(spans, "GET /api/v1/me"), "GET /api/v1/me span");
    expect(own.parentSpanId).toBe("");
  });

  it("follows the caller's sampling decision: a trace it does not sample sends nothing", async () => {
    const unsampled = "5bf92f3577b34da6a3ce929d0e0e4737";
    const reply = await call(server, writer, "GET", "/api/v1/secrets/by-name?name=tracing-demo", undefined, {
      traceparent: `00-${unsampled}-00f067aa0ba902b8-00`,
    });
    expect(reply.status).toBe(200);
    // A sampled request after it, to know the export went by.
    const sampled = "6bf92f3577b34da6a3ce929d0e0e4738";
    const after = await call(server, writer, "GET", "/api/v1/me", undefined, {
      traceparent: `00-${sampled}-00f067aa0ba902b9-01`,
    });
    expect(after.status).toBe(200);
    await receiver.waitFor(
      (spans) => spans.find((span) => span.traceId === sampled),
      "the sampled request's span",
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(receiver.spans().filter((span) => span.traceId === unsampled)).toEqual([]);
  });

  it("ends an event stream's span when the client leaves it", async () => {
    const controller = new AbortController();
    const response = await fetch(`${server.url}/api/v1/events`, {
      headers: { authorization: `Bearer ${writer}` },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    await response.body!.getReader().read();
    controller.abort();
    const stream = await receiver.waitFor(
      (spans) => serverSpan(spans, "GET /api/v1/events"),
      "the event stream's span",
    );
    expect(stream.attributes).toEqual({
      "http.request.method": "GET",
      "http.route": "/api/v1/events",
      "http.response.status_code": 200,
    });
    expect(stream.statusCode).toBe(0);
  });

  it("ends a request cut before it was answered as failed", async () => {
    const { hostname, port } = new URL(server.url);
    const socket = connect(Number(port), hostname);
    await new Promise((resolve) => socket.once("connect", resolve));
    // The body never arrives in full: the handler never runs, and the client gives up.
    socket.write(
      `POST /api/v1/secrets HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: Bearer ${writer}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"name":`,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    socket.destroy();
    const cut = await receiver.waitFor(
      (spans) =>
        spans.find(
          (span) =>
            span.name === "POST /api/v1/secrets" && span.attributes["error.type"] === "CONNECTION_CLOSED",
        ),
      "the cut request's span",
    );
    expect(cut.statusCode).toBe(2);
  });

  it("records a failed store call and its request by typed error code", async () => {
    const created = await call(server, writer, "POST", "/api/v1/secrets", {
      name: "tracing-outage",
      values: { password: "fake-password-3" },
    });
    const { id } = created.body as { id: string };
    const memory = traced.running.service.store as unknown as MemoryStore;
    memory.injectFault("get");
    expect((await call(server, writer, "GET", `/api/v1/secrets/${id}`)).status).toBe(503);
    const request = await receiver.waitFor(
      (spans) => serverSpan(spans, "GET /api/v1/secrets/:id", 503),
      "503 request span",
    );
    expect(request.attributes["error.type"]).toBe("BACKEND_UNAVAILABLE");
    expect(request.statusCode).toBe(2);
    const storeGet = await receiver.waitFor(
      (spans) => spans.find((s) => s.name === "coffer.store.get" && s.parentSpanId === request.spanId),
      "failed store span",
    );
    expect(storeGet.attributes["error.type"]).toBe("BACKEND_UNAVAILABLE");
    expect(storeGet.statusCode).toBe(2);
    // A 4xx is the caller's: typed code, but not an error status on the server's span.
    expect(
      (await call(server, writer, "GET", "/api/v1/secrets/00000000-0000-4000-8000-000000000000")).status,
    ).toBe(404);
    const missing = await receiver.waitFor(
      (spans) => serverSpan(spans, "GET /api/v1/secrets/:id", 404),
      "404 request span",
    );
    expect(missing.attributes["error.type"]).toBe("NOT_FOUND");
    expect(missing.statusCode).toBe(0);
    // A request the schema refuses: the code its reply carries.
    expect((await call(server, writer, "POST", "/api/v1/secrets", { name: 5, values: {} })).status).toBe(400);
    const refused = await receiver.waitFor(
      (spans) => serverSpan(spans, "POST /api/v1/secrets", 400),
      "400 request span",
    );
    expect(refused.attributes["error.type"]).toBe("VALIDATION");
  });
});

// The same scenario over both protocols: the default http/protobuf (checked byte by byte: its
// strings are plain UTF-8) and http/json.
describe.each(["http/protobuf", "http/json"])("spans over %s", (protocol) => {
  it("never carry a secret's name, key or value, a token, a URL or a header a client sent", async () => {
    const receiver = await new OtlpReceiver().start();
    const traced = await startTraced({
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces`,
      OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
      OTEL_BSP_SCHEDULE_DELAY: "600000",
    });
    const { server } = traced;
    const writer = await server.user("canary-writer", "writer");
    try {
      const values = { [CANARY.key]: CANARY.value };
      const headers = { "x-canary": CANARY.header, tracestate: CANARY.traceState };
      const send = (token: string, method: string, route: string, body?: unknown) =>
        call(server, token, method, route, body, {
          ...headers,
          traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        });
      expect((await send(writer, "POST", "/api/v1/secrets", { name: CANARY.name, values })).status).toBe(201);
      expect(
        (await send(writer, "POST", "/api/v1/secrets", { name: CANARY.privateName, values, private: true }))
          .status,
      ).toBe(201);
      const byName = `/api/v1/secrets/by-name?name=${CANARY.name}`;
      expect((await send(writer, "GET", byName)).status).toBe(200);
      expect((await send(writer, "PUT", byName, { values })).status).toBe(200);
      expect((await send(writer, "GET", `/api/v1/secrets/by-name?name=${CANARY.privateName}`)).status).toBe(
        200,
      );
      expect((await send(writer, "GET", `/api/v1/secrets/by-name?name=${CANARY.name}-missing`)).status).toBe(
        404,
      );
      expect((await send(writer, "GET", `/api/v1/${CANARY.name}/${CANARY.value}`)).status).toBe(404);
      expect((await send(CANARY.badToken, "GET", byName)).status).toBe(401);
      expect((await send(writer, "POST", "/api/v1/secrets", { name: CANARY.name, values })).status).toBe(409);
      expect(
        (
          await send(writer, "POST", "/api/v1/references/resolve", {
            text: `\${${CANARY.name}.${CANARY.key}}`,
          })
        ).status,
      ).toBeLessThan(500);
      // Invalid input whose error message quotes it.
      expect(
        (await send(writer, "POST", "/api/v1/secrets", { name: `${CANARY.name}\u0000`, values })).status,
      ).toBe(400);
      await traced.running.close();

      const bytes = receiver.allBytes();
      const text = bytes.toString("latin1");
      for (const canary of [...Object.values(CANARY), "canary", writer, server.adminToken, "by-name?name"]) {
        expect(text).not.toContain(canary);
      }
      // The export did see those requests (so the absence above means something), and it was
      // the protocol asked for.
      expect(text).toContain("GET /api/v1/secrets/by-name");
      expect(text).toContain("PUT /api/v1/secrets/by-name");
      expect(text).toContain("coffer.store.update");
      expect(receiver.bodies.every((body) => body.path === "/v1/traces")).toBe(true);
      expect(receiver.bodies[0]?.contentType).toBe(
        protocol === "http/json" ? "application/json" : "application/x-protobuf",
      );
    } finally {
      await traced.running.close().catch(() => undefined);
      await receiver.stop();
    }
  });
});

describe("the shutdown", () => {
  it("exports the spans still queued", async () => {
    const receiver = await new OtlpReceiver().start();
    // Nothing would be exported for ten minutes but for the shutdown's flush.
    const traced = await startTraced({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_BSP_SCHEDULE_DELAY: "600000",
    });
    try {
      expect((await call(traced.server, traced.server.adminToken, "GET", "/api/v1/me")).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(receiver.spans()).toEqual([]);
      await traced.running.close();
      expect(serverSpan(receiver.spans(), "GET /api/v1/me", 200)).toBeDefined();
    } finally {
      await receiver.stop();
    }
  });
});

describe("a collector that does not answer", () => {
  let traced: Traced | undefined;
  let receiver: OtlpReceiver | undefined;
  afterEach(async () => {
    await traced?.running.close();
    await receiver?.stop();
  });

  it("costs the requests nothing, is logged once, and is noticed when it comes back", async () => {
    // A port nothing listens on (a receiver's, closed), taken again by a receiver later.
    const probe = await new OtlpReceiver().start();
    const port = probe.port;
    await probe.stop();
    traced = await startTraced({
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_EXPORTER_OTLP_TIMEOUT: "2000",
      OTEL_BSP_MAX_QUEUE_SIZE: "64",
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: "16",
    });
    const { server } = traced;
    // Requests one after another, each timed: an export to the dead collector (retried for up
    // to its 2 s timeout) on the request path would show in every one of them.
    const times: number[] = [];
    for (let i = 0; i < 9; i++) {
      const started = performance.now();
      expect((await call(server, server.adminToken, "GET", "/api/v1/me")).status).toBe(200);
      times.push(performance.now() - started);
    }
    times.sort((x, y) => x - y);
    expect(
      times[Math.floor(times.length / 2)],
      `median of ${times.map(Math.round).join(" ")} ms`,
    ).toBeLessThan(250);
    // And many at once all answer.
    const replies = await Promise.all(
      Array.from({ length: 200 }, () => call(server, server.adminToken, "GET", "/api/v1/me")),
    );
    expect(replies.every((reply) => reply.status === 200)).toBe(true);
    // Several batches have failed by now; one warning says so.
    await waitUntil(() => warnings(traced!).length > 0, "the delivery warning");
    await new Promise((resolve) => setTimeout(resolve, 1500));
    for (let i = 0; i < 20; i++) await call(server, server.adminToken, "GET", "/api/v1/me");
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(warnings(traced)).toHaveLength(1);
    expect(warnings(traced)[0]).toMatchObject({ level: 40, collector: `http://127.0.0.1:${port}` });

    // The collector comes up: spans flow again, and the log says so.
    receiver = await new OtlpReceiver().start(port);
    for (let i = 0; i < 5; i++) await call(server, server.adminToken, "GET", "/api/v1/me");
    await receiver.waitFor((spans) => serverSpan(spans, "GET /api/v1/me"), "spans after the outage");
    await waitUntil(
      () => traced!.logLines.some((line) => line.msg === "tracing: spans are exported again"),
      "the recovery line",
    );
  });

  it("keeps at most its queue of spans while it hangs", async () => {
    // A collector that takes the requests and does not answer: each export waits out its
    // timeout, and meanwhile the queue (8) fills and what is beyond it is dropped.
    receiver = await new OtlpReceiver().start();
    receiver.holding = true;
    traced = await startTraced({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_EXPORTER_OTLP_TIMEOUT: "1500",
      OTEL_BSP_MAX_QUEUE_SIZE: "8",
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: "8",
    });
    const { server } = traced;
    const replies = await Promise.all(
      Array.from({ length: 100 }, () => call(server, server.adminToken, "GET", "/api/v1/me")),
    );
    expect(replies.every((reply) => reply.status === 200)).toBe(true);
    receiver.release();
    expect((await call(server, undefined, "GET", "/health")).status).toBe(200);
    await receiver.waitFor((spans) => serverSpan(spans, "GET /health"), "the span after the hang");
    await new Promise((resolve) => setTimeout(resolve, 300));
    // 100 request spans were made; what reached the collector at all: the batch it held (8),
    // the queue (8), perhaps one more batch taken while the first timed out.
    const survivors = receiver.spans().filter((span) => span.name === "GET /api/v1/me");
    expect(survivors.length).toBeGreaterThan(0);
    expect(survivors.length, `${survivors.length} request spans survived`).toBeLessThanOrEqual(24);
  });

  it("does not hold a shutdown", async () => {
    const probe = await new OtlpReceiver().start();
    const port = probe.port;
    await probe.stop();
    traced = await startTraced({
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
      OTEL_BSP_SCHEDULE_DELAY: "600000",
    });
    expect((await call(traced.server, traced.server.adminToken, "GET", "/api/v1/me")).status).toBe(200);
    const started = performance.now();
    await traced.running.close();
    traced = undefined;
    // The exporter's own retries would take up to its 10 s timeout; the flush is bounded at 5 s.
    expect(performance.now() - started).toBeLessThan(6000);
  });
});

function warnings(traced: Traced) {
  return traced.logLines.filter((line) => line.msg.startsWith("tracing: spans could not be exported"));
}

async function waitUntil(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
