// The service suite over the gcp store (against the emulator, or COFFER_TEST_GCP_ENDPOINT) with
// SQLite metadata: names, visibility, versions, listing, references and limits end to end, with
// every value living in Secret Manager.
import { describeServiceConformance } from "@coffer/conformance";
import { afterAll, beforeAll } from "vitest";
import { type GcpTarget, serviceOver, startTarget } from "./helpers.js";

let target: GcpTarget;

beforeAll(async () => {
  target = await startTarget();
});

afterAll(async () => {
  await target?.stop();
});

describeServiceConformance("gcp store + SQLite metadata", {
  open: () => serviceOver(target),
});
