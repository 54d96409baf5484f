// The conformance suite and the encryption, key and rotation behaviour on a real MySQL (or the
// MariaDB image CI uses), in a Testcontainers container. There is no embedded MySQL: without
// Docker these tests are reported as skipped with the reason (testkit's rule; with
// COFFER_TEST_REQUIRE_DOCKER=1 they fail instead).
import { describeStoreConformance } from "@coffer/conformance";
import { describeWithDatabase } from "@coffer/testkit/vitest";
import { sqlStore } from "../src/index.js";
import { describeSqlStoreBehaviour } from "./behaviour.js";
import { capabilities, closedPort, contextFor, fakeKey, keyringJson, newStore } from "./support.js";

const keyring = keyringJson("k1", { k1: fakeKey() });

describeWithDatabase("mysql", (getDb) => {
  describeStoreConformance("sql on MySQL, operator keyring", {
    create: () => newStore({ keyring }, contextFor(getDb().url)),
    capabilities,
    keptRevisions: 10, // the default maxVersions
    registration: sqlStore,
    invalidOptions: [{ url: "mysql://u@db/x?poolSize=-1" }],
    unreachable: async () =>
      newStore(
        { keyring, url: `mysql://coffer:fake-password@127.0.0.1:${await closedPort()}/coffer` },
        contextFor(getDb().url),
      ),
  });
  describeSqlStoreBehaviour("MySQL", () => getDb().url);
});
