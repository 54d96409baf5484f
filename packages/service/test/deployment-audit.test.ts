// Runs on the deployment as a whole are audited as their own actions (issue 16): an archive
// written (deployment.backup), restored or checked (deployment.restore), values migrated to
// another store (deployment.migrate), and the deployment compared with an archive
// (deployment.diff) — each a `started` record before it reads or writes anything, then its
// outcome with who and counts; a failed run records its error code, a migration with failed items
// INCOMPLETE. Never a value: the canary is in every secret and in no record. These are distinct
// from store.backup / store.restore (the value copies to and from the backup store).
import { PassThrough, Readable } from "node:stream";
import { type AuditRecord, withAuditContext } from "@coffer/audit";
import { MemoryStore } from "@coffer/store-memory";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { archiveSnapshot, INCOMPLETE, type SecretsService } from "../src/index.js";
import { memoryService, sqliteUrl } from "./helpers.js";

const CANARY = "fake-canary-d3a9-deployment";
const key = { passphrase: "fake-backup-passphrase", scryptWorkFactor: 10 };
const wrongKey = { passphrase: "fake-not-the-passphrase" };
const alice = { id: "alice" };

let service: SecretsService;
let target: MemoryStore;

beforeEach(async () => {
  target = new MemoryStore();
  ({ service } = await memoryService(sqliteUrl(), {}, { backupStore: () => target }));
  await service.create(alice, { name: "db", values: { password: CANARY, user: `${CANARY}-u` } });
  await service.create(alice, { name: "mine", values: { k: CANARY }, private: true });
});
afterEach(() => service.close());

async function archive(): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on("data", (chunk: Buffer) => chunks.push(chunk));
  await service.backup(out, key);
  out.end();
  return Buffer.concat(chunks);
}

/** The records of `action`, oldest first (failures land a little after the call returns). */
async function recordsOf(action: string): Promise<AuditRecord[]> {
  await service.flushAudit();
  const all = (await service.audit!.list({ limit: 1000 })).reverse();
  expect(JSON.stringify(all)).not.toContain("fake-canary");
  return all.filter((record) => record.action === action);
}

const asAdmin = <T>(work: () => Promise<T>) =>
  withAuditContext({ origin: { kind: "server" }, actor: { id: "user:admin", name: "admin" } }, work);

