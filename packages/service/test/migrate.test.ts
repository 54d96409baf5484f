// Moving values to another store with the target as the backup store: everything copied and read
// back, a crashed run resumed without losing or repeating anything, writes made meanwhile reach the
// target, and the report never carries a value. Cross-store pairs and SIGKILL runs: packages/cli/test.
import { silentLogger } from "@coffer/core";
import { MemoryStore } from "@coffer/store-memory";
import { describe, expect, it } from "vitest";
import { createService, diffSnapshots, ValueFingerprinter } from "../src/index.js";
import { dataDirFor, sqliteUrl } from "./helpers.js";

const alice = { id: "alice" };
const bob = { id: "bob" };

async function migrating(count: number, databaseUrl = sqliteUrl()) {
  const primary = new MemoryStore();
  const target = new MemoryStore();
  // They outlive each service opened over them, as a real backend outlives a process.
  primary.close = async () => {};
  target.close = async () => {};
  const open = (backup?: MemoryStore) =>
    createService({
      databaseUrl,
      dataDir: dataDirFor(databaseUrl),
      store: () => primary,
      ...(backup ? { backupStore: () => backup } : {}),
      logger: silentLogger,
    });
  // The secrets exist before the migration starts: written without the mirror.
  const plain = await open();
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const { id } = await plain.create(i % 3 ? alice : bob, {
      name: `app-${String(i).padStart(3, "0")}`,
      values: { password: `fake-password-${i}`, user: `fake-user-${i}` },
      private: i % 2 === 0,
    });
    ids.push(id);
  }
  await plain.close();
  return { primary, target, ids, open: () => open(target) };
}

describe("migrating values to another store", () => {
  it("copies every secret, verifies it, and a second run finds them already there", async () => {
    const { primary, target, ids, open } = await migrating(25);
    const service = await open();
    const seen: number[] = [];
    const report = await service.migrateValues("memory:test", {
      batchSize: 7,
      onProgress: (p) => seen.push(p.done),
    });
    expect(report.failed).toEqual([]);
    expect(report.copied.sort()).toEqual([...ids].sort());
    expect(report.already).toEqual([]);
    expect(report.verified).toBe(25);
    expect(seen).toEqual([7, 14, 21, 25]);
    for (const id of ids) expect(await target.get(id)).toEqual(await primary.get(id));
    expect(JSON.stringify(report)).not.toMatch(/fake-/);

    const again = await service.migrateValues("memory:test");
    expect(again.resumed).toBe(false);
    expect(again.copied).toEqual([]);
    expect(again.already.sort()).toEqual([...ids].sort());
    await service.close();
  });

  it("a run that stops after a batch resumes where it stopped: nothing lost, nothing written twice", async () => {
    const { primary, target, ids, open } = await migrating(30);
    const first = await open();
    const writes: string[] = [];
    const create = target.create.bind(target);
    target.create = async (id, values) => {
      writes.push(id);
      return create(id, values);
    };
    await expect(
      first.migrateValues("memory:test", {
        batchSize: 10,
        afterBatch: (batch) => {
          if (batch === 2) throw new Error("killed");
        },
      }),
    ).rejects.toThrow("killed");
    await first.close();
    expect(writes).toHaveLength(20);

    const second = await open();
    const report = await second.migrateValues("memory:test", { batchSize: 10 });
    expect(report.resumed).toBe(true);
    expect(report.copied.sort()).toEqual([...ids].sort());
    expect(report.failed).toEqual([]);
    // The 20 journaled as verified were not read or written again.
    expect(writes).toHaveLength(30);
    expect(new Set(writes).size).toBe(30);
    expect(target.size).toBe(30);
    for (const id of ids) expect(await target.get(id)).toEqual(await primary.get(id));
    await second.close();
  });

  it("a copy that reached the target but not the journal counts as already there on resume", async () => {
    const { target, ids, open } = await migrating(5);
    const service = await open();
    await target.create(ids[0]!, { password: "fake-password-0", user: "fake-user-0" });
    const report = await service.migrateValues("memory:test");
    expect(report.already).toEqual([ids[0]]);
    expect(report.copied).toHaveLength(4);
    await service.close();
  });

  it("writes made during the migration are in the target afterwards", async () => {
    const { primary, target, ids, open } = await migrating(30);
    const service = await open();
    // In the order the migration walks them: the first batch's.
    const [first, second] = [...ids].sort();
    let added = "";
    await service.migrateValues("memory:test", {
      batchSize: 10,
      afterBatch: async (batch) => {
        if (batch !== 1) return;
        // Already copied, changed now; and a secret that did not exist when the run started.
        const owner = ids.indexOf(first!) % 3 ? alice : bob;
        await service.update(owner, { id: first! }, { values: { password: "fake-changed" } });
        added = (await service.create(alice, { name: "late", values: { token: "fake-late" } })).id;
        // A writer that did not mirror (another process): only the last pass can catch it.
        await primary.update(second!, { password: "fake-unmirrored" });
      },
    });
    expect(await target.get(first!)).toMatchObject({ password: "fake-changed" });
    expect(await target.get(added)).toEqual({ token: "fake-late" });
    expect(await target.get(second!)).toEqual({ password: "fake-unmirrored" });
    await service.close();
  });

  it("a copy that reads back different is failed, listed by id, and the migration stays open", async () => {
    const { target, ids, open } = await migrating(3);
    const service = await open();
    const get = target.getMany.bind(target);
    let reads = 0;
    target.getMany = async (batch) => {
      const found = await get(batch);
      // The read-back (second read of the batch) sees a corrupted copy of one secret.
      if (++reads === 2 && found.has(ids[1]!)) found.set(ids[1]!, { password: "fake-corrupt" });
      return found;
    };
    const report = await service.migrateValues("memory:test", { skipFinalPass: true });
    expect(report.failed).toEqual([{ id: ids[1], code: "VERIFY_MISMATCH" }]);
    target.getMany = get;
    const resumed = await service.migrateValues("memory:test");
    expect(resumed.resumed).toBe(true);
    expect(resumed.failed).toEqual([]);
    await service.close();
  });
});

