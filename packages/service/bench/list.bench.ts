// List latency for the first vs the last page at 100,000 secrets: keyset pagination should make
// the last page cost about what the first does. OFFSET paging is shown beside it for contrast.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { newSecretId, silentLogger } from "@coffer/core";
import { createService } from "@coffer/service";
import { openDatabase } from "@coffer/sql";
import { MemoryStore } from "@coffer/store-memory";
import { startPostgres } from "@coffer/testkit";
import { sql } from "kysely";
import { median, printTable } from "./table.ts";

const TOTAL = 100_000;
const PAGE = 50;
const actor = { id: "bench" };

async function measure(label: string, databaseUrl: string): Promise<Array<Array<string | number>>> {
  const service = await createService({
    databaseUrl,
    dataDir: mkdtempSync(path.join(tmpdir(), "coffer-bench-")),
    store: () => new MemoryStore(),
    logger: silentLogger,
  });
  const database = openDatabase(databaseUrl);
  const now = Date.now();
  const fill = performance.now();
  for (let start = 0; start < TOTAL; start += 1000) {
    const rows = Array.from({ length: 1000 }, (_, i) => {
      const n = start + i;
      return {
        id: newSecretId(),
        name: `secret-${String(n).padStart(6, "0")}`,
        owner: "bench",
        private: 0,
        scope: "",
        version: 1,
        state: "active",
        keys: '["k"]',
        created_at: now + n,
        updated_at: now + n,
        state_since: now + n,
      };
    });
    await database.db.transaction().execute((trx) => trx.insertInto("coffer_secrets").values(rows).execute());
  }
  const fillSeconds = (performance.now() - fill) / 1000;
  // After a bulk load PostgreSQL's autovacuum refreshes the planner statistics within a minute;
  // do it now rather than wait. (Without statistics the planner guesses the filter is selective
  // and sorts the whole table.)
  if (databaseUrl.startsWith("postgres")) await sql`analyze coffer_secrets`.execute(database.db);

  // Walk to the last page once to get its cursor.
  let cursor: string | undefined;
  let lastCursor: string | undefined;
  do {
    lastCursor = cursor;
    const page = await service.list(actor, { limit: 1000, ...(cursor ? { cursor } : {}) });
    cursor = page.nextCursor;
  } while (cursor);
  // The last page of PAGE items starts after item TOTAL - PAGE: find that cursor.
  const tail = await service.list(actor, {
    limit: TOTAL % 1000 === 0 ? 1000 - PAGE : PAGE,
    ...(lastCursor ? { cursor: lastCursor } : {}),
  });

  const first = await median(30, () => service.list(actor, { limit: PAGE }));
  const last = await median(30, () => service.list(actor, { limit: PAGE, cursor: tail.nextCursor! }));
  const lastPage = await service.list(actor, { limit: PAGE, cursor: tail.nextCursor! });
  if (lastPage.items.length !== PAGE || lastPage.nextCursor) throw new Error("did not reach the last page");
  const offset = await median(10, () =>
    database.db
      .selectFrom("coffer_secrets")
      .selectAll()
      .where("state", "in", ["active", "updating"])
      .orderBy("name")
      .orderBy("id")
      .limit(PAGE)
      .offset(TOTAL - PAGE)
      .execute(),
  );
  await database.close();
  await service.close();
  return [
    [label, "keyset (cursor)", first, last, last / first],
    [label, "OFFSET, for contrast", first, offset, offset / first],
    [label, `(filled ${TOTAL} rows in ${fillSeconds.toFixed(1)} s)`, "", "", ""],
  ];
}

const rows = [
  ...(await measure(
    "SQLite",
    `sqlite://${path.join(mkdtempSync(path.join(tmpdir(), "coffer-bench-")), "c.db")}`,
  )),
];
try {
  const postgres = await startPostgres();
  try {
    rows.push(...(await measure(`PostgreSQL (${postgres.via})`, postgres.url)));
  } finally {
    await postgres.stop();
  }
} catch (error) {
  rows.push(["PostgreSQL", `not run: ${(error as Error).message.split("\n")[0]}`, "", "", ""]);
}
printTable(
  `List latency at ${TOTAL.toLocaleString("en")} secrets, ${PAGE} per page (median ms)`,
  ["database", "paging", "first page", "last page", "last / first"],
  rows,
);
