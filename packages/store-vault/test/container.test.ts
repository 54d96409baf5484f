// The conformance suites against Vault in a container (@coffer/testkit's startEmulator): Coffer's
// own emulator image when COFFER_TEST_VAULT_IMAGE names it (what CI runs), else Vault itself in
// dev mode. Without Docker every test is skipped with the reason; with COFFER_TEST_REQUIRE_DOCKER=1
// they fail.
//
// The upstream path (hashicorp/vault in dev mode) has not been run here (no registry to pull it
// from). It needs nothing special: dev mode serves plain HTTP, mounts KV version 2 at `secret`, and
// the container's root token comes back as `vaultToken`. Token auth only: AppRole would need an
// auth method enabled first, which the in-process suite covers.
import { describeServiceConformance, describeStoreConformance } from "@coffer/conformance";
import { startEmulator } from "@coffer/testkit";
import { describeWith } from "@coffer/testkit/vitest";
import { beforeAll } from "vitest";
import { vaultStore } from "../src/index.js";
import { capabilitiesOf, closedPort, serviceOver, storeFor, uniqueDeployment } from "./helpers.js";

let deadPort: number;
beforeAll(async () => {
  deadPort = await closedPort();
});

describeWith(
  "vault emulator container",
  () => startEmulator("vault"),
  (emulator) => {
    const target = () => ({ address: emulator().endpoint, token: emulator().vaultToken ?? "" });
    const deployment = uniqueDeployment("container");
    describeStoreConformance("vault (container)", {
      registration: vaultStore,
      create: () => storeFor(target(), deployment),
      unreachable: () =>
        storeFor({ address: `http://127.0.0.1:${deadPort}`, token: "not-a-real-token" }, "unreachable", {
          timeoutMs: 2_000,
        }),
      capabilities: capabilitiesOf(),
    });

    describeServiceConformance("vault container + SQLite metadata", {
      open: () => serviceOver(target()),
    });
  },
);
