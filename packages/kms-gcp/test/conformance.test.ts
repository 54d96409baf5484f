// The sql store's conformance suite, unchanged, with its keys from GCP Cloud KMS (the emulator,
// through @google-cloud/kms over gRPC on a socket): on a SQLite file, on PostgreSQL and on
// MySQL/MariaDB (@coffer/testkit: Testcontainers when Docker is there; embedded PostgreSQL, or a
// skip with the reason for MySQL, otherwise).
import type { GcpKmsEmulator } from "@coffer/emulators";
import { describeKeySourceConformance } from "@coffer/testkit/vitest";
import { afterAll, beforeAll } from "vitest";
import { closedPort, kmsStore, registration, sqliteContext, startKms } from "./helpers.js";

let emulator: GcpKmsEmulator;
let keyName: string;
let deadPort: number;
beforeAll(async () => {
  ({ emulator, keyName } = await startKms());
  deadPort = await closedPort();
});
afterAll(() => emulator.stop());

const aKey = "projects/p/locations/global/keyRings/r/cryptoKeys/k";
describeKeySourceConformance({
  name: "GCP Cloud KMS",
  id: "gcp-kms",
  registration,
  storeFor: (context) => kmsStore(emulator.port, keyName, context),
  invalidOptions: [
    { keySource: "gcp-kms" }, // no kms options
    { keySource: "gcp-kms", kms: { keyName: "projects/p/keyRings/r" } }, // not a CryptoKey name
    { keySource: "gcp-kms", kms: { keyName: aKey, insecure: true } }, // insecure without an endpoint
    { keySource: "gcp-kms", kms: { keyName: aKey }, keyring: "{}" },
    { kms: { keyName: aKey } }, // kms options without a KMS key source
  ],
  // The database is fine; the KMS is not there: init must fail as unavailable.
  unreachable: () => kmsStore(deadPort, aKey, sqliteContext()),
});
