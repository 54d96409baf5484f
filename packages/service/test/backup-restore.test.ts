// Backup and restore through the service (issue 16): every secret round-trips (values, owners,
// visibility, history), each conflict policy, damaged archives and wrong keys write nothing, a
// restore stopped half-way resumes without loss or duplicates. On SQLite, PostgreSQL and MySQL.
import { appendFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { PassThrough, Readable } from "node:stream";
import { type ArchivedSecret, ArchiveIntegrityError, ArchiveKeyError, readArchive } from "@coffer/backup";
import type { MemoryStore } from "@coffer/store-memory";
import { describeWithDatabase } from "@coffer/testkit/vitest";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { RestoreConflictError, type SecretsService } from "../src/index.js";
import { memoryService, sqliteUrl, tempDir } from "./helpers.js";

const key = { passphrase: "fake-backup-passphrase", scryptWorkFactor: 10 };

interface Snapshot {
  name: string;
  owner: string;
  private: boolean;
  values: Record<string, string>;
  history: Array<Record<string, string>>;
}

/** Everything in the deployment, as an operator's backup sees it, sorted. */
async function snapshot(service: SecretsService): Promise<Snapshot[]> {
  const all: Snapshot[] = [];
  for await (const secret of service.exportSecrets({ withHistory: true })) {
    all.push({
      name: secret.name,
      owner: secret.owner,
      private: secret.private,
      values: secret.values,
      history: (secret.history ?? []).map((version) => version.values),
    });
  }
  return all.sort((a, b) =>
    `${a.owner}/${a.name}/${a.private}`.localeCompare(`${b.owner}/${b.name}/${b.private}`),
  );
}

async function deleteEverything(service: SecretsService): Promise<void> {
  const all: Array<{ id: string; owner: string }> = [];
  for await (const secret of service.exportSecrets()) all.push({ id: secret.id, owner: secret.owner });
  for (const secret of all) await service.delete({ id: secret.owner }, { id: secret.id });
}

async function backupBytes(service: SecretsService, withHistory = true): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on("data", (chunk: Buffer) => chunks.push(chunk));
  await service.backup(out, key, { withHistory, batchSize: 3 });
  out.end();
  return Buffer.concat(chunks);
}

const opener = (bytes: Uint8Array) => () => Readable.from([bytes]);

async function secretAt(bytes: Uint8Array, index: number): Promise<ArchivedSecret> {
  let at = 0;
  for await (const record of readArchive(Readable.from([bytes]), key)) {
    if (record.kind === "secret" && at++ === index) return record.secret;
  }
  throw new Error(`no secret at ${index}`);
}

/** Alice's and Bob's secrets, private and public, one with a few versions, same names in two scopes. */
async function seed(service: SecretsService): Promise<void> {
  const alice = service.as({ id: "alice" });
  const bob = service.as({ id: "bob" });
  const db = await alice.create({ name: "db", values: { user: "fake-app", password: "fake-pw-1" } });
  await alice.update({ id: db.id }, { values: { password: "fake-pw-2" } });
  await alice.update({ id: db.id }, { values: { password: 'fake-pw-3 "q" $HOME\nünï' } });
  await alice.create({ name: "db", values: { password: "fake-alice-private" }, private: true });
  await bob.create({ name: "db", values: { password: "fake-bob-private" }, private: true });
  await bob.create({ name: "api/token", values: { token: "fake-token" } });
  for (let i = 0; i < 7; i++)
    await bob.create({ name: `bulk/${i}`, values: { v: `fake-${i}` }, private: i % 2 === 0 });
}

