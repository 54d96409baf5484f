// The sql store's conformance suite, unchanged, with its keys from Vault's transit engine (the
// emulator, through node-vault over a socket): on a SQLite file, on PostgreSQL and on MariaDB.
import { describeStoreConformance } from "@coffer/conformance";
import { startVaultEmulator, type VaultEmulator } from "@coffer/emulators";
import { describeWithDatabase } from "@coffer/testkit/vitest";
import { afterAll, beforeAll } from "vitest";
import { registration, sqliteContext, startTransit, transitStore } from "./helpers.js";

let emulator: VaultEmulator;
let keyName: string;
let deadAddress: string;
beforeAll(async () => {
  ({ emulator, keyName } = await startTransit());
  const dead = await startVaultEmulator();
  deadAddress = dead.url;
  await dead.stop();
});
afterAll(() => emulator.stop());

const capabilities = {
  access: "read-write",
  maxValueBytes: 1_048_576,
  batchGetMax: 500,
  versions: true,
  cas: true,
  softDelete: false,
} as const;

const context = sqliteContext();
describeStoreConformance("sql on a SQLite file, keys from Vault transit", {
  create: () => transitStore(emulator, keyName, context),
  capabilities,
  keptRevisions: 10,
  registration,
  invalidOptions: [
    { keySource: "vault-transit" },
    { keySource: "vault-transit", kms: { keyName: "coffer" }, keyring: "{}" },
  ],
  unreachable: () =>
    transitStore({ url: deadAddress, rootToken: "root" } as VaultEmulator, "coffer-1", sqliteContext()),
});

for (const engine of ["postgres", "mysql"] as const) {
  describeWithDatabase(engine, (getDb) => {
    describeStoreConformance(`sql on ${engine}, keys from Vault transit`, {
      create: () =>
        transitStore(emulator, keyName, { ...sqliteContext(`transit-${engine}`), databaseUrl: getDb().url }),
      capabilities,
      keptRevisions: 10,
      registration,
    });
  });
}
