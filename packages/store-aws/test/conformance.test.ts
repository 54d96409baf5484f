// The conformance suite against Secrets Manager (the in-process emulator unless
// COFFER_TEST_AWS_ENDPOINT points elsewhere), once per delete policy: with a recovery window the
// store declares softDelete and recreates over a deleted name; with forceDelete it does not.
import { describeStoreConformance } from "@coffer/conformance";
import { afterAll, beforeAll } from "vitest";
import { awsStore } from "../src/index.js";
import {
  type AwsBackend,
  capabilitiesOf,
  closedPort,
  startBackend,
  storeFor,
  uniqueDeployment,
} from "./helpers.js";

let backend: AwsBackend;
let deadPort: number;
beforeAll(async () => {
  backend = await startBackend();
  deadPort = await closedPort();
});
afterAll(() => backend.stop());

const invalidOptions = [
  {},
  { region: "us-east-1", colour: "red" },
  { region: "not a region" },
  { region: "us-east-1", recoveryWindowDays: 7, forceDelete: true },
  { region: "us-east-1", recoveryWindowDays: 6 },
  { region: "us-east-1", recoveryWindowDays: 31 },
  { region: "us-east-1", accessKeyId: "AKIAFAKE" },
  { region: "us-east-1", sessionToken: "not-a-real-token" },
  { region: "us-east-1", namePrefix: "/leading-slash" },
  { region: "us-east-1", extraTags: { "coffer-deployment": "spoofed" } },
  { region: "us-east-1", extraTags: { "aws:reserved": "x" } },
  { region: "us-east-1", endpoint: "ftp://127.0.0.1" },
  { region: "us-east-1", maxVersions: 18 },
];

const common = {
  registration: awsStore,
  keptRevisions: 10,
  invalidOptions,
  unreachable: () => storeFor(`http://127.0.0.1:${deadPort}`, "unreachable"),
};

const windowDeployment = uniqueDeployment("conf-window");
describeStoreConformance("aws (recovery window)", {
  ...common,
  create: () => storeFor(backend.endpoint, windowDeployment),
  capabilities: capabilitiesOf(),
});

const forceDeployment = uniqueDeployment("conf-force");
describeStoreConformance("aws (force delete)", {
  ...common,
  create: () => storeFor(backend.endpoint, forceDeployment, { forceDelete: true }),
  capabilities: capabilitiesOf({ forceDelete: true }),
});
