// The audit log through the server (issue 15, items 5–9). One scenario performs every action the
// audit package defines (AUDIT_ACTIONS: the list is derived from the enum, not written here), with
// a canary value in the secrets, then checks: each action has a record; no sink — the database
// rows, the JSON-lines file, the stdout stream — holds the canary; the chain verifies; auditors
// read records but no values. Also: the server's log is pino JSON with the acting user on each
// request line, and the audit records are not in it.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { AUDIT_ACTION_NAMES, type AuditRecord, withAuditContext } from "@coffer/audit";
import { generateArchiveIdentity } from "@coffer/backup";
import { openDatabase } from "@coffer/sql";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type RunningServer, startServer } from "../src/index.js";
import { asTestServer, call, callRaw, type TestServer } from "./helpers.js";

/** Obviously fake, and unique enough that finding it anywhere means a value leaked. */
const CANARY = "fake-canary-5b2d8e41-value";

let running: RunningServer;
let server: TestServer;
let dataDir: string;
const shipped: string[] = [];
const logLines: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), "coffer-audit-server-"));
  running = await startServer({
    env: {
      COFFER_DATA_DIR: dataDir,
      COFFER_DATABASE_URL: `sqlite://${path.join(dataDir, "coffer.db")}`,
      COFFER_LOG_LEVEL: "info",
      COFFER_STORE_TYPE: "sql",
      COFFER_BACKUP_STORE_TYPE: "memory",
      COFFER_AUDIT_SINKS: "database,file,stdout",
      COFFER_AUDIT_RETENTION_DAYS: "30",
    },
    settings: { port: 0, authFailureLimit: 0 },
    logStream: { write: (line: string) => logLines.push(JSON.parse(line)) },
  });
  server = asTestServer(running);
});
afterAll(() => running?.close());

/** Runs `work` with standard output captured: the stdout sink's lines land in `shipped`. */
async function capturingStdout<T>(work: () => Promise<T>): Promise<T> {
  const spy = vi.spyOn(process.stdout, "write").mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
    shipped.push(String(chunk));
    const done = rest.find((each) => typeof each === "function") as (() => void) | undefined;
    done?.();
    return true;
  }) as typeof process.stdout.write);
  try {
    return await work();
  } finally {
    spy.mockRestore();
  }
}

