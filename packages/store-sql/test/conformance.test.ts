// The conformance suite on SQLite: a database file with the self-managed keyring file (the
// embedded default), and an in-memory database with an operator keyring. The server databases
// run it in postgres.test.ts and mysql.test.ts.

import { writeFileSync } from "node:fs";
import path from "node:path";
import { describeStoreConformance } from "@coffer/conformance";
import { sqlStore } from "../src/index.js";
import { describeSqlStoreBehaviour } from "./behaviour.js";
import { capabilities, contextFor, fakeKey, keyringJson, newStore, tempDir } from "./support.js";

const key = fakeKey();
const invalidOptions = [
  { colour: "red" },
  { encryptionKey: "c2hvcnQ=" },
  { encryptionKey: key, keyring: keyringJson("k1", { k1: key }) },
  { keyring: "{not json" },
  { keyring: keyringJson("k2", { k1: key }) },
  { keyring: { active: "k1", keys: { "bad id!": key } } },
  { maxValueBytes: 100 },
  { maxValueBytes: 64 * 1_048_576 },
  { url: "oracle://db.example/coffer" },
];

// A database "file" inside a regular file can never be opened: nothing is there to talk to.
const blocker = path.join(tempDir(), "a-regular-file");
writeFileSync(blocker, "not a directory");
const unreachable = () =>
  newStore({ encryptionKey: key }, contextFor(`sqlite://${path.join(blocker, "coffer.db")}`));

const fileDir = tempDir();
const fileContext = contextFor(`sqlite://${path.join(fileDir, "coffer.db")}`, { dataDir: fileDir });
describeStoreConformance("sql on a SQLite file, keyring file", {
  create: () => newStore({}, fileContext),
  capabilities,
  keptRevisions: 10, // the default maxVersions
  registration: sqlStore,
  invalidOptions,
  unreachable,
});

const memoryContext = contextFor("sqlite://:memory:");
const keyring = keyringJson("k2", { k1: fakeKey(), k2: fakeKey() });
describeStoreConformance("sql on in-memory SQLite, operator keyring", {
  create: () => newStore({ keyring }, memoryContext),
  capabilities,
  keptRevisions: 10, // the default maxVersions
  registration: sqlStore,
  invalidOptions,
  unreachable,
});

const behaviourDir = tempDir();
describeSqlStoreBehaviour("a SQLite file", () => `sqlite://${path.join(behaviourDir, "coffer.db")}`);
