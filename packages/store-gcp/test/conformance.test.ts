// The gcp store against the Secret Manager emulator (or COFFER_TEST_GCP_ENDPOINT), through the
// shared conformance suite.
import { describeStoreConformance } from "@coffer/conformance";
import { afterAll, beforeAll } from "vitest";
import { gcpStore } from "../src/index.js";
import { capabilitiesOf, closedPort, type GcpBackend, PROJECT, startBackend, storeFor } from "./helpers.js";

let target: GcpBackend;
let unreachablePort: number;

beforeAll(async () => {
  target = await startBackend();
  unreachablePort = await closedPort();
});

afterAll(async () => {
  await target?.stop();
});

describeStoreConformance("gcp", {
  create: () => storeFor(target),
  capabilities: capabilitiesOf(),
  keptRevisions: 10,
  registration: gcpStore,
  invalidOptions: [
    {},
    { project: "Not A Project" },
    { project: PROJECT, labels: { "Upper-Case": "x" } },
    { project: PROJECT, labels: { team: "Not Lowercase" } },
    { project: PROJECT, labels: { "coffer-deployment": "other" } },
    { project: PROJECT, namePrefix: "no/slashes" },
    { project: PROJECT, keyFile: "/k.json", credentials: '{"client_email":"a","private_key":"b"}' },
    { project: PROJECT, credentials: "not json" },
    { project: PROJECT, insecure: true },
    { project: PROJECT, maxVersions: 0 },
    { project: PROJECT, keepVersions: 2 },
    { project: PROJECT, region: "us-east1" },
  ],
  unreachable: () => storeFor({ host: "127.0.0.1", port: unreachablePort }),
});
