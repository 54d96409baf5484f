// The trail: a required sink that cannot be written refuses (AUDIT_UNAVAILABLE) and a best-effort
// one is skipped; several sinks get the same chain; two processes sharing a database keep one
// chain; retention prunes only to a checkpoint and leaves a log that verifies.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { AuditUnavailableError } from "@coffer/core";
import { openDatabase } from "@coffer/sql";
import { describe, expect, it } from "vitest";
import { AuditTrail, auditSettingsFrom, DatabaseSink, FileSink, StdoutSink } from "../src/index.js";
import { capturingLogger, event, recordN, testKeyring, trailWith } from "./helpers.js";

const tempDir = () => mkdtempSync(path.join(tmpdir(), "coffer-audit-"));
const sqliteUrl = () => `sqlite://${path.join(tempDir(), "coffer.db")}`;

describe("required and best-effort sinks", () => {
  it("a required sink that cannot be written makes record() fail with AUDIT_UNAVAILABLE", async () => {
    const unwritable = new FileSink(path.join(tempDir(), "no-such-dir", "audit.jsonl"));
    const trail = await trailWith([{ sink: unwritable, required: true }], testKeyring());
    const failure = await trail.record(event(1)).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AuditUnavailableError);
    expect(failure).toMatchObject({ code: "AUDIT_UNAVAILABLE", retryable: true, details: { sink: "file" } });
    // The chain did not advance: the next record that can be written is record 1.
    const database = openDatabase(sqliteUrl());
    const sink = await DatabaseSink.open(database);
    const ok = await AuditTrail.open({
      sinks: [{ sink, required: true }],
      keys: testKeyring(),
      logger: capturingLogger().logger,
    });
    expect((await ok.record(event(1))).seq).toBe(1);
    await database.close();
  });

  it("a best-effort sink that fails is logged and skipped", async () => {
    const { logger, lines } = capturingLogger();
    const file = path.join(tempDir(), "audit.jsonl");
    const trail = await AuditTrail.open({
      sinks: [
        { sink: new FileSink(path.join(tempDir(), "missing", "x.jsonl")), required: false },
        { sink: new FileSink(file), required: true },
      ],
      keys: testKeyring(),
      logger,
    });
    await trail.record(event(1));
    expect(readFileSync(file, "utf8").trim().split("\n")).toHaveLength(1);
    expect(lines).toEqual([
      expect.objectContaining({ message: "audit sink failed (best-effort, skipped)", sink: "file" }),
    ]);
  });

  it("several sinks at once get the same records: database, file and stdout", async () => {
    const database = openDatabase(sqliteUrl());
    const file = new FileSink(path.join(tempDir(), "audit.jsonl"));
    const shipped: string[] = [];
    const out = {
      write(line: string, done: (error?: Error) => void) {
        shipped.push(line);
        done();
        return true;
      },
    };
    const trail = await trailWith(
      [
        { sink: await DatabaseSink.open(database), required: true },
        { sink: file, required: true },
        { sink: new StdoutSink(out as unknown as NodeJS.WritableStream), required: true },
      ],
      testKeyring(),
    );
    await recordN(trail, 3);
    expect((await trail.verify()).ok).toBe(true);
    expect((await trail.verify(file)).ok).toBe(true);
    expect(shipped.map((line) => JSON.parse(line).hash)).toEqual(
      (await file.readAll()).map((each) => each.record.hash),
    );
    await database.close();
  });
});

describe("one chain across processes that share the database", () => {
  it("two trails writing in turn continue each other's chain", async () => {
    const url = sqliteUrl();
    const keys = testKeyring();
    const a = await trailWith([{ sink: await DatabaseSink.open(openDatabase(url)), required: true }], keys);
    const b = await trailWith([{ sink: await DatabaseSink.open(openDatabase(url)), required: true }], keys);
    for (let i = 0; i < 5; i++) {
      await a.record(event(i));
      await b.record(event(i));
    }
    const report = await a.verify();
    expect(report).toMatchObject({ ok: true, records: 10 });
  });
});

describe("retention", () => {
  it("prunes old records up to a checkpoint, says so in the chain, and the log still verifies", async () => {
    const day = 24 * 60 * 60 * 1000;
    let now = 0;
    const database = openDatabase(sqliteUrl());
    const sink = await DatabaseSink.open(database);
    const keys = testKeyring();
    const trail = await trailWith([{ sink, required: true }], keys, {
      checkpointEvery: 4,
      retentionDays: 10,
      clock: () => now,
    });
    for (let i = 1; i <= 12; i++) {
      now = i * day;
      await trail.record(event(i));
    }
    now = 16.5 * day; // cutoff 6.5 days: records 1–6 are old; the checkpoint before it is 4
    expect(await trail.prune()).toBe(3);
    const all = await sink.readAll();
    expect(all[0]?.record).toMatchObject({ seq: 4 });
    expect(all.at(-1)?.record).toMatchObject({ action: "audit.prune", target: { keptFrom: 4 } });
    expect(await trail.verify()).toMatchObject({ ok: true });
    // Removing more from the start than retention did is still caught.
    await database.db.deleteFrom("coffer_audit_log").where("seq", "=", 4).execute();
    expect((await trail.verify()).problems[0]).toMatchObject({ kind: "removed" });
    await database.close();
  });

  it("reads COFFER_AUDIT_* settings: sinks, best-effort, retention", () => {
    expect(
      auditSettingsFrom({ sinks: "database, file,stdout", bestEffort: "stdout", retentionDays: 30 }),
    ).toMatchObject({
      sinks: ["database", "file", "stdout"],
      bestEffort: ["stdout"],
      retentionDays: 30,
      checkpointEvery: 1,
    });
    expect(auditSettingsFrom(undefined)).toMatchObject({ sinks: ["database"], bestEffort: [] });
    expect(() => auditSettingsFrom({ sinks: "syslog" })).toThrow(/not a sink/);
    expect(auditSettingsFrom({ sinks: "none" })).toMatchObject({ sinks: [] });
  });
});
