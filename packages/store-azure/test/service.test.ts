// The service suite over the azure store (against the emulator, or COFFER_TEST_AZURE_URL) with
// SQLite metadata: names, visibility, versions, listing, references and limits end to end, with
// every value living in Key Vault.
import { describeServiceConformance } from "@coffer/conformance";
import { afterAll, beforeAll } from "vitest";
import { type AzureBackend, serviceOver, startBackend } from "./helpers.js";

let target: AzureBackend;

beforeAll(async () => {
  target = await startBackend();
});

afterAll(async () => {
  await target?.stop();
});

describeServiceConformance("azure store + SQLite metadata", {
  open: () => serviceOver(target),
});
