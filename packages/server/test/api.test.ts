import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, startTestServer, type TestServer } from "./helpers.js";

let server: TestServer;
let writer: string;
beforeAll(async () => {
  server = await startTestServer();
  writer = await server.user("writer", "writer");
});
afterAll(() => server.close());

const errorOf = (body: unknown) =>
  (body as { error: { code: string; message: string; hint?: string } }).error;

describe("REST API behaviour", () => {
  it("creates with 201 and an ETag carrying the version; If-Match makes writes check-and-set (412 when stale)", async () => {
    const created = await call(server, writer, "POST", "/api/v1/secrets", {
      name: "cas",
      values: { v: "fake-1" },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get("etag")).toBe('"1"');
    const id = (created.body as { id: string }).id;
    const updated = await call(
      server,
      writer,
      "PATCH",
      `/api/v1/secrets/${id}`,
      { values: { v: "fake-2" } },
      { "if-match": '"1"' },
    );
    expect(updated.status).toBe(200);
    expect(updated.headers.get("etag")).toBe('"2"');
    const stale = await call(
      server,
      writer,
      "PATCH",
      `/api/v1/secrets/${id}`,
      { values: { v: "fake-3" } },
      { "if-match": '"1"' },
    );
    expect(stale.status).toBe(412);
    expect(errorOf(stale.body).code).toBe("VERSION_CONFLICT");
    const bad = await call(server, writer, "DELETE", `/api/v1/secrets/${id}`, undefined, {
      "if-match": "yesterday",
    });
    expect(bad.status).toBe(400);
  });

  it("PUT by name answers 201 when it creates, 200 when it replaces; If-None-Match: * only creates", async () => {
    const first = await call(
      server,
      writer,
      "PUT",
      "/api/v1/secrets/by-name?name=once",
      { values: { v: "fake" } },
      { "if-none-match": "*" },
    );
    expect(first.status).toBe(201);
    const again = await call(
      server,
      writer,
      "PUT",
      "/api/v1/secrets/by-name?name=once",
      { values: { v: "fake-2" } },
      { "if-none-match": "*" },
    );
    expect(again.status).toBe(412);
    // Without the header it replaces: 200, and the version moves on.
    const replaced = await call(server, writer, "PUT", "/api/v1/secrets/by-name?name=once", {
      values: { v: "fake-3" },
    });
    expect(replaced.status).toBe(200);
    expect((replaced.body as { version: number }).version).toBe(2);
  });

  it.each([
    ["malformed JSON", "POST", "/api/v1/secrets", "{not json", 400, /not valid JSON|JSON/],
    [
      "an unknown field",
      "POST",
      "/api/v1/secrets",
      JSON.stringify({ name: "x", values: {}, colour: "red" }),
      400,
      /'colour' is not a known field/,
    ],
    [
      "a non-string value",
      "POST",
      "/api/v1/secrets",
      JSON.stringify({ name: "x", values: { port: 5432 } }),
      400,
      /values/,
    ],
    [
      "an unknown query parameter",
      "GET",
      "/api/v1/secrets?colour=red",
      undefined,
      400,
      /'colour' is not a known query parameter/,
    ],
    ["a bad visibility in the query", "GET", "/api/v1/secrets?private=maybe", undefined, 400, /private/],
    [
      "an invalid name",
      "POST",
      "/api/v1/secrets",
      JSON.stringify({ name: "bad\nname", values: {} }),
      400,
      /control character/,
    ],
    ["an unknown route", "GET", "/api/v1/nope", undefined, 404, /There is no GET \/api\/v1\/nope endpoint/],
  ])("answers %s with a typed 4xx error", async (_, method, route, rawBody, status, message) => {
    const response = await fetch(`${server.url}${route}`, {
      method,
      headers: {
        authorization: `Bearer ${writer}`,
        ...(rawBody ? { "content-type": "application/json" } : {}),
      },
      ...(rawBody ? { body: rawBody } : {}),
    });
    const body = (await response.json()) as { error: { message: string } };
    expect(response.status).toBe(status);
    expect(body.error.message).toMatch(message);
  });

  it("refuses an oversize secret with 413 saying by how much, and writes nothing", async () => {
    const response = await call(server, writer, "POST", "/api/v1/secrets", {
      name: "huge",
      values: { blob: "x".repeat(5000) },
    });
    expect(response.status).toBe(413);
    expect(errorOf(response.body).message).toMatch(/over the 'memory' store's limit of 4096 bytes/);
    expect((await call(server, writer, "GET", "/api/v1/secrets/by-name?name=huge")).status).toBe(404);
  });

  it("refuses a request body past the server's limit with 413", async () => {
    const response = await call(server, writer, "POST", "/api/v1/secrets", {
      name: "big",
      values: { blob: "x".repeat(3 * 1024 * 1024) },
    });
    expect(response.status).toBe(413);
    expect(errorOf(response.body).code).toBe("VALUE_TOO_LARGE");
  });

  it("never puts a value into an error body", async () => {
    const created = await call(server, writer, "POST", "/api/v1/secrets", {
      name: "quiet",
      values: { k: "fake-quiet-value" },
    });
    const id = (created.body as { id: string }).id;
    for (const attempt of [
      call(server, writer, "POST", "/api/v1/secrets", { name: "quiet", values: { k: "fake-quiet-value" } }),
      call(server, writer, "PATCH", `/api/v1/secrets/${id}`, {
        values: { k: "fake-quiet-value", x: null },
        removeKeys: ["x"],
      }),
      call(server, writer, "PATCH", `/api/v1/secrets/${id}`, {
        values: { blob: "fake-quiet-value".repeat(400) },
      }),
    ]) {
      const response = await attempt;
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.text).not.toContain("fake-quiet-value");
    }
  });

  it("serves health without a token, readiness as a bare status, and the store's health to admins only", async () => {
    expect((await call(server, undefined, "GET", "/health")).status).toBe(200);
    const ready = await call(server, undefined, "GET", "/ready");
    expect(ready.status).toBe(200);
    // The details name the database (user, host), the data directory and the keyring: not for anyone.
    expect(ready.body).toEqual({ status: "ready" });
    expect((await call(server, writer, "GET", "/ready")).body).toEqual({ status: "ready" });
    const detailed = await call(server, server.adminToken, "GET", "/ready");
    expect(detailed.body).toMatchObject({
      status: "ready",
      metadata: { status: "ready", message: expect.stringContaining("sqlite") },
      store: { type: "memory", status: "ready" },
    });
  });
});

describe("operations endpoints", () => {
  it("describe the store to any user, and keep key rotation, copying and reconcile to admins", async () => {
    const reader = await server.user("ops-reader", "reader");
    const info = await call(server, reader, "GET", "/api/v1/store");
    expect(info.status).toBe(200);
    expect(info.body).toMatchObject({
      status: "ready",
      store: { type: "memory", keyRotation: false },
      metadata: { status: "ready" },
    });
    expect((await call(server, writer, "POST", "/api/v1/admin/reconcile")).status).toBe(403);
    expect((await call(server, server.adminToken, "POST", "/api/v1/admin/reconcile")).body).toMatchObject({
      failed: [],
    });
    const rotate = await call(server, server.adminToken, "POST", "/api/v1/admin/rotate-key", {});
    expect(rotate.status).toBe(501);
    expect((rotate.body as { error: { message: string } }).error.message).toMatch(
      /has no encryption keys that Coffer manages/,
    );
    const copy = await call(server, server.adminToken, "POST", "/api/v1/admin/copy-values", {
      direction: "to-backup",
    });
    expect(copy.status).toBe(501);
  });
});