describe("diffing two deployments", () => {
  it("reports added, removed and changed names, keys and versions, never values", async () => {
    const a = await migrating(4);
    const b = await migrating(4);
    const left = await a.open();
    const right = await b.open();
    const hash = new ValueFingerprinter();
    expect((await diffSnapshots(left.snapshot("A"), right.snapshot("B"), hash)).equal).toBe(true);

    await right.update(alice, { name: "app-001" }, { values: { password: "fake-other" } });
    await right.update(alice, { name: "app-002" }, { values: { extra: "fake-extra" } });
    await right.create(alice, { name: "new-one", values: { k: "fake-k" } });
    await left.delete(alice, { name: "app-001" }).catch(() => undefined);
    await left.create(bob, { name: "only-left", values: { k: "fake-k" }, private: true });
    const diff = await diffSnapshots(left.snapshot("A"), right.snapshot("B"), hash);
    expect(diff.equal).toBe(false);
    expect(diff.added.map((s) => s.name).sort()).toEqual(["app-001", "new-one"]);
    expect(diff.removed).toEqual([{ name: "only-left", owner: "bob", version: 1, keys: ["k"] }]);
    expect(diff.changed).toEqual([
      {
        name: "app-002",
        owner: "alice",
        version: { from: 1, to: 2 },
        keysAdded: ["extra"],
        keysRemoved: [],
        keysChanged: [],
      },
    ]);
    expect(JSON.stringify(diff)).not.toMatch(/fake-/);

    // Same version, different value: the keyed hash tells.
    await b.primary.update((await right.getMetadata(alice, { name: "app-003" })).id, {
      password: "fake-swapped",
      user: "fake-user-3",
    });
    const byValue = await diffSnapshots(left.snapshot("A"), right.snapshot("B"), hash);
    expect(byValue.changed.find((c) => c.name === "app-003")).toEqual({
      name: "app-003",
      keysAdded: [],
      keysRemoved: [],
      keysChanged: ["password"],
    });
    await left.close();
    await right.close();
  });
});
