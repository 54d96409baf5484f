// The service suite over the gcp store (against the emulator, or COFFER_TEST_GCP_ENDPOINT) with
// SQLite metadata: names, visibility, versions, listing, references and limits end to end, with
// every value living in Secret Manager.
import { describeServiceConformance } from "@coffer/conformance";
import { afterAll, beforeAll } from "vitest";
import { type GcpBackend, serviceOver, startBackend } from "./helpers.js";

let target: GcpBackend;

beforeAll(async () => {
  target = await startBackend();
});

afterAll(async () => {
  await target?.stop();
});

describeServiceConformance("gcp store + SQLite metadata", {
  open: () => serviceOver(target),
});
