// POST /api/v1/admin/diff (issue 16, item 6): an archive made by the backup endpoint compared with
// the live deployment — equal, then secrets added, removed and changed by name, key and version —
// and values never in the reply, the server's log or the audit log (the canary is in every value).
// Whatever is wrong with the upload is a typed 4xx, never a 5xx: no key, not an archive, a wrong
// key, a truncated archive (422 INTEGRITY); over the server's archive limit, declared or streamed
// (413). The restore endpoint answers the same for a damaged upload. Each diff is audited as
// deployment.diff, with counts.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { generateArchiveIdentity } from "@coffer/backup";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../src/index.js";
import { asTestServer, call, callRaw, type TestServer } from "./helpers.js";

const CANARY = "fake-canary-e71c-diff";
const ARCHIVE_LIMIT = 64 * 1024;

let running: RunningServer;
let server: TestServer;
let keys: { identity: string; recipient: string };
const logLines: string[] = [];

beforeAll(async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), "coffer-diff-server-"));
  running = await startServer({
    env: {
      COFFER_DATA_DIR: dataDir,
      COFFER_DATABASE_URL: `sqlite://${path.join(dataDir, "coffer.db")}`,
      COFFER_LOG_LEVEL: "debug",
      COFFER_STORE_TYPE: "memory",
    },
    settings: { port: 0, authFailureLimit: 0, archiveLimitBytes: ARCHIVE_LIMIT },
    logStream: { write: (line: string) => logLines.push(line) },
  });
  server = asTestServer(running);
  keys = await generateArchiveIdentity();
});
afterAll(() => running?.close());

async function backup(): Promise<Buffer> {
  const reply = await fetch(`${server.url}/api/v1/admin/backup`, {
    method: "POST",
    headers: { authorization: `Bearer ${server.adminToken}`, "content-type": "application/json" },
    body: JSON.stringify({ recipients: [keys.recipient] }),
  });
  expect(reply.status).toBe(200);
  return Buffer.from(await reply.arrayBuffer());
}

function diff(
  body: Buffer | string,
  headers: Record<string, string> = { "x-coffer-backup-identity": keys.identity },
) {
  return callRaw(server, server.adminToken, "POST", "/api/v1/admin/diff", body, {
    "content-type": "application/octet-stream",
    ...headers,
  });
}

const errorOf = (body: unknown) =>
  (body as { error: { code: string; details?: Record<string, unknown> } }).error;

