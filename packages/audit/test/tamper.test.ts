// `verify` finds each kind of tampering — an edited, removed, inserted or reordered record — and
// says where, on a real SQLite file, PostgreSQL and MySQL (the database sink) and on a JSON-lines
// file. Each attack is done the way someone with write access to the storage would: raw SQL on the
// table, or a rewritten file.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Database, openDatabase } from "@coffer/sql";
import { startMysql, startPostgres } from "@coffer/testkit";
import { describeWith } from "@coffer/testkit/vitest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  AUDIT_TABLE,
  type AuditRecord,
  type AuditTrail,
  canonical,
  DatabaseSink,
  FileSink,
  recordHash,
} from "../src/index.js";
import { recordN, testKeyring, trailWith } from "./helpers.js";

type Tamper = {
  edit(seq: number, change: (record: AuditRecord) => void): Promise<void>;
  editColumn(seq: number): Promise<void>;
  remove(seq: number): Promise<void>;
  /** Puts a record in before `seq` (its own numbering) and shifts the others along. */
  insertBefore(seq: number, record: AuditRecord): Promise<void>;
  swap(a: number, b: number): Promise<void>;
  read(seq: number): Promise<AuditRecord>;
};

interface Subject {
  trail: AuditTrail;
  tamper: Tamper;
  close(): Promise<void>;
}

/** A forged record that chains properly onto `before` but was made without the key. */
function forged(before: AuditRecord): AuditRecord {
  const body = {
    ...before,
    seq: before.seq + 1,
    prev: before.hash,
    outcome: "ok",
    action: "secret.delete" as const,
  };
  delete (body as { mac?: string }).mac;
  return { ...body, hash: recordHash(body) };
}

function tamperSuite(open: () => Promise<Subject>): void {
  let subject: Subject;
  beforeEach(async () => {
    subject = await open();
    await recordN(subject.trail, 6);
    expect(await subject.trail.verify()).toMatchObject({ ok: true, records: 6, problems: [] });
  });
  afterEach(async () => subject.close());

  it("reports an edited record (its content no longer matches its hash)", async () => {
    await subject.tamper.edit(3, (record) => {
      record.outcome = "NOT_FOUND";
    });
    const report = await subject.trail.verify();
    expect(report.ok).toBe(false);
    expect(report.problems[0]).toMatchObject({ kind: "edited", seq: 3 });
  });

  it("reports an edit whose hashes were all recomputed (the checkpoint MACs no longer match)", async () => {
    // Rewrites record 3 and re-chains everything after it, as someone without the key would.
    let before = await subject.tamper.read(2);
    for (let seq = 3; seq <= 6; seq++) {
      await subject.tamper.edit(seq, (record) => {
        if (seq === 3) record.outcome = "NOT_FOUND";
        record.prev = before.hash;
        record.hash = recordHash(record);
        before = record;
      });
    }
    const report = await subject.trail.verify();
    expect(report.problems[0]).toMatchObject({ kind: "inserted", seq: 3 });
  });

  it("reports a removed record", async () => {
    await subject.tamper.remove(3);
    const report = await subject.trail.verify();
    expect(report.problems).toEqual([expect.objectContaining({ kind: "removed", seq: 3 })]);
  });

  it("reports records removed from the start (the first kept one is no checkpoint)", async () => {
    const subjectTrail = subject.trail;
    await subject.tamper.remove(1);
    const report = await subjectTrail.verify();
    expect(report.problems[0]).toMatchObject({ kind: "removed", seq: 1 });
  });

  it("reports an inserted record", async () => {
    await subject.tamper.insertBefore(3, forged(await subject.tamper.read(2)));
    const report = await subject.trail.verify();
    expect(report.ok).toBe(false);
    expect(report.problems[0]).toMatchObject({ kind: "inserted", seq: 3 });
  });

  it("reports reordered records", async () => {
    await subject.tamper.swap(3, 4);
    const report = await subject.trail.verify();
    expect(report.problems[0]).toMatchObject({ kind: "reordered", seq: 3 });
  });
}

function databaseSubject(url: () => string): () => Promise<Subject> {
  return async () => {
    const database = openDatabase(url());
    await database.db.schema.dropTable(AUDIT_TABLE).ifExists().execute();
    await database.db.schema.dropTable("coffer_audit_migrations").ifExists().execute();
    await database.db.schema.dropTable("coffer_audit_migrations_lock").ifExists().execute();
    const sink = await DatabaseSink.open(database);
    const trail = await trailWith([{ sink, required: true }], testKeyring());
    return { trail, tamper: sqlTamper(database), close: () => database.close() };
  };
}

