// The conformance suite against Vault KV v2 (the in-process emulator unless COFFER_TEST_VAULT_ADDR
// points elsewhere): once with token auth, once with AppRole and a per-key max_versions. Both reach
// Vault through a forwarder that counts connections and requests: constructing a store, or
// refusing its options, must reach nothing (C04, C06.1).
import { describeStoreConformance } from "@coffer/conformance";
import { afterAll, beforeAll } from "vitest";
import { vaultStore } from "../src/index.js";
import {
  capabilitiesOf,
  closedPort,
  externalAddress,
  startBackend,
  startTrafficCounter,
  storeFor,
  uniqueDeployment,
  type VaultBackend,
} from "./helpers.js";

let backend: VaultBackend;
let deadPort: number;
beforeAll(async () => {
  backend = await startBackend();
  deadPort = await closedPort();
});
const counter = await startTrafficCounter(() => backend.address);
afterAll(async () => {
  await counter.stop();
  await backend.stop();
});
// The store's address: the traffic counter in front of the backend.
const counted = () => ({ ...backend, address: counter.url });

const invalidOptions = [
  {},
  { address: "http://127.0.0.1:8200" },
  { address: "http://127.0.0.1:8200", token: "not-a-real-token", roleId: "fake-role" },
  { address: "http://127.0.0.1:8200", roleId: "fake-role" },
  { address: "http://127.0.0.1:8200", token: "not-a-real-token", colour: "red" },
  { address: "vault.example.com", token: "not-a-real-token" },
  { address: "http://127.0.0.1:8200", token: "not-a-real-token", mount: "../sys" },
  { address: "http://127.0.0.1:8200", token: "not-a-real-token", pathPrefix: "a?b" },
  { address: "http://127.0.0.1:8200", token: "not-a-real-token", maxVersions: 0 },
  { address: "http://127.0.0.1:8200", token: "not-a-real-token", tlsCa: "@/etc/ssl/ca.pem" },
  { address: "https://127.0.0.1:8200", token: "not-a-real-token", tlsCa: "not a certificate" },
  { address: "https://127.0.0.1:8200", token: "not-a-real-token", tlsCa: "@/nonexistent/ca.pem" },
  // Refused options that name the counted address: C04 checks nothing connected to it.
  { address: counter.url, token: "not-a-real-token", colour: "red" },
  { address: counter.url, token: "not-a-real-token", maxVersions: 0 },
  { address: counter.url.replace("http:", "https:"), token: "not-a-real-token", tlsCa: "not a certificate" },
];

const common = {
  registration: vaultStore,
  invalidOptions,
  capabilities: capabilitiesOf(),
  backendTraffic: () => counter.count(),
  unreachable: () =>
    storeFor({ ...backend, address: `http://127.0.0.1:${deadPort}` }, "unreachable", { timeoutMs: 2_000 }),
};

const tokenDeployment = uniqueDeployment("conf-token");
describeStoreConformance("vault (token)", {
  ...common,
  create: () => storeFor(counted(), tokenDeployment),
  // Neither the key nor (in the emulator) the mount sets max_versions: Vault keeps 10. A real
  // Vault's mount may keep more, so the count is only declared against the emulator.
  ...(!externalAddress && { keptRevisions: 10 }),
});

// AppRole needs a role, which only the emulator's helper (or an admin) can create.
const appRoleDeployment = uniqueDeployment("conf-approle");
let appRole: { roleId: string; secretId: string } | undefined;
describeStoreConformance("vault (AppRole, maxVersions 5)", {
  ...common,
  create: () => {
    appRole ??= backend.emulator?.createAppRole("coffer-conformance", { tokenTtl: "1h" });
    return appRole
      ? storeFor(counted(), appRoleDeployment, { ...appRole, maxVersions: 5 })
      : storeFor(counted(), appRoleDeployment, { maxVersions: 5 });
  },
  // Vault keeps the larger of the key's and the mount's max_versions: 5 while the mount sets none.
  ...(!externalAddress && { keptRevisions: 5 }),
});
