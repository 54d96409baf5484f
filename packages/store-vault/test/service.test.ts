// The service suite (names, visibility, versions, listing, references, limits, concurrency) over
// SQLite metadata and the vault store, against the in-process emulator unless COFFER_TEST_VAULT_ADDR
// points elsewhere.
import { describeServiceConformance } from "@coffer/conformance";
import { afterAll, beforeAll } from "vitest";
import { serviceOver, startBackend, type VaultBackend } from "./helpers.js";

let backend: VaultBackend;
beforeAll(async () => {
  backend = await startBackend();
});
afterAll(() => backend?.stop());

describeServiceConformance("vault store + SQLite metadata", {
  open: () => serviceOver(backend),
});
