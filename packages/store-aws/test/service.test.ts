// The service suite (names, visibility, versions, listing, references, limits, concurrency) over
// SQLite metadata and the aws store, against the in-process emulator unless COFFER_TEST_AWS_ENDPOINT
// points elsewhere. The store keeps its production delete policy (a recovery window).
import { describeServiceConformance } from "@coffer/conformance";
import { afterAll, beforeAll } from "vitest";
import { type AwsBackend, serviceOver, startBackend } from "./helpers.js";

let backend: AwsBackend;
beforeAll(async () => {
  backend = await startBackend();
});
afterAll(() => backend?.stop());

describeServiceConformance("aws store + SQLite metadata", {
  open: () => serviceOver(backend.endpoint),
});
