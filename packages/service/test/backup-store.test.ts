// A backup store behind the primary: writes go to both, reads fall back, the primary heals, and
// copying everything across is how values move to a new backend without losing one.

import { describeServiceConformance } from "@coffer/conformance";
import { BackendUnavailableError, silentLogger } from "@coffer/core";
import { MemoryStore } from "@coffer/store-memory";
import { describe, expect, it } from "vitest";
import { createService } from "../src/index.js";
import { dataDirFor, sqliteUrl } from "./helpers.js";

const alice = { id: "alice" };

async function mirrored(databaseUrl = sqliteUrl()) {
  const primary = new MemoryStore({ maxValueBytes: 8192 });
  const backup = new MemoryStore({ maxValueBytes: 4096 });
  const service = await createService({
    databaseUrl,
    dataDir: dataDirFor(databaseUrl),
    store: () => primary,
    backupStore: () => backup,
    logger: silentLogger,
  });
  return { service, primary, backup };
}

describe("a backup store", () => {
  it("receives every write, and the smaller limit of the two applies", async () => {
    const { service, primary, backup } = await mirrored();
    const { id } = await service.create(alice, { name: "db", values: { password: "fake-1" } });
    expect(await backup.get(id)).toEqual({ password: "fake-1" });
    await service.update(alice, { id }, { values: { password: "fake-2" } });
    expect(await backup.get(id)).toEqual({ password: "fake-2" });
    expect(service.store.capabilities().maxValueBytes).toBe(4096);
    await service.delete(alice, { id });
    expect(primary.size).toBe(0);
    expect(backup.size).toBe(0);
  });

  it("serves reads while the primary is down", async () => {
    const { service, primary } = await mirrored();
    const { id } = await service.create(alice, { name: "db", values: { password: "fake-1" } });
    primary.injectFault("get");
    expect((await service.get(alice, { id })).values).toEqual({ password: "fake-1" });
  });

  it("puts back what the primary lost", async () => {
    const { service, primary } = await mirrored();
    const { id } = await service.create(alice, { name: "db", values: { password: "fake-1" } });
    primary.unseed(id);
    expect((await service.get(alice, { id })).values).toEqual({ password: "fake-1" });
    expect(await primary.get(id)).toEqual({ password: "fake-1" });
  });

  it("does not fail a write the primary took when the backup misses it; copying repairs the backup", async () => {
    const { service, backup } = await mirrored();
    backup.injectFault("create", new BackendUnavailableError("backup down"));
    const { id } = await service.create(alice, { name: "db", values: { password: "fake-1" } });
    await expect(backup.get(id)).rejects.toThrow(/holds no secret/);
    const report = await service.copyAllValues("to-backup");
    expect(report).toEqual({ copied: 1, missing: [], failed: [] });
    expect(await backup.get(id)).toEqual({ password: "fake-1" });
  });

  it("moves every secret to a new backend: copy to the backup, then make it the primary", async () => {
    const databaseUrl = sqliteUrl();
    // Stores named alike share their contents, as two processes would share one backend.
    const oldName = `old-${Date.now()}`;
    const newName = `new-${Date.now()}`;
    const before = await createService({
      databaseUrl,
      dataDir: dataDirFor(databaseUrl),
      store: () => new MemoryStore({ shared: oldName }),
      logger: silentLogger,
    });
    for (let i = 0; i < 250; i++) await before.create(alice, { name: `s${i}`, values: { n: String(i) } });
    await before.create(alice, { name: "mine", values: { n: "private" }, private: true });
    await before.close();

    const migrating = await createService({
      databaseUrl,
      dataDir: dataDirFor(databaseUrl),
      store: () => new MemoryStore({ shared: oldName }),
      backupStore: () => new MemoryStore({ shared: newName }),
      logger: silentLogger,
    });
    expect(await migrating.copyAllValues("to-backup", { batchSize: 40 })).toMatchObject({
      copied: 251,
      missing: [],
      failed: [],
    });
    await migrating.close();

    const next = new MemoryStore({ shared: newName });
    const after = await createService({
      databaseUrl,
      dataDir: dataDirFor(databaseUrl),
      store: () => next,
      logger: silentLogger,
    });
    expect((await after.get(alice, { name: "s249" })).values).toEqual({ n: "249" });
    expect((await after.get(alice, { name: "mine" })).values).toEqual({ n: "private" });
    expect(next.size).toBe(251);
  });

  it("refuses to copy when no backup is configured", async () => {
    const databaseUrl = sqliteUrl();
    const service = await createService({
      databaseUrl,
      dataDir: dataDirFor(databaseUrl),
      store: () => new MemoryStore(),
      logger: silentLogger,
    });
    await expect(service.copyAllValues("to-backup")).rejects.toThrow(/No backup store is configured/);
  });
});

describeServiceConformance("SQLite + memory store mirrored to a memory backup", {
  open: async () => {
    const { service } = await mirrored();
    return { session: (user) => service.as({ id: user }), maxValueBytes: 4096, close: () => service.close() };
  },
});
