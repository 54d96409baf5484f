// The service records every secret action in the audit trail (@coffer/audit), never a value:
// reads of values, writes of each kind, denials (a not-found that hides someone else's private
// secret is a denial to the operator, still a 404 to the caller), and operations. A required sink
// that cannot be written refuses the request and nothing is written — the same error on SQLite,
// PostgreSQL and MySQL.
import { readFileSync } from "node:fs";
import path from "node:path";
import { type AuditRecord, withAuditContext } from "@coffer/audit";
import { AuditUnavailableError, SecretNotFoundError } from "@coffer/core";
import { startMysql, startPostgres } from "@coffer/testkit";
import { describeWith } from "@coffer/testkit/vitest";
import { describe, expect, it } from "vitest";
import { memoryService, sqliteUrl, tempDir } from "./helpers.js";

/** Obviously fake, and unique enough that finding it anywhere means a value leaked. */
const CANARY = "fake-canary-7f3e9a1c-value";

async function records(
  service: Awaited<ReturnType<typeof memoryService>>["service"],
): Promise<AuditRecord[]> {
  await service.flushAudit();
  return (await service.audit!.list({ limit: 1000 })).reverse();
}

describe("what the service records (SQLite file, database and file sinks)", () => {
  it("records reads, writes, denials and operations with actor, origin and target — and no value anywhere", async () => {
    const url = sqliteUrl();
    const file = path.join(tempDir(), "audit.jsonl");
    const { service } = await memoryService(url, {}, { audit: { sinks: "database,file", file } });
    const alice = { id: "alice" };
    const bob = { id: "bob" };
    try {
      const created = await service.create(alice, { name: "db", values: { password: CANARY } });
      await service.create(alice, { name: "mine", values: { k: CANARY }, private: true });
      await withAuditContext(
        {
          origin: { kind: "server", address: "127.0.0.1", userAgent: "ua" },
          requestId: "req-1",
          actor: { id: "alice", name: "Alice", tokenId: "tok-1" },
        },
        () => service.get(alice, { name: "db" }),
      );
      await service.update(alice, { name: "db" }, { values: { password: `${CANARY}-2` } });
      await service.rename(alice, { name: "db" }, "db2");
      await service.setVisibility(alice, { name: "db2" }, true);
      await service.put(alice, "put-me", { k: CANARY });
      await service.resolveReferences(alice, { url: `x://{{db2.password}}@${CANARY}` });
      await expect(service.get(bob, { name: "mine" })).rejects.toBeInstanceOf(SecretNotFoundError);
      await expect(service.get(bob, { name: "nothing-here" })).rejects.toBeInstanceOf(SecretNotFoundError);
      await service.delete(alice, { id: created.id });
      await service.reconcile();
      await service.copyAllValues("to-primary").catch(() => undefined);

      const all = await records(service);
      // Failures are recorded without holding up the caller, so they may land a little later.
      const summary = all.map((r) => `${r.action}:${r.outcome}${r.denied ? ":denied" : ""}`).sort();
      expect(summary).toEqual(
        [
          "secret.create:started",
          "secret.create:ok",
          "secret.create:started",
          "secret.create:ok",
          "secret.read:ok",
          "secret.update:started",
          "secret.update:ok",
          "secret.rename:started",
          "secret.rename:ok",
          "secret.visibility:started",
          "secret.visibility:ok",
          "secret.update:started",
          "secret.update:ok",
          "secret.resolve:ok",
          "secret.read:NOT_FOUND:denied",
          "secret.read:NOT_FOUND",
          "secret.delete:started",
          "secret.delete:ok",
          "store.reconcile:started",
          "store.reconcile:ok",
          "store.restore:started",
          "store.restore:NOT_SUPPORTED",
        ].sort(),
      );
      const read = all.find((r) => r.action === "secret.read" && r.outcome === "ok")!;
      expect(read).toMatchObject({
        actor: { id: "alice", name: "Alice", tokenId: "tok-1" },
        origin: { kind: "server", address: "127.0.0.1", userAgent: "ua" },
        requestId: "req-1",
        target: { secretId: created.id, name: "db", version: 1 },
      });
      expect(all.find((r) => r.action === "secret.rename" && r.outcome === "ok")!.target).toMatchObject({
        name: "db2",
        newName: "db2",
      });
      // Of the reference document, only the names it touched.
      expect(all.find((r) => r.action === "secret.resolve")!.target).toEqual({ names: ["db2"] });
      expect(all.find((r) => r.action === "secret.create")!.origin).toEqual({ kind: "sdk" });

      // 0 canary values in every sink: the database rows as stored, and the file.
      const rows = await (await import("@coffer/sql"))
        .openDatabase(url)
        .db.selectFrom("coffer_audit_log")
        .selectAll()
        .execute();
      expect(JSON.stringify(rows)).not.toContain("fake-canary");
      expect(readFileSync(file, "utf8")).not.toContain("fake-canary");
      expect(JSON.stringify(rows)).toContain("secret.resolve");
      expect(await service.audit!.verify()).toMatchObject({ ok: true });
    } finally {
      await service.close();
    }
  });
});

