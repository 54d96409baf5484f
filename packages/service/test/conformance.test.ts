// The service suite over the memory store on each metadata database: SQLite here and always;
// PostgreSQL and MySQL through @coffer/testkit (containers, or an embedded PostgreSQL).
import { describeServiceConformance } from "@coffer/conformance";
import { describeWithDatabase } from "@coffer/testkit/vitest";
import { sqliteUrl, underTest } from "./helpers.js";

describeServiceConformance("SQLite + memory store", { open: () => underTest(sqliteUrl()) });

// A store that keeps no earlier values: history is still listed, old values and rollback are
// NotSupportedError (S61 finds out which kind of store it drives and checks accordingly).
describeServiceConformance("SQLite + memory store without versions", {
  open: () => underTest(sqliteUrl(), { versions: false, cas: false, softDelete: false }),
});

describeWithDatabase("postgres", (getDb) => {
  describeServiceConformance("PostgreSQL + memory store", { open: () => underTest(getDb().url) });
});

describeWithDatabase("mysql", (getDb) => {
  describeServiceConformance("MySQL + memory store", { open: () => underTest(getDb().url) });
});