describe("deployment-wide runs in the audit log", () => {
  it("deployment.backup: started, then ok with the archive's counts and who", async () => {
    await asAdmin(() => archive());
    const records = await recordsOf("deployment.backup");
    expect(records.map((r) => r.outcome)).toEqual(["started", "ok"]);
    expect(records[1]).toMatchObject({
      actor: { id: "user:admin", name: "admin" },
      origin: { kind: "server" },
      target: { withHistory: false, counts: { secrets: 2, values: 3, historyVersions: 0 } },
    });
    expect(typeof records[1]!.time).toBe("number");
  });

  it("deployment.backup: a run that fails records its error code", async () => {
    await expect(service.backup(new PassThrough(), { recipients: ["not-an-age-key"] })).rejects.toThrow();
    const records = await recordsOf("deployment.backup");
    expect(records.map((r) => r.outcome)).toEqual(["started", "VALIDATION"]);
    expect(records[1]!.actor).toEqual({ id: "operator" });
  });

  it("deployment.restore: dry run and run with counts; a wrong key records INTEGRITY", async () => {
    const bytes = await archive();
    await service.restore(() => Readable.from([bytes]), key, { dryRun: true });
    await service.restore(() => Readable.from([bytes]), key, { onConflict: "skip" });
    await expect(service.restore(() => Readable.from([bytes]), wrongKey)).rejects.toThrow();
    const records = await recordsOf("deployment.restore");
    expect(records.map((r) => `${r.outcome} ${r.target?.dryRun} ${r.target?.onConflict}`)).toEqual([
      "started true fail",
      "ok true fail",
      "started false skip",
      "ok false skip",
      "started false fail",
      "INTEGRITY false fail",
    ]);
    expect(records[3]!.target?.counts).toMatchObject({ secrets: 2, identical: 2, created: 0, verified: 2 });
  });

  it("deployment.diff: ok with the comparison's counts; a damaged archive records INTEGRITY", async () => {
    const bytes = await archive();
    await service.update(alice, { name: "db" }, { values: { password: `${CANARY}-2` } });
    const diff = await service.diff(
      archiveSnapshot("a", () => Readable.from([bytes]), key),
      {
        against: "archive",
      },
    );
    expect(diff.counts).toMatchObject({ a: 2, b: 2, changed: 1, same: 1 });
    const cut = bytes.subarray(0, bytes.length - 40);
    await expect(
      service.diff(
        archiveSnapshot("a", () => Readable.from([cut]), key),
        { against: "archive" },
      ),
    ).rejects.toThrow();
    const records = await recordsOf("deployment.diff");
    expect(records.map((r) => r.outcome)).toEqual(["started", "ok", "started", "INTEGRITY"]);
    expect(records[1]!.target).toEqual({
      against: "archive",
      counts: { a: 2, b: 2, added: 0, removed: 0, changed: 1, same: 1 },
    });
  });

  it("deployment.diff of two deployments: each records it, the one read with the count it gave", async () => {
    const { service: other } = await memoryService(sqliteUrl());
    try {
      await other.create(alice, { name: "db", values: { password: CANARY } });
      const diff = await other.diff(service.readForDiff("a"), { against: "deployment" });
      expect(diff.counts).toMatchObject({ a: 2, b: 1 });
      const read = await recordsOf("deployment.diff");
      expect(read.map((r) => r.outcome)).toEqual(["started", "ok"]);
      expect(read[1]!.target).toEqual({ against: "deployment", counts: { secrets: 2 } });
      await other.flushAudit();
      const compared = (await other.audit!.list({ limit: 100 })).filter(
        (r) => r.action === "deployment.diff",
      );
      expect(compared.map((r) => r.outcome).sort()).toEqual(["ok", "started"]);
    } finally {
      await other.close();
    }
  });

  it("deployment.migrate: ok with counts; failed items INCOMPLETE; a run that throws its code", async () => {
    // The secrets were written through the mirror: empty the target so that the run copies them.
    const ids = (await service.list(alice)).items.map((item) => item.id);
    const emptyTarget = () => Promise.all(ids.map((id) => target.delete(id)));
    await emptyTarget();
    await service.migrateValues("memory:target");
    await emptyTarget();
    target.injectFault("create", undefined, 1000);
    const incomplete = await service.migrateValues("memory:again");
    expect(incomplete.failed).toHaveLength(2);
    target.injectFault("getMany", undefined, 1000);
    await expect(service.migrateValues("memory:third")).rejects.toThrow(/Injected fault/);
    const records = await recordsOf("deployment.migrate");
    expect(records.map((r) => r.outcome)).toEqual([
      "started",
      "ok",
      "started",
      INCOMPLETE,
      "started",
      "BACKEND_UNAVAILABLE",
    ]);
    expect(records[1]!.target).toEqual({
      store: "memory:target",
      counts: { total: 2, copied: 2, already: 0, failed: 0, verified: 2, recopied: 0 },
    });
    expect(records[3]!.target?.counts).toMatchObject({ failed: 2 });

    const { service: plain } = await memoryService(sqliteUrl());
    try {
      await expect(plain.migrateValues("memory:x")).rejects.toThrow(/No backup store/);
      await plain.flushAudit();
      const outcomes = (await plain.audit!.list({ action: "deployment.migrate" })).map((r) => r.outcome);
      expect(outcomes.sort()).toEqual(["NOT_SUPPORTED", "started"]);
    } finally {
      await plain.close();
    }
  });
});
