// The sql store's conformance suite, unchanged, with its keys from Vault's transit engine (the
// emulator, through node-vault over a socket): on a SQLite file, on PostgreSQL and on MariaDB.
import { startVaultEmulator, type VaultEmulator } from "@coffer/emulators";
import { describeKeySourceConformance } from "@coffer/testkit/vitest";
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

describeKeySourceConformance({
  name: "Vault transit",
  id: "transit",
  registration,
  storeFor: (context) => transitStore(emulator, keyName, context),
  invalidOptions: [
    { keySource: "vault-transit" },
    { keySource: "vault-transit", kms: { keyName: "coffer" }, keyring: "{}" },
  ],
  unreachable: () =>
    transitStore({ url: deadAddress, rootToken: "root" } as VaultEmulator, "coffer-1", sqliteContext()),
});
