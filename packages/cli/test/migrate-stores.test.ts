// `coffer migrate`'s engine between every pair of {sql on SQLite, sql on PostgreSQL, memory, aws,
// gcp, azure, vault}: the stores are the real backends (emulators in this process, PostgreSQL in a
// container), the service the real one with the target as its backup store. Each pair copies
// secrets written before the run, takes a change and a new secret written through the service
// half-way, and ends with every secret's values in the target, read back by id.
import path from "node:path";
import { type SecretsStore, type StoreContext, silentLogger } from "@coffer/core";
import { createService } from "@coffer/service";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "./helpers.js";
import { type RunningStoreKinds, STORE_KINDS, type StoreKind, startStoreKinds } from "./store-kinds.js";

let running: RunningStoreKinds;
let kinds: RunningStoreKinds["kinds"];
beforeAll(async () => {
  running = await startStoreKinds();
  kinds = running.kinds;
}, 180_000);
afterAll(async () => {
  await running?.stop();
});

const alice = { id: "alice" };
const COUNT = 8;

/** Seeds `from`, migrates to `to` with writes half-way, and checks the target holds every secret. */
async function migratePair(from: StoreKind, to: StoreKind) {
  const dir = tempDir("coffer-migrate-pair-");
  const databaseUrl = `sqlite://${path.join(dir, "coffer.db")}`;
  const stores: { source?: SecretsStore; target?: SecretsStore } = {};
  // Built once per pair: the stores outlive the two services opened over them.
  const source = async (c: StoreContext) => (stores.source ??= await kinds[from](c));
  const target = async (c: StoreContext) => (stores.target ??= await kinds[to](c));
  const deploymentId = `migrate-${from}-${to}-${Date.now()}`;
  const context: StoreContext = { deploymentId, dataDir: dir, databaseUrl, logger: silentLogger };
  await source(context);
  await target(context);
  const keep = (store: SecretsStore) => Object.assign(store, { close: async () => {} });
  const parts = { databaseUrl, dataDir: dir, deploymentId, logger: silentLogger };
  const before = await createService({ ...parts, store: () => keep(stores.source!) });
  for (let i = 0; i < COUNT; i++) {
    await before.create(alice, {
      name: `app-${i}`,
      values: { password: `fake-${from}-${i}`, "smtp.host": "mail.example" },
    });
  }
  await before.close();

  const service = await createService({
    ...parts,
    store: () => stores.source!,
    backupStore: () => stores.target!,
  });
  const report = await service.migrateValues(`${to}:test`, {
    batchSize: 3,
    afterBatch: async (batch) => {
      if (batch !== 1) return;
      await service.update(alice, { name: "app-0" }, { values: { password: "fake-changed-meanwhile" } });
      await service.create(alice, { name: "late", values: { token: "fake-late" } });
    },
  });
  expect(report.failed, JSON.stringify(report.failed)).toEqual([]);
  // Writes through the service were mirrored: the last pass found nothing left to copy.
  expect(report.recopied).toEqual([]);
  expect(JSON.stringify(report)).not.toMatch(/fake-/);
  const page = await service.list(alice, { limit: 100 });
  expect(page.items).toHaveLength(COUNT + 1);
  for (const item of page.items) {
    const values = (await service.get(alice, { id: item.id })).values;
    expect(await stores.target!.get(item.id), `${item.name} in ${to}`).toEqual(values);
  }
  expect(await stores.target!.get((await service.getMetadata(alice, { name: "app-0" })).id)).toMatchObject({
    password: "fake-changed-meanwhile",
  });
  await service.close();
}

const KINDS = STORE_KINDS;
const REQUIRED: Array<[StoreKind, StoreKind]> = [
  ["sql-sqlite", "aws"],
  ["sql-sqlite", "vault"],
  ["aws", "sql-sqlite"],
  ["memory", "gcp"],
  ["sql-sqlite", "sql-postgres"],
];

describe("migrating values between stores", () => {
  for (const [from, to] of REQUIRED) it(`${from} -> ${to}`, () => migratePair(from, to), 60_000);
});

describe("every pair of stores", () => {
  for (const from of KINDS) {
    for (const to of KINDS) {
      if (from === to || REQUIRED.some(([a, b]) => a === from && b === to)) continue;
      it(`${from} -> ${to}`, () => migratePair(from, to), 60_000);
    }
  }
});
