// The sql store's conformance suite, unchanged, with its keys from GCP Cloud KMS (the emulator,
// through @google-cloud/kms over gRPC on a socket): on a SQLite file, on PostgreSQL and on
// MySQL/MariaDB (@coffer/testkit: Testcontainers when Docker is there; embedded PostgreSQL, or a
// skip with the reason for MySQL, otherwise).
import { describeStoreConformance } from "@coffer/conformance";
import type { GcpKmsEmulator } from "@coffer/emulators";
import { describeWithDatabase } from "@coffer/testkit/vitest";
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

const capabilities = {
  access: "read-write",
  maxValueBytes: 1_048_576,
  batchGetMax: 500,
  versions: true,
  cas: true,
  softDelete: false,
} as const;

const aKey = "projects/p/locations/global/keyRings/r/cryptoKeys/k";
const context = sqliteContext();
describeStoreConformance("sql on a SQLite file, keys from GCP Cloud KMS", {
  create: () => kmsStore(emulator.port, keyName, context),
  capabilities,
  keptRevisions: 10,
  registration,
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

for (const engine of ["postgres", "mysql"] as const) {
  describeWithDatabase(engine, (getDb) => {
    describeStoreConformance(`sql on ${engine}, keys from GCP Cloud KMS`, {
      create: () =>
        kmsStore(emulator.port, keyName, { ...sqliteContext(`gcp-kms-${engine}`), databaseUrl: getDb().url }),
      capabilities,
      keptRevisions: 10,
      registration,
    });
  });
}