function describeBackup(label: string, databaseUrl: () => string) {
  describe(`${label}: backup and restore`, () => {
    let service: SecretsService;
    let store: MemoryStore;
    beforeAll(async () => {
      ({ service, store } = await memoryService(databaseUrl()));
    });
    afterAll(async () => service?.close());
    beforeEach(async () => deleteEverything(service));

    it("round-trips every secret: values, owners, visibility and history", async () => {
      await seed(service);
      const before = await snapshot(service);
      expect(before).toHaveLength(11);
      expect(before.find((s) => s.name === "db" && !s.private)?.history).toHaveLength(2);
      const bytes = await backupBytes(service);
      await deleteEverything(service);
      const report = await service.restore(opener(bytes), key, { journalDir: tempDir() });
      expect(report).toMatchObject({ created: 11, verified: 11, overwritten: 0, skipped: 0 });
      expect(report.archive.counts).toEqual({ secrets: 11, values: 12, historyVersions: 2 });
      expect(await snapshot(service)).toEqual(before);
    });

    it("without --with-history only the current values come back", async () => {
      await seed(service);
      const before = await snapshot(service);
      const bytes = await backupBytes(service, false);
      await deleteEverything(service);
      await service.restore(opener(bytes), key);
      expect(await snapshot(service)).toEqual(before.map((s) => ({ ...s, history: [] })));
    });

    it("restoring onto the same deployment finds everything identical and writes nothing", async () => {
      await seed(service);
      const bytes = await backupBytes(service);
      const report = await service.restore(opener(bytes), key);
      expect(report).toMatchObject({ created: 0, identical: 11, verified: 11 });
    });

    it("--on-conflict fail (default) refuses a populated deployment and writes nothing", async () => {
      await seed(service);
      const bytes = await backupBytes(service);
      await deleteEverything(service);
      await service.as({ id: "bob" }).create({ name: "api/token", values: { token: "fake-other" } });
      const before = await snapshot(service);
      const error = await service.restore(opener(bytes), key).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RestoreConflictError);
      expect((error as Error).message).toContain("api/token");
      expect((error as Error).message).not.toContain("fake-");
      expect(await snapshot(service)).toEqual(before);
    });

    it("--on-conflict skip keeps what is there; overwrite makes the backup win, owner included", async () => {
      await seed(service);
      const bytes = await backupBytes(service);
      const archived = await snapshot(service);
      await deleteEverything(service);
      // A public "api/token" now owned by carol with other values; alice's private db changed.
      await service.as({ id: "carol" }).create({ name: "api/token", values: { token: "fake-carol" } });
      await service
        .as({ id: "alice" })
        .create({ name: "db", values: { password: "fake-new" }, private: true });

      const skipped = await service.restore(opener(bytes), key, { onConflict: "skip" });
      expect(skipped).toMatchObject({ skipped: 2, created: 9 });
      const afterSkip = await snapshot(service);
      expect(afterSkip.find((s) => s.name === "api/token")).toMatchObject({
        owner: "carol",
        values: { token: "fake-carol" },
      });

      const overwritten = await service.restore(opener(bytes), key, { onConflict: "overwrite" });
      expect(overwritten).toMatchObject({ overwritten: 2, identical: 9 });
      expect(await snapshot(service)).toEqual(archived);
    });

    it("--dry-run reports the plan and writes nothing", async () => {
      await seed(service);
      const bytes = await backupBytes(service);
      await deleteEverything(service);
      await service.as({ id: "bob" }).create({ name: "api/token", values: { token: "fake-other" } });
      const report = await service.restore(opener(bytes), key, { dryRun: true });
      expect(report.plan).toMatchObject({ secrets: 11, create: 10, conflicts: 1, identical: 0 });
      expect(report.plan.conflictList).toEqual([{ name: "api/token", owner: "bob", private: false }]);
      expect(report.created).toBe(0);
      expect(await snapshot(service)).toHaveLength(1);
    });

    it("a private secret never becomes public, even beside a public one of the same name", async () => {
      await service
        .as({ id: "alice" })
        .create({ name: "only-private", values: { k: "fake-p" }, private: true });
      const bytes = await backupBytes(service);
      await deleteEverything(service);
      await service.as({ id: "bob" }).create({ name: "only-private", values: { k: "fake-public" } });
      const report = await service.restore(opener(bytes), key);
      expect(report.created).toBe(1);
      const restored = await service.getMetadata({ id: "alice" }, { name: "only-private", private: true });
      expect(restored.private).toBe(true);
      expect(restored.owner).toBe("alice");
      await expect(service.get({ id: "bob" }, { name: "only-private" })).resolves.toMatchObject({
        owner: "bob",
      });
    });

    it("a tampered, a truncated archive and a wrong passphrase are refused with nothing written", async () => {
      await seed(service);
      const bytes = await backupBytes(service);
      await deleteEverything(service);
      const tampered = Buffer.from(bytes);
      tampered[tampered.length - 20] = (tampered[tampered.length - 20] ?? 0) ^ 0x40;
      await expect(service.restore(opener(tampered), key)).rejects.toBeInstanceOf(ArchiveIntegrityError);
      await expect(service.restore(opener(bytes.subarray(0, bytes.length - 30)), key)).rejects.toBeInstanceOf(
        ArchiveIntegrityError,
      );
      await expect(service.restore(opener(bytes), { passphrase: "not-it" })).rejects.toBeInstanceOf(
        ArchiveKeyError,
      );
      expect(await snapshot(service)).toEqual([]);
    });

    it("a restore stopped half-way resumes: nothing lost, nothing duplicated", async () => {
      await seed(service);
      const before = await snapshot(service);
      const bytes = await backupBytes(service);
      await deleteEverything(service);
      const journalDir = tempDir();
      let writes = 0;
      const stopped = await service
        .restore(opener(bytes), key, {
          journalDir,
          onProgress: ({ phase }) => {
            if (phase === "restore" && ++writes === 6) throw new Error("simulated crash");
          },
        })
        .catch((e: unknown) => e);
      expect((stopped as Error).message).toBe("simulated crash");
      expect((await snapshot(service)).length).toBe(5);
      const resumed = await service.restore(opener(bytes), key, { journalDir });
      expect(resumed).toMatchObject({ alreadyRestored: 5, created: 6, verified: 11 });
      expect(await snapshot(service)).toEqual(before);
    });

    it("writes several secrets at once (concurrency), and one at a time with concurrency 1", async () => {
      await seed(service);
      const before = await snapshot(service);
      const bytes = await backupBytes(service);
      // Each value write takes a while, as on a remote store: count the writes in flight.
      const original = store.create.bind(store);
      let inFlight = 0;
      let most = 0;
      store.create = async (id, values) => {
        most = Math.max(most, ++inFlight);
        try {
          await new Promise((resolve) => setTimeout(resolve, 20));
          return await original(id, values);
        } finally {
          inFlight--;
        }
      };
      try {
        for (const concurrency of [1, 4]) {
          await deleteEverything(service);
          most = 0;
          const report = await service.restore(opener(bytes), key, { concurrency });
          expect(report).toMatchObject({ created: 11, verified: 11 });
          // The three "db" entries (one name) never overlap, so 4 is reached only most of the time.
          if (concurrency === 1) expect(most).toBe(1);
          else expect(most).toBeGreaterThan(1);
          expect(most).toBeLessThanOrEqual(concurrency);
          expect(await snapshot(service)).toEqual(before);
        }
      } finally {
        store.create = original;
      }
    });

    it("a secret left half-written by a killed restore (journal: started) is redone, not a conflict", async () => {
      await seed(service);
      const before = await snapshot(service);
      const bytes = await backupBytes(service);
      await deleteEverything(service);
      const journalDir = tempDir();
      let seen = 0;
      await service
        .restore(opener(bytes), key, {
          journalDir,
          onProgress: ({ phase }) => {
            if (phase === "restore" && ++seen === 4) throw new Error("simulated crash");
          },
        })
        .catch(() => undefined);
      // As if the process died inside the 4th write: journaled as started, only its first version
      // written (the public "db" has three versions; use whichever secret is 4th in the archive).
      const fourth = await secretAt(bytes, 3);
      const journal = readdirSync(journalDir).find((name) => name.startsWith("restore-"))!;
      appendFileSync(path.join(journalDir, journal), "s 3\n");
      const firstValues = fourth.history?.[0]?.values ?? { partial: "fake-partial" };
      await service.create(
        { id: fourth.owner },
        { name: fourth.name, values: firstValues, private: fourth.private },
      );
      const resumed = await service.restore(opener(bytes), key, { journalDir });
      expect(resumed.plan.resume).toBe(1);
      expect(resumed.plan.conflicts).toBe(0);
      expect(await snapshot(service)).toEqual(before);
    });
  });
}

describeBackup("SQLite", sqliteUrl);
describeWithDatabase("postgres", (getDb) => describeBackup("PostgreSQL", () => getDb().url));
describeWithDatabase("mysql", (getDb) => describeBackup("MySQL", () => getDb().url));
