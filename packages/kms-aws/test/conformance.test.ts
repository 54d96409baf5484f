// The sql store's conformance suite, unchanged, with its keys from AWS KMS (the emulator, through
// @aws-sdk/client-kms over a socket): on a SQLite file, on PostgreSQL and on MySQL/MariaDB
// (@coffer/testkit: Testcontainers when Docker is there; embedded PostgreSQL, or a skip with the
// reason for MySQL, otherwise).
import type { AwsKmsEmulator } from "@coffer/emulators";
import { describeKeySourceConformance } from "@coffer/testkit/vitest";
import { afterAll, beforeAll } from "vitest";
import { closedPort, kmsStore, registration, sqliteContext, startKms } from "./helpers.js";

let emulator: AwsKmsEmulator;
let keyId: string;
let deadPort: number;
beforeAll(async () => {
  ({ emulator, keyId } = await startKms());
  deadPort = await closedPort();
});
afterAll(() => emulator.stop());

describeKeySourceConformance({
  name: "AWS KMS",
  id: "kms",
  registration,
  storeFor: (context) => kmsStore(emulator.url, keyId, context),
  invalidOptions: [
    { keySource: "aws-kms" }, // no kms options
    { keySource: "Not A Source!", kms: {} },
    { keySource: "aws-kms", kms: { keyId: "alias/x" }, encryptionKey: "c2hvcnQ=" },
    { kms: { keyId: "alias/x" } }, // kms options without a KMS key source
    { keySource: "aws-kms", kms: { keyId: "alias/x" }, dataKeyCacheTtlMs: 10 },
    { keySource: "aws-kms", kms: { keyId: "alias/x" }, dataKeyCacheMax: 0 },
  ],
  // The database is fine; the KMS is not there: init must fail as unavailable.
  unreachable: () => kmsStore(`http://127.0.0.1:${deadPort}`, "alias/coffer", sqliteContext()),
});
