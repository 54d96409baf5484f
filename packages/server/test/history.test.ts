// The history endpoints over HTTP: history and old versions for each role, rollback with If-Match,
// and every bad input a typed 4xx (a store that keeps no earlier values: 501), never a 500 — and
// never a value in a history reply.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { silentLogger } from "@coffer/core";
import { createService } from "@coffer/service";
import { openDatabase } from "@coffer/sql";
import { MemoryStore, type MemoryStoreOptions } from "@coffer/store-memory";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp, IdentityStore } from "../src/index.js";
import { call, type TestServer } from "./helpers.js";

async function serverWith(storeOptions: MemoryStoreOptions): Promise<TestServer> {
  const dir = mkdtempSync(path.join(tmpdir(), "coffer-server-history-"));
  const databaseUrl = `sqlite://${path.join(dir, "coffer.db")}`;
  const service = await createService({
    databaseUrl,
    dataDir: dir,
    store: () => new MemoryStore(storeOptions),
    logger: silentLogger,
  });
  const database = openDatabase(databaseUrl);
  const identity = await IdentityStore.open(database);
  const bootstrap = await identity.bootstrap("admin");
  const app = await buildApp({ service, identity, authFailureLimit: 0 });
  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  return {
    url,
    adminToken: bootstrap?.token ?? "",
    identity,
    async user(name, role) {
      await identity.createUser(name, role);
      return (await identity.issueToken(name)).token;
    },
    async close() {
      await app.close();
      await service.close();
      await database.close();
    },
  };
}

/** A secret at version 3: password changed at 2, host removed at 3. */
async function threeVersions(server: TestServer, token: string, name: string) {
  const created = await call(server, token, "POST", "/api/v1/secrets", {
    name,
    values: { password: "fake-srv-1", host: "fake-host" },
  });
  expect(created.status).toBe(201);
  const id = (created.body as { id: string }).id;
  await call(server, token, "PATCH", `/api/v1/secrets/${id}`, { values: { password: "fake-srv-2" } });
  await call(server, token, "PATCH", `/api/v1/secrets/${id}`, { values: { host: null } });
  return id;
}

