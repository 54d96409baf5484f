// The conformance suites against Secrets Manager in a container (@coffer/testkit's startEmulator):
// Coffer's own emulator image when COFFER_TEST_AWS_IMAGE names it (what CI runs), else moto.
// Without Docker every test is skipped with the reason; with COFFER_TEST_REQUIRE_DOCKER=1 they fail.
//
// The moto path ("upstream" flavour) has not been run here (no registry to pull it from). It
// needs nothing special: moto takes any SigV4 credentials and region on one plain-HTTP port.
import { describeServiceConformance, describeStoreConformance } from "@coffer/conformance";
import { startEmulator } from "@coffer/testkit";
import { describeWith } from "@coffer/testkit/vitest";
import { beforeAll } from "vitest";
import { awsStore } from "../src/index.js";
import { capabilitiesOf, closedPort, serviceOver, storeFor, uniqueDeployment } from "./helpers.js";

let deadPort: number;
beforeAll(async () => {
  deadPort = await closedPort();
});

describeWith(
  "aws emulator container",
  () => startEmulator("aws"),
  (emulator) => {
    const deployment = uniqueDeployment("container");
    describeStoreConformance("aws (container)", {
      registration: awsStore,
      create: () => storeFor(emulator().endpoint, deployment),
      unreachable: () => storeFor(`http://127.0.0.1:${deadPort}`, "unreachable"),
      capabilities: capabilitiesOf(),
    });

    describeServiceConformance("aws container + SQLite metadata", {
      open: () => serviceOver(emulator().endpoint),
    });
  },
);
