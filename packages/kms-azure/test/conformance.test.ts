// The sql store's conformance suite, unchanged, with its keys wrapped by an RSA key in Azure Key
// Vault (the keys emulator, through @azure/keyvault-keys over HTTPS): on a SQLite file, on
// PostgreSQL and on MariaDB (@coffer/testkit: Testcontainers when Docker is there).
import type { AzureKeysEmulator } from "@coffer/emulators";
import { describeKeySourceConformance } from "@coffer/testkit/vitest";
import { afterAll, beforeAll } from "vitest";
import { closedPort, kmsStore, registration, sqliteContext, startVault } from "./helpers.js";

let emulator: AzureKeysEmulator;
let keyName: string;
let deadPort: number;
beforeAll(async () => {
  ({ emulator, keyName } = await startVault());
  deadPort = await closedPort();
});
afterAll(() => emulator.stop());

describeKeySourceConformance({
  name: "Azure Key Vault",
  id: "azure-keys",
  registration,
  storeFor: (context) => kmsStore(emulator, keyName, context),
  invalidOptions: [
    { keySource: "azure-keys" }, // no kms options
    { keySource: "azure-keys", kms: { vaultUrl: "http://127.0.0.1:1", keyName: "coffer" } }, // plain http
    { keySource: "azure-keys", kms: { vaultUrl: "https://v.vault.azure.net", keyName: "no_underscores" } },
    {
      keySource: "azure-keys",
      kms: { vaultUrl: "https://v.vault.azure.net", keyName: "k", clientSecret: "x" },
    },
    { keySource: "azure-keys", kms: { vaultUrl: "https://v.vault.azure.net", keyName: "k" }, keyring: "{}" },
  ],
  // The database is fine; the vault is not there: init must fail as unavailable.
  unreachable: () =>
    kmsStore(
      { url: `https://127.0.0.1:${deadPort}`, certificatePem: emulator.certificatePem },
      "coffer",
      sqliteContext(),
    ),
});