describe("history endpoints", () => {
  let server: TestServer;
  let writer: string;
  let reader: string;
  let valueReader: string;

  beforeAll(async () => {
    server = await serverWith({ maxValueBytes: 4096 });
    writer = await server.user("wendy", "writer");
    reader = await server.user("rita", "reader");
    valueReader = await server.user("vera", "value-reader");
  });
  afterAll(async () => server?.close());

  it("GET history: versions newest first, who by name and id, what changed; no value for anyone", async () => {
    const id = await threeVersions(server, writer, "h-list");
    for (const token of [writer, reader]) {
      const reply = await call(server, token, "GET", `/api/v1/secrets/${id}/history`);
      expect(reply.status).toBe(200);
      const body = reply.body as { version: number; versions: Array<Record<string, unknown>> };
      expect(body.version).toBe(3);
      expect(body.versions.map((each) => each.version)).toEqual([3, 2, 1]);
      expect(body.versions[0]).toMatchObject({ createdBy: "wendy", action: "update" });
      expect(String(body.versions[0]!.createdById)).toMatch(/^user:/);
      expect(body.versions[1]!.changes).toEqual({ added: [], removed: [], changed: ["password"] });
      expect(reply.text).not.toContain("fake-");
    }
  });

  it("GET a version: values for value-readers and the owner, metadata only for readers", async () => {
    const id = await threeVersions(server, writer, "h-read");
    const owner = await call(server, writer, "GET", `/api/v1/secrets/${id}/versions/1`);
    expect(owner.status).toBe(200);
    expect(owner.body).toMatchObject({ version: 1, values: { password: "fake-srv-1", host: "fake-host" } });
    const vr = await call(server, valueReader, "GET", `/api/v1/secrets/${id}/versions/2`);
    expect(vr.body).toMatchObject({ version: 2, values: { password: "fake-srv-2", host: "fake-host" } });
    const r = await call(server, reader, "GET", `/api/v1/secrets/${id}/versions/1`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ version: 1, keys: ["password", "host"] });
    expect(r.text).not.toContain("fake-");
    // The same not-found for a version that never was, whoever asks.
    for (const token of [writer, reader]) {
      const missing = await call(server, token, "GET", `/api/v1/secrets/${id}/versions/9`);
      expect(missing.status).toBe(404);
      expect((missing.body as { error: { message: string } }).error.message).toBe(
        "The secret 'h-read' has no version 9.",
      );
    }
  });

  it("POST rollback: a new version with the old values; If-Match checks the current version", async () => {
    const id = await threeVersions(server, writer, "h-rollback");
    const stale = await call(
      server,
      writer,
      "POST",
      `/api/v1/secrets/${id}/rollback`,
      { toVersion: 1 },
      {
        "if-match": '"2"',
      },
    );
    expect(stale.status).toBe(412);
    const rolled = await call(
      server,
      writer,
      "POST",
      `/api/v1/secrets/${id}/rollback`,
      { toVersion: 1 },
      {
        "if-match": '"3"',
      },
    );
    expect(rolled.status).toBe(200);
    expect(rolled.headers.get("etag")).toBe('"4"');
    expect(rolled.body).toMatchObject({ version: 4, keys: ["password", "host"] });
    expect(rolled.text).not.toContain("fake-");
    const now = await call(server, writer, "GET", `/api/v1/secrets/${id}`);
    expect((now.body as { values: unknown }).values).toEqual({ password: "fake-srv-1", host: "fake-host" });
    const denied = await call(server, reader, "POST", `/api/v1/secrets/${id}/rollback`, { toVersion: 2 });
    expect(denied.status).toBe(403);
  });

  it("bad input is a typed 400 or 404, never a 500, and writes nothing", async () => {
    const id = await threeVersions(server, writer, "h-bad");
    const cases: Array<[string, string, unknown, number]> = [
      ["GET", `/api/v1/secrets/${id}/versions/0`, undefined, 400],
      ["GET", `/api/v1/secrets/${id}/versions/-1`, undefined, 400],
      ["GET", `/api/v1/secrets/${id}/versions/1.5`, undefined, 400],
      ["GET", `/api/v1/secrets/${id}/versions/abc`, undefined, 400],
      ["GET", `/api/v1/secrets/${id}/versions/99999999999999999999`, undefined, 400],
      ["GET", `/api/v1/secrets/${id}/versions/%00`, undefined, 400],
      ["GET", `/api/v1/secrets/${id}/versions/999999999999999`, undefined, 404],
      ["GET", "/api/v1/secrets/not-an-id/history", undefined, 404],
      ["GET", "/api/v1/secrets/not-an-id/versions/1", undefined, 404],
      ["POST", `/api/v1/secrets/${id}/rollback`, { toVersion: 0 }, 400],
      ["POST", `/api/v1/secrets/${id}/rollback`, { toVersion: "1" }, 400],
      ["POST", `/api/v1/secrets/${id}/rollback`, { toVersion: 1.5 }, 400],
      ["POST", `/api/v1/secrets/${id}/rollback`, {}, 400],
      ["POST", `/api/v1/secrets/${id}/rollback`, { toVersion: 1, extra: true }, 400],
      ["POST", `/api/v1/secrets/${id}/rollback`, { toVersion: 1e300 }, 400],
      ["POST", `/api/v1/secrets/${id}/rollback`, { toVersion: 42 }, 404],
    ];
    for (const [method, route, body, status] of cases) {
      const reply = await call(server, writer, method, route, body);
      expect(reply.status, `${method} ${route} ${JSON.stringify(body)}: ${reply.text}`).toBe(status);
      expect(reply.text).not.toContain("fake-");
    }
    const after = await call(server, writer, "GET", `/api/v1/secrets/${id}?values=false`);
    expect((after.body as { version: number }).version).toBe(3);
  });
});

describe("history endpoints on a store that keeps no earlier values", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await serverWith({ versions: false, cas: false, softDelete: false });
  });
  afterAll(async () => server?.close());

  it("history is listed; an earlier version's values and a rollback are 501 NOT_SUPPORTED", async () => {
    const id = await threeVersions(server, server.adminToken, "h-none");
    const history = await call(server, server.adminToken, "GET", `/api/v1/secrets/${id}/history`);
    expect(history.status).toBe(200);
    expect((history.body as { versions: unknown[] }).versions).toHaveLength(3);
    const current = await call(server, server.adminToken, "GET", `/api/v1/secrets/${id}/versions/3`);
    expect(current.status).toBe(200);
    for (const [method, route, body] of [
      ["GET", `/api/v1/secrets/${id}/versions/1`, undefined],
      ["POST", `/api/v1/secrets/${id}/rollback`, { toVersion: 1 }],
    ] as const) {
      const reply = await call(server, server.adminToken, method, route, body);
      expect(reply.status, route).toBe(501);
      expect((reply.body as { error: { code: string } }).error.code).toBe("NOT_SUPPORTED");
    }
  });
});
