// The store and service suites against Secret Manager in a container (@coffer/testkit's
// startEmulator): Coffer's own emulator image when COFFER_TEST_GCP_IMAGE names one (what CI runs),
// otherwise the upstream blackwell-systems emulator. Without Docker every test is skipped with the
// reason; with COFFER_TEST_REQUIRE_DOCKER=1 they fail instead.
//
// Both flavours serve plain-text gRPC on one port without authentication, so the store is set up
// the same way for each. The upstream path is untested here (no registry to pull it from): whether
// that emulator verifies and returns CRC32C checksums, or keeps labels, is not known; the store
// only checks a checksum the service sends, so either way the suites should hold.
import { describeServiceConformance, describeStoreConformance } from "@coffer/conformance";
import { startEmulator } from "@coffer/testkit";
import { describeWith } from "@coffer/testkit/vitest";
import { beforeAll } from "vitest";
import { capabilitiesOf, closedPort, containerTarget, serviceOver, storeFor } from "./helpers.js";

let unreachablePort: number;

beforeAll(async () => {
  unreachablePort = await closedPort();
});

describeWith(
  "gcp emulator container",
  () => startEmulator("gcp"),
  (emulator) => {
    describeStoreConformance("gcp (container)", {
      create: () => storeFor(containerTarget(emulator().endpoint)),
      capabilities: capabilitiesOf(),
      unreachable: () => storeFor({ host: "127.0.0.1", port: unreachablePort }),
    });

    describeServiceConformance("gcp container + SQLite metadata", {
      open: () => serviceOver(containerTarget(emulator().endpoint)),
    });
  },
);