describe("every audited action, through the server", () => {
  let records: AuditRecord[];

  beforeAll(async () => {
    await capturingStdout(async () => {
      const admin = server.adminToken;
      const ok = async (reply: Promise<{ status: number; text: string }>, status = 200) => {
        const { status: got, text } = await reply;
        expect(got, text).toBe(status);
        return JSON.parse(text || "null");
      };
      await ok(call(server, admin, "GET", "/api/v1/me"));
      await ok(call(server, admin, "POST", "/api/v1/users", { name: "bob", role: "writer" }), 201);
      await ok(call(server, admin, "PUT", "/api/v1/users/bob/role", { role: "value-reader" }));
      const token = await ok(
        call(server, admin, "POST", "/api/v1/tokens", { description: "audit test" }),
        201,
      );
      await ok(call(server, admin, "DELETE", `/api/v1/tokens/${token.id}`), 204);
      const created = await ok(
        call(server, admin, "POST", "/api/v1/secrets", {
          name: "db",
          values: { password: CANARY },
          private: true,
        }),
        201,
      );
      await ok(call(server, admin, "GET", "/api/v1/secrets/by-name?name=db&private=true"));
      await ok(
        call(server, admin, "PATCH", `/api/v1/secrets/${created.id}`, { values: { user: `${CANARY}-2` } }),
      );
      await ok(call(server, admin, "GET", `/api/v1/secrets/${created.id}/history`));
      await ok(call(server, admin, "GET", `/api/v1/secrets/${created.id}/versions/1`));
      await ok(call(server, admin, "POST", `/api/v1/secrets/${created.id}/rollback`, { toVersion: 1 }));
      await ok(call(server, admin, "POST", `/api/v1/secrets/${created.id}/rename`, { name: "db2" }));
      await ok(call(server, admin, "POST", `/api/v1/secrets/${created.id}/visibility`, { private: false }));
      await ok(call(server, admin, "POST", `/api/v1/secrets/${created.id}/visibility`, { private: true }));
      await ok(
        call(server, admin, "POST", "/api/v1/references/resolve", {
          document: { url: `x://{{db2.password}}` },
        }),
      );
      // Denials: no token, a role that lacks the permission, a private secret of someone else (404).
      const reader = await server.user("rita", "reader");
      await ok(call(server, undefined, "GET", "/api/v1/secrets"), 401);
      await ok(call(server, reader, "POST", "/api/v1/secrets", { name: "x", values: { k: CANARY } }), 403);
      await ok(call(server, reader, "GET", `/api/v1/secrets/${created.id}`), 404);
      // What `coffer secret export` does on the local CLI (the command sets what the read is for).
      const adminId = (await ok(call(server, admin, "GET", "/api/v1/me"))).userId as string;
      await withAuditContext({ origin: { kind: "cli-local" }, readAs: "secret.export" }, () =>
        running.service.get({ id: adminId }, { id: created.id }),
      );
      await ok(call(server, admin, "POST", "/api/v1/admin/rotate-key", {}));
      await ok(call(server, admin, "POST", "/api/v1/admin/reconcile"));
      await ok(call(server, admin, "POST", "/api/v1/admin/copy-values", { direction: "to-backup" }));
      await ok(call(server, admin, "POST", "/api/v1/admin/copy-values", { direction: "to-primary" }));
      // The deployment as a whole: an archive out, restored and compared, and a migration (the
      // CLI's coffer migrate, in process: the backup store is the target).
      const keys = await generateArchiveIdentity();
      const archive = await fetch(`${server.url}/api/v1/admin/backup`, {
        method: "POST",
        headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
        body: JSON.stringify({ recipients: [keys.recipient] }),
      });
      expect(archive.status).toBe(200);
      const bytes = Buffer.from(await archive.arrayBuffer());
      const upload = {
        "content-type": "application/octet-stream",
        "x-coffer-backup-identity": keys.identity,
      };
      await ok(callRaw(server, admin, "POST", "/api/v1/admin/restore?onConflict=skip", bytes, upload));
      await ok(callRaw(server, admin, "POST", "/api/v1/admin/diff", bytes, upload));
      await running.service.migrateValues("memory:audit-test");
      await ok(call(server, admin, "DELETE", `/api/v1/secrets/${created.id}`), 204);
      await ok(call(server, admin, "DELETE", "/api/v1/users/bob"), 204);
      await ok(call(server, admin, "GET", "/api/v1/audit?limit=5"));
      await running.service.flushAudit();
      records = (await running.service.audit!.list({ limit: 1000 })).reverse();
      // Retention last: it removes records (up to a checkpoint) and says so in the chain.
      await running.service.audit!.prune(Date.now() + 31 * 24 * 60 * 60 * 1000);
      await running.service.flushAudit();
    });
  });

  it.each(AUDIT_ACTION_NAMES)("records %s", async (action) => {
    const all = action === "audit.prune" ? await running.service.audit!.list({ action }) : records;
    expect(all.map((record) => record.action)).toContain(action);
  });

  it("records denials as denials: 401, 403 and the 404 that hides a private secret", () => {
    const denials = records.filter((record) => record.denied);
    expect(denials.map((record) => `${record.action} ${record.outcome}`)).toEqual(
      expect.arrayContaining([
        "access.denied UNAUTHENTICATED",
        "access.denied PERMISSION_DENIED",
        // A reader's GET is a metadata read (no values): not audited when it succeeds, a denial when
        // the secret is someone else's private one.
        "access.denied NOT_FOUND",
      ]),
    );
    expect(denials.find((record) => record.outcome === "UNAUTHENTICATED")?.target).toEqual({
      route: "GET /api/v1/secrets",
    });
  });

  it("a server record names the actor, origin and request", () => {
    const read = records.find((record) => record.action === "secret.read" && record.outcome === "ok")!;
    expect(read).toMatchObject({
      actor: { name: "admin", id: expect.stringMatching(/^user:/), tokenId: expect.any(String) },
      origin: { kind: "server", address: "127.0.0.1" },
      requestId: expect.any(String),
      target: { name: "db", version: 1 },
    });
    expect(records.find((record) => record.action === "secret.export")?.origin).toEqual({
      kind: "cli-local",
    });
  });

  it("0 canary values in every sink: database rows, JSON-lines file, stdout", async () => {
    const database = openDatabase(`sqlite://${path.join(dataDir, "coffer.db")}`);
    const rows = JSON.stringify(await database.db.selectFrom("coffer_audit_log").selectAll().execute());
    await database.close();
    const file = readFileSync(path.join(dataDir, "audit.jsonl"), "utf8");
    const stdout = shipped.join("");
    // Not vacuous: each sink holds records (the canary's secret among them).
    for (const sink of [rows, file, stdout]) expect(sink).toContain("audit.prune");
    expect(stdout).toContain('"secret.create"');
    for (const sink of [rows, file, stdout]) expect(sink).not.toContain("fake-canary");
  });

  it("the chain verifies after retention, in the database and in the file", async () => {
    const report = await call(server, server.adminToken, "GET", "/api/v1/audit/verify");
    expect(report.body).toMatchObject({ ok: true, problems: [] });
  });

  it("an auditor lists records (with filters) but reads no values", async () => {
    const auditor = await server.user("aude", "auditor");
    const list = await call(server, auditor, "GET", "/api/v1/audit?action=audit.prune");
    expect(list.status).toBe(200);
    expect((list.body as { records: AuditRecord[] }).records.map((record) => record.action)).toEqual([
      "audit.prune",
    ]);
    const secret = await call(server, server.adminToken, "POST", "/api/v1/secrets", {
      name: "pub",
      values: { k: CANARY },
    });
    const read = await call(server, auditor, "GET", `/api/v1/secrets/${(secret.body as { id: string }).id}`);
    expect(read.text).not.toContain("fake-canary");
    const bad = await call(server, auditor, "GET", "/api/v1/audit?since=yesterday");
    expect(bad.status).toBe(400);
    const writer = await server.user("wendy", "writer");
    expect((await call(server, writer, "GET", "/api/v1/audit")).status).toBe(403);
  });

  it("server logs are pino JSON with the acting user on request lines; audit records are not in them", () => {
    const completed = logLines.filter((line) => line.msg === "request completed");
    expect(completed.length).toBeGreaterThan(10);
    const authenticated = completed.filter((line) => (line.res as { statusCode: number }).statusCode !== 401);
    for (const line of authenticated)
      expect(line).toMatchObject({
        level: expect.any(Number),
        reqId: expect.any(String),
        user: expect.any(String),
      });
    // The service's own lines (e.g. "secret updated") are pino lines too.
    expect(logLines.find((line) => line.msg === "secret updated")).toMatchObject({
      level: 30,
      component: "coffer",
    });
    expect(logLines.some((line) => "hash" in line || "seq" in line)).toBe(false);
    expect(JSON.stringify(logLines)).not.toContain("fake-canary");
  });
});
