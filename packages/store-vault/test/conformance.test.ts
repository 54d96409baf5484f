// The conformance suite against Vault KV v2 (the in-process emulator unless COFFER_TEST_VAULT_ADDR
// points elsewhere): once with token auth, once with AppRole and a per-key max_versions.
import { describeStoreConformance } from "@coffer/conformance";
import { afterAll, beforeAll } from "vitest";
import { vaultStore } from "../src/index.js";
import {
  CAPABILITIES,
  closedPort,
  newStore,
  startBackend,
  uniqueDeployment,
  type VaultBackend,
} from "./helpers.js";

let backend: VaultBackend;
let deadPort: number;
beforeAll(async () => {
  backend = await startBackend();
  deadPort = await closedPort();
});
afterAll(() => backend.stop());

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
];

const common = {
  registration: vaultStore,
  invalidOptions,
  capabilities: CAPABILITIES,
  unreachable: () =>
    newStore({ ...backend, address: `http://127.0.0.1:${deadPort}` }, "unreachable", { timeoutMs: 2_000 }),
};

const tokenDeployment = uniqueDeployment("conf-token");
describeStoreConformance("vault (token)", {
  ...common,
  create: () => newStore(backend, tokenDeployment),
});

// AppRole needs a role, which only the emulator's helper (or an admin) can create.
const appRoleDeployment = uniqueDeployment("conf-approle");
let appRole: { roleId: string; secretId: string } | undefined;
describeStoreConformance("vault (AppRole, maxVersions 5)", {
  ...common,
  create: () => {
    appRole ??= backend.emulator?.createAppRole("coffer-conformance", { tokenTtl: "1h" });
    return appRole
      ? newStore(backend, appRoleDeployment, { ...appRole, maxVersions: 5 })
      : newStore(backend, appRoleDeployment, { maxVersions: 5 });
  },
});