describe("POST /api/v1/admin/diff", () => {
  let archive: Buffer;

  beforeAll(async () => {
    const admin = server.adminToken;
    const created = await call(server, admin, "POST", "/api/v1/secrets", {
      name: "db",
      values: { password: CANARY, user: `${CANARY}-user` },
    });
    expect(created.status).toBe(201);
    await call(server, admin, "POST", "/api/v1/secrets", { name: "gone", values: { k: CANARY } });
    await call(server, admin, "POST", "/api/v1/secrets", {
      name: "mine",
      values: { k: CANARY },
      private: true,
    });
    archive = await backup();
  });

  it("an archive of the deployment as it is: equal", async () => {
    const reply = await diff(archive);
    expect(reply.status, reply.text).toBe(200);
    expect(reply.body).toMatchObject({
      a: "uploaded archive",
      b: "deployment",
      equal: true,
      counts: { a: 3, b: 3, added: 0, removed: 0, changed: 0, same: 3 },
    });
  });

  it("after changes: added, removed and changed by name, key and version — no value in the reply", async () => {
    const admin = server.adminToken;
    const db = (await call(server, admin, "GET", "/api/v1/secrets/by-name?name=db")).body as { id: string };
    const patched = await call(server, admin, "PATCH", `/api/v1/secrets/${db.id}`, {
      values: { password: `${CANARY}-2`, extra: CANARY },
    });
    expect(patched.status, patched.text).toBe(200);
    const id = (await call(server, admin, "GET", "/api/v1/secrets/by-name?name=gone")).body as { id: string };
    expect((await call(server, admin, "DELETE", `/api/v1/secrets/${id.id}`)).status).toBe(204);
    await call(server, admin, "POST", "/api/v1/secrets", { name: "new", values: { n: CANARY } });
    const reply = await diff(archive);
    expect(reply.status, reply.text).toBe(200);
    expect(reply.body).toMatchObject({
      equal: false,
      counts: { a: 3, b: 3, added: 1, removed: 1, changed: 1, same: 1 },
      added: [{ name: "new", version: 1, keys: ["n"] }],
      removed: [{ name: "gone", version: 1, keys: ["k"] }],
      changed: [
        {
          name: "db",
          version: { from: 1, to: 2 },
          keysAdded: ["extra"],
          keysRemoved: [],
          keysChanged: ["password"],
        },
      ],
    });
    expect(reply.text).not.toContain("fake-canary");
  });

  it.each([
    ["not an archive", () => Buffer.from("fake plain text, not an age file\n"), undefined],
    ["a truncated archive", () => archive.subarray(0, archive.length - 64), undefined],
    ["an archive with a flipped byte", () => flipped(archive), undefined],
  ])("%s: 422 INTEGRITY, never a 5xx", async (_what, body) => {
    const reply = await diff(body());
    expect(reply.status, reply.text).toBe(422);
    expect(errorOf(reply.body).code).toBe("INTEGRITY");
  });

  it("a wrong key: 422 INTEGRITY (wrong-key); no key at all: 400", async () => {
    const other = await generateArchiveIdentity();
    const wrong = await diff(archive, { "x-coffer-backup-identity": other.identity });
    expect(wrong.status, wrong.text).toBe(422);
    expect(errorOf(wrong.body)).toMatchObject({ code: "INTEGRITY", details: { reason: "wrong-key" } });
    const passphrase = await diff(archive, { "x-coffer-backup-passphrase": "fake-wrong-passphrase" });
    expect(passphrase.status, passphrase.text).toBe(422);
    const none = await diff(archive, {});
    expect(none.status, none.text).toBe(400);
    expect(errorOf(none.body).code).toBe("VALIDATION");
  });

  it("no archive body (JSON instead): 400", async () => {
    const reply = await callRaw(server, server.adminToken, "POST", "/api/v1/admin/diff", "{}", {
      "x-coffer-backup-identity": keys.identity,
    });
    expect(reply.status, reply.text).toBe(400);
  });

  it("over the archive limit: 413, declared by Content-Length or found while streaming", async () => {
    const big = Buffer.alloc(ARCHIVE_LIMIT + 1024, 7);
    const declared = await diff(big);
    expect(declared.status, declared.text).toBe(413);
    expect(errorOf(declared.body).code).toBe("VALUE_TOO_LARGE");
    // Chunked: no Content-Length, so the limit is found by counting.
    const streamed = await fetch(`${server.url}/api/v1/admin/diff`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${server.adminToken}`,
        "content-type": "application/octet-stream",
        "x-coffer-backup-identity": keys.identity,
      },
      body: ReadableStream.from([archive, big]),
      duplex: "half",
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(errorOf(await streamed.json()).code).toBe("VALUE_TOO_LARGE");
  });

  it("the restore endpoint refuses a damaged upload with 422 too, and writes nothing", async () => {
    const before = (await call(server, server.adminToken, "GET", "/api/v1/secrets")).text;
    const reply = await callRaw(
      server,
      server.adminToken,
      "POST",
      "/api/v1/admin/restore?onConflict=overwrite",
      archive.subarray(0, archive.length - 64),
      { "content-type": "application/octet-stream", "x-coffer-backup-identity": keys.identity },
    );
    expect(reply.status, reply.text).toBe(422);
    expect((await call(server, server.adminToken, "GET", "/api/v1/secrets")).text).toBe(before);
  });

  it("every diff is audited as deployment.diff with counts; no value in the log or the audit records", async () => {
    await running.service.flushAudit();
    const records = await running.service.audit!.list({ action: "deployment.diff", limit: 100 });
    const outcomes = records.map((record) => record.outcome);
    expect(outcomes).toContain("ok");
    expect(outcomes).toContain("INTEGRITY");
    const ok = records.find((record) => record.outcome === "ok" && record.target?.counts?.added === 1);
    expect(ok).toMatchObject({
      actor: { name: "admin" },
      origin: { kind: "server" },
      target: { against: "archive", counts: { added: 1, removed: 1, changed: 1 } },
    });
    expect(JSON.stringify(records)).not.toContain("fake-canary");
    expect(logLines.length).toBeGreaterThan(10);
    expect(logLines.join("")).not.toContain("fake-canary");
  });

  it("a reader cannot diff (403)", async () => {
    const reader = await server.user("rita", "reader");
    const reply = await callRaw(server, reader, "POST", "/api/v1/admin/diff", archive, {
      "content-type": "application/octet-stream",
      "x-coffer-backup-identity": keys.identity,
    });
    expect(reply.status).toBe(403);
  });
});

function flipped(bytes: Buffer): Buffer {
  const copy = Buffer.from(bytes);
  copy[copy.length - 100] = copy[copy.length - 100]! ^ 0xff;
  return copy;
}