function refusesWithoutAudit(url: () => string) {
  it("a required sink that cannot be written refuses writes and reads; nothing is written", async () => {
    const unwritable = path.join(tempDir(), "no-such-dir", "audit.jsonl");
    const { service: setup, store } = await memoryService(url(), {}, { audit: { sinks: "database" } });
    const suffix = Math.random().toString(36).slice(2, 8);
    await setup.create({ id: "alice" }, { name: `kept-${suffix}`, values: { k: CANARY } });
    // The same database and store, audited to a file that cannot be written.
    const { service } = await memoryService(
      url(),
      {},
      { store: () => store, audit: { sinks: "file", file: unwritable } },
    );
    try {
      const create = service.create({ id: "alice" }, { name: `refused-${suffix}`, values: { k: CANARY } });
      await expect(create).rejects.toBeInstanceOf(AuditUnavailableError);
      await expect(create).rejects.toMatchObject({ code: "AUDIT_UNAVAILABLE", details: { sink: "file" } });
      const page = await service.list({ id: "alice" }, { limit: 1000 });
      expect(page.items.map((item) => item.name)).not.toContain(`refused-${suffix}`);
      await expect(
        service.update({ id: "alice" }, { name: `kept-${suffix}` }, { values: { k: "fake-2" } }),
      ).rejects.toMatchObject({ code: "AUDIT_UNAVAILABLE" });
      await expect(service.get({ id: "alice" }, { name: `kept-${suffix}` })).rejects.toMatchObject({
        code: "AUDIT_UNAVAILABLE",
      });
      expect((await service.getMetadata({ id: "alice" }, { name: `kept-${suffix}` })).version).toBe(1);
      expect((await setup.get({ id: "alice" }, { name: `kept-${suffix}` })).values).toEqual({ k: CANARY });
    } finally {
      await setup.close();
      await service.close().catch(() => undefined);
    }
  });

  it("a best-effort sink that cannot be written does not stop the request", async () => {
    const unwritable = path.join(tempDir(), "no-such-dir", "audit.jsonl");
    const { service } = await memoryService(
      url(),
      {},
      { audit: { sinks: "database,file", file: unwritable, bestEffort: "file" } },
    );
    try {
      const secret = await service.create(
        { id: "alice" },
        { name: `best-${Math.random().toString(36).slice(2)}`, values: { k: "fake" } },
      );
      expect((await service.get({ id: "alice" }, { id: secret.id })).version).toBe(1);
    } finally {
      await service.close();
    }
  });
}

describe("a failing required sink on SQLite", () => {
  const url = sqliteUrl();
  refusesWithoutAudit(() => url);
});
describeWith("a failing required sink on PostgreSQL", startPostgres, (database) => {
  refusesWithoutAudit(() => database().url);
});
describeWith("a failing required sink on MySQL", startMysql, (database) => {
  refusesWithoutAudit(() => database().url);
});