function sqlTamper(database: Database): Tamper {
  const db = database.db;
  const read = async (seq: number): Promise<AuditRecord> => {
    const row = await db
      .selectFrom(AUDIT_TABLE)
      .select("record")
      .where("seq", "=", seq)
      .executeTakeFirstOrThrow();
    return JSON.parse(row.record as string) as AuditRecord;
  };
  return {
    read,
    async edit(seq, change) {
      const record = await read(seq);
      change(record);
      await db
        .updateTable(AUDIT_TABLE)
        .set({ record: canonical(record), outcome: record.outcome })
        .where("seq", "=", seq)
        .execute();
    },
    async editColumn(seq) {
      await db.updateTable(AUDIT_TABLE).set({ outcome: "NOT_FOUND" }).where("seq", "=", seq).execute();
    },
    async remove(seq) {
      await db.deleteFrom(AUDIT_TABLE).where("seq", "=", seq).execute();
    },
    async insertBefore(seq, record) {
      // Make room (in two steps, so no primary key collides on the way), then put the forgery in.
      const rows = await db
        .selectFrom(AUDIT_TABLE)
        .select("seq")
        .where("seq", ">=", seq)
        .orderBy("seq", "desc")
        .execute();
      for (const row of rows) {
        await db
          .updateTable(AUDIT_TABLE)
          .set({ seq: Number(row.seq) + 1 })
          .where("seq", "=", Number(row.seq))
          .execute();
      }
      await db
        .insertInto(AUDIT_TABLE)
        .values({
          seq,
          time: record.time,
          action: record.action,
          actor_id: record.actor.id,
          actor_name: record.actor.name ?? null,
          outcome: record.outcome,
          secret_id: record.target?.secretId ?? null,
          secret_name: record.target?.name ?? null,
          checkpoint: 0,
          record: canonical(record),
        })
        .execute();
    },
    async swap(a, b) {
      const rowA = await db
        .selectFrom(AUDIT_TABLE)
        .selectAll()
        .where("seq", "=", a)
        .executeTakeFirstOrThrow();
      const rowB = await db
        .selectFrom(AUDIT_TABLE)
        .selectAll()
        .where("seq", "=", b)
        .executeTakeFirstOrThrow();
      await db
        .updateTable(AUDIT_TABLE)
        .set({ ...rowB, seq: -1 })
        .where("seq", "=", b)
        .execute();
      await db
        .updateTable(AUDIT_TABLE)
        .set({ ...rowB, seq: a })
        .where("seq", "=", a)
        .execute();
      await db
        .updateTable(AUDIT_TABLE)
        .set({ ...rowA, seq: b })
        .where("seq", "=", -1)
        .execute();
    },
  };
}

function fileSubject(): Promise<Subject> {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "coffer-audit-")), "audit.jsonl");
  const sink = new FileSink(file);
  const lines = () => readFileSync(file, "utf8").trimEnd().split("\n");
  const save = (all: string[]) => writeFileSync(file, `${all.join("\n")}\n`);
  const index = (all: string[], seq: number) => all.findIndex((line) => JSON.parse(line).seq === seq);
  const tamper: Tamper = {
    read: async (seq) => JSON.parse(lines()[index(lines(), seq)]!) as AuditRecord,
    async edit(seq, change) {
      const all = lines();
      const record = JSON.parse(all[index(all, seq)]!) as AuditRecord;
      change(record);
      all[index(all, seq)] = canonical(record);
      save(all);
    },
    async editColumn() {},
    async remove(seq) {
      const all = lines();
      all.splice(index(all, seq), 1);
      save(all);
    },
    async insertBefore(seq, record) {
      const all = lines();
      all.splice(index(all, seq), 0, canonical(record));
      save(all);
    },
    async swap(a, b) {
      const all = lines();
      const [i, j] = [index(all, a), index(all, b)];
      [all[i], all[j]] = [all[j]!, all[i]!];
      save(all);
    },
  };
  return trailWith([{ sink, required: true }], testKeyring()).then((trail) => ({
    trail,
    tamper,
    close: () => trail.close(),
  }));
}

describe("verify on a real SQLite file", () => {
  tamperSuite(
    databaseSubject(
      () => `sqlite://${path.join(mkdtempSync(path.join(tmpdir(), "coffer-audit-")), "coffer.db")}`,
    ),
  );

  it("reports a column edited beside its record (what list filters on)", async () => {
    const url = `sqlite://${path.join(mkdtempSync(path.join(tmpdir(), "coffer-audit-")), "coffer.db")}`;
    const subject = await databaseSubject(() => url)();
    await recordN(subject.trail, 3);
    await subject.tamper.editColumn(2);
    expect((await subject.trail.verify()).problems).toEqual([
      expect.objectContaining({ kind: "edited", seq: 2 }),
    ]);
    await subject.close();
  });
});

describe("verify on a JSON-lines file", () => {
  tamperSuite(fileSubject);
});

describeWith("verify on PostgreSQL", startPostgres, (database) => {
  tamperSuite(databaseSubject(() => database().url));
});

describeWith("verify on MySQL", startMysql, (database) => {
  tamperSuite(databaseSubject(() => database().url));
});
