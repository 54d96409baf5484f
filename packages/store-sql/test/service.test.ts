// The service-level suite on the embedded default and its server variants: metadata and encrypted
// values in one SQLite file, in PostgreSQL and in MySQL (MariaDB in CI).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describeServiceConformance, type ServiceUnderTest } from "@coffer/conformance";
import { instantiateStore, silentLogger } from "@coffer/core";
import { createService } from "@coffer/service";
import { describeWithDatabase } from "@coffer/testkit/vitest";
import { sqlStore } from "../src/index.js";

const MAX = 8192;

async function open(databaseUrl: string): Promise<ServiceUnderTest> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "coffer-sql-service-"));
  const service = await createService({
    databaseUrl,
    dataDir,
    store: (context) => instantiateStore(sqlStore, { maxValueBytes: MAX }, context),
    logger: silentLogger,
  });
  return { session: (user) => service.as({ id: user }), maxValueBytes: MAX, close: () => service.close() };
}

describeServiceConformance("SQLite + sql store (the embedded default)", {
  open: () =>
    open(`sqlite://${path.join(mkdtempSync(path.join(tmpdir(), "coffer-sql-service-")), "coffer.db")}`),
});

describeWithDatabase("postgres", (getDb) => {
  describeServiceConformance("PostgreSQL + sql store", {
    open: () => open(getDb().url),
  });
});

describeWithDatabase("mysql", (getDb) => {
  describeServiceConformance("MySQL + sql store", {
    open: () => open(getDb().url),
  });
});
