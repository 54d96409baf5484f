// The sql store's conformance suite, unchanged, with keys from AWS KMS on PostgreSQL and on
// MySQL/MariaDB (@coffer/testkit: Testcontainers when Docker is there; embedded PostgreSQL, or a
// skip with the reason for MySQL, otherwise).
import { describeStoreConformance } from "@coffer/conformance";
import type { AwsKmsEmulator } from "@coffer/emulators";
import { describeWithDatabase } from "@coffer/testkit/vitest";
import { afterAll, beforeAll } from "vitest";
import { kmsStore, registration, startKms } from "./helpers.js";

let emulator: AwsKmsEmulator;
let keyId: string;
beforeAll(async () => {
  ({ emulator, keyId } = await startKms());
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

for (const engine of ["postgres", "mysql"] as const) {
  describeWithDatabase(engine, (getDb) => {
    const context = () => ({
      deploymentId: `kms-${engine}`,
      dataDir: "/nonexistent-never-used",
      databaseUrl: getDb().url,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    });
    describeStoreConformance(`sql on ${engine}, keys from AWS KMS`, {
      create: () => kmsStore(emulator.url, keyId, context()),
      capabilities,
      keptRevisions: 10,
      registration,
    });
  });
}
