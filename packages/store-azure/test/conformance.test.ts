// The azure store against the Key Vault emulator (or COFFER_TEST_AZURE_URL), through the shared
// conformance suite, in both delete modes: capabilities differ (softDelete only without purging).
import { describeStoreConformance } from "@coffer/conformance";
import { afterAll, beforeAll } from "vitest";
import { azureStore } from "../src/index.js";
import { type AzureBackend, capabilitiesOf, closedPort, startBackend, storeFor } from "./helpers.js";

let target: AzureBackend;
let unreachablePort: number;

beforeAll(async () => {
  target = await startBackend();
  unreachablePort = await closedPort();
});

afterAll(async () => {
  await target?.stop();
});

const vault = "https://example.vault.azure.net";
const invalidOptions = [
  {},
  { vaultUrl: "not a url", managedIdentity: true },
  { vaultUrl: "http://example.vault.azure.net", managedIdentity: true },
  // No way to authenticate at all: refused rather than falling back to a default chain.
  { vaultUrl: vault },
  { vaultUrl: vault, clientSecret: "not-a-real-secret" },
  { vaultUrl: vault, tenantId: "t", clientId: "c", clientSecret: "not-a-real-secret", managedIdentity: true },
  { vaultUrl: vault, managedIdentity: true, namePrefix: "under_score" },
  { vaultUrl: vault, managedIdentity: true, extraTags: { "coffer-secret-id": "x" } },
  {
    vaultUrl: vault,
    managedIdentity: true,
    extraTags: Object.fromEntries([...Array(14).keys()].map((i) => [`t${i}`, "v"])),
  },
  { vaultUrl: vault, managedIdentity: true, keyVaultName: "example" },
  { vaultUrl: vault, managedIdentity: true, extraTags: { "coffer-revision": "7" } },
  {
    vaultUrl: vault,
    managedIdentity: true,
    extraTags: Object.fromEntries([...Array(13).keys()].map((i) => [`t${i}`, "v"])),
  },
  { vaultUrl: vault, managedIdentity: true, maxVersions: 0 },
];

describeStoreConformance("azure (purgeOnDelete: true)", {
  create: () => storeFor(target, { purgeOnDelete: true }),
  capabilities: capabilitiesOf({ purgeOnDelete: true }),
  keptRevisions: 10,
  registration: azureStore,
  invalidOptions,
  unreachable: () => storeFor({ url: `https://127.0.0.1:${unreachablePort}`, ca: target.ca }),
});

describeStoreConformance("azure (purgeOnDelete: false)", {
  create: () => storeFor(target, { purgeOnDelete: false }, "soft-delete-deployment"),
  capabilities: capabilitiesOf({ purgeOnDelete: false }),
  keptRevisions: 10,
  unreachable: () =>
    storeFor({ url: `https://127.0.0.1:${unreachablePort}`, ca: target.ca }, { purgeOnDelete: false }),
});
