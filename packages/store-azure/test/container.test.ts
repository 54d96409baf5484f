// The store and service suites against Key Vault in a container (@coffer/testkit's startEmulator):
// Coffer's own emulator image when COFFER_TEST_AZURE_IMAGE names one (what CI runs), otherwise the
// upstream Lowkey Vault. Without Docker every test is skipped with the reason; with
// COFFER_TEST_REQUIRE_DOCKER=1 they fail instead.
//
// Ours serves https with a certificate testkit generated, which the store trusts exactly (tlsCa).
// Lowkey Vault serves its own bundled self-signed certificate, which testkit does not know, and
// speaks older API versions. That path is untested here (no registry to pull the image from).
import { Agent } from "node:https";
import { describeServiceConformance, describeStoreConformance } from "@coffer/conformance";
import { type RunningEmulatorContainer, startEmulator } from "@coffer/testkit";
import { describeWith } from "@coffer/testkit/vitest";
import { beforeAll } from "vitest";
import {
  type AzureBackend,
  capabilitiesOf,
  closedPort,
  serviceOver,
  storeFor,
  testInjections,
} from "./helpers.js";

let unreachablePort: number;

beforeAll(async () => {
  unreachablePort = await closedPort();
});

function targetOf(container: RunningEmulatorContainer): Pick<AzureBackend, "url" | "ca"> {
  return { url: container.endpoint, ca: container.certificatePem ?? "" };
}

function injectionsFor(container: RunningEmulatorContainer) {
  if (container.certificatePem !== undefined) return testInjections();
  return testInjections({
    clientOptions: {
      retryOptions: { maxRetries: 0 },
      // TEST ONLY, for Lowkey Vault's unknown self-signed certificate: an agent that does not
      // verify the server. Never in the store's code or options, which trust only `tlsCa`.
      agent: new Agent({ rejectUnauthorized: false }),
      // Lowkey Vault implements the 7.x API versions, not the SDK's newest.
      serviceVersion: "7.5",
    },
  });
}

describeWith(
  "azure emulator container",
  () => startEmulator("azure"),
  (emulator) => {
    describeStoreConformance("azure (container)", {
      create: () => storeFor(targetOf(emulator()), {}, "test-deployment", injectionsFor(emulator())),
      capabilities: capabilitiesOf(),
      unreachable: () => storeFor({ url: `https://127.0.0.1:${unreachablePort}`, ca: "" }),
    });

    describeServiceConformance("azure container + SQLite metadata", {
      open: () => serviceOver(targetOf(emulator()), {}, injectionsFor(emulator())),
    });
  },
);
