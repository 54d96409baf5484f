// `coffer migrate`'s engine between every pair of {sql on SQLite, sql on PostgreSQL, memory, aws,
// gcp, azure, vault}: the stores are the real backends (emulators in this process, PostgreSQL in a
// container), the service the real one with the target as its backup store. Each pair copies
// secrets written before the run, takes a change and a new secret written through the service
// half-way, and ends with every secret's values in the target, read back by id.
import path from "node:path";
import { type SecretsStore, type StoreContext, silentLogger } from "@coffer/core";
import {
  type RunningEmulator,
  startAwsEmulator,
  startAzureEmulator,
  startGcpEmulator,
  startVaultEmulator,
} from "@coffer/emulators";
import { createService } from "@coffer/service";
import { AzureStore } from "@coffer/store-azure";
import { builtinStores } from "@coffer/stores";
import { startPostgres, type TestDatabase } from "@coffer/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "./helpers.js";

type Make = (context: StoreContext) => Promise<SecretsStore>;
const registry = builtinStores();
const byType =
  (type: string, options: Record<string, unknown>): Make =>
  async (context) => {
    // As loadConfig does: the store's schema fills in its defaults.
    const registration = await registry.get(type);
    return registration.create(registration.optionsSchema.parse(options), context);
  };

const running: RunningEmulator[] = [];
let postgres: TestDatabase;
const kinds: Record<string, Make> = {};

beforeAll(async () => {
  const [aws, gcp, vault, azure] = await Promise.all([
    startAwsEmulator(),
    startGcpEmulator(),
    startVaultEmulator({ rootToken: "not-a-real-root-token" }),
    startAzureEmulator(),
  ]);
  running.push(aws, gcp, vault, azure);
  postgres = await startPostgres();
  const dir = tempDir("coffer-migrate-stores-");
  let n = 0;
  Object.assign(kinds, {
    "sql-sqlite": (c: StoreContext) =>
      byType("sql", {
        url: `sqlite://${path.join(dir, `values-${++n}.db`)}`,
        keyringFile: path.join(dir, `k-${n}.json`),
      })(c),
    "sql-postgres": (c: StoreContext) =>
      byType("sql", { url: postgres.url, keyringFile: path.join(dir, `k-${++n}.json`) })(c),
    memory: byType("memory", {}),
    aws: byType("aws", {
      region: "us-east-1",
      endpoint: aws.url,
      accessKeyId: "AKIAFAKEFAKEFAKEFAKE",
      secretAccessKey: "not-a-real-secret-access-key",
    }),
    gcp: byType("gcp", { project: "coffer-test", apiEndpoint: "127.0.0.1", port: gcp.port, insecure: true }),
    vault: byType("vault", { address: vault.url, token: "not-a-real-root-token" }),
    // Azure's credentials talk to Entra ID: a hand-written credential with a fake token instead.
    azure: async (c: StoreContext) =>
      new AzureStore(
        {
          vaultUrl: azure.url,
          tlsCa: azure.certificatePem ?? "",
          disableChallengeResourceVerification: true,
        },
        c,
        {
          credential: {
            getToken: async () => ({ token: "not-a-real-token", expiresOnTimestamp: Date.now() + 3.6e6 }),
          },
          clientOptions: { retryOptions: { maxRetries: 0 } },
          pollIntervalMs: 10,
        },
      ),
  });
}, 180_000);

afterAll(async () => {
  await Promise.allSettled([...running.map((e) => e.stop()), postgres?.stop()]);
});

const alice = { id: "alice" };
const COUNT = 8;

/** Seeds `from`, migrates to `to` with writes half-way, and checks the target holds every secret. */
async function migratePair(from: string, to: string) {
  const dir = tempDir("coffer-migrate-pair-");
  const databaseUrl = `sqlite://${path.join(dir, "coffer.db")}`;
  const stores: { source?: SecretsStore; target?: SecretsStore } = {};
  // Built once per pair: the stores outlive the two services opened over them.
  const source = async (c: StoreContext) => (stores.source ??= await kinds[from]!(c));
  const target = async (c: StoreContext) => (stores.target ??= await kinds[to]!(c));
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

const KINDS = ["sql-sqlite", "sql-postgres", "memory", "aws", "gcp", "azure", "vault"];
const REQUIRED = [
  ["sql-sqlite", "aws"],
  ["sql-sqlite", "vault"],
  ["aws", "sql-sqlite"],
  ["memory", "gcp"],
  ["sql-sqlite", "sql-postgres"],
];

describe("migrating values between stores", () => {
  for (const [from, to] of REQUIRED) it(`${from} -> ${to}`, () => migratePair(from!, to!), 60_000);
});

describe("every pair of stores", () => {
  for (const from of KINDS) {
    for (const to of KINDS) {
      if (from === to || REQUIRED.some(([a, b]) => a === from && b === to)) continue;
      it(`${from} -> ${to}`, () => migratePair(from, to), 60_000);
    }
  }
});
