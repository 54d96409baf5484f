// List latency at 100,000 secrets, on SQLite and PostgreSQL:
// - first vs last page: keyset pagination should make the last page cost about what the first does
//   (OFFSET paging is shown beside it for contrast);
// - 100% vs 1% of the rows visible to the caller: a user who sees 1,000 of 100,000 secrets (the
//   rest are other users' private secrets) should get a page about as fast as one who sees all.
// The four listings take turns call by call (timeInTurns), so that all see the same machine; an
// earlier version timed every first page, then every last page, and flattered the first.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { newSecretId, silentLogger } from "@coffer/core";
import { createService, METADATA_KEYRING_FILE, MetadataSealer, type SecretsService } from "@coffer/service";
import { KeyringFile, openDatabase } from "@coffer/sql";
import { MemoryStore } from "@coffer/store-memory";
import { startPostgres } from "@coffer/testkit";
import { sql } from "kysely";
import { reportGoal } from "./goals.ts";
import { medianOf, quantile, type TimedPath, timedPath, timeInTurns } from "./paths.ts";
import { median, printTable } from "./table.ts";

const TOTAL = Number(process.env.BENCH_TOTAL ?? 100_000);
const PAGE = 50;
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 40);
/** Sees every row: all are public. */
const everyone = { id: "reader-of-all" };
/** Sees 1% of the rows: half of them public, half its own private secrets; the rest are private to others. */
const fewVisible = { id: "reader-of-few" };

type Visibility = "all" | "few";

interface Filled {
  service: SecretsService;
  lastCursor: string;
  close: () => Promise<void>;
  offsetQuery: () => Promise<unknown>;
  /** The first page as one query with "public or mine" (the plan before the per-scope branches). */
  orQuery: () => Promise<unknown>;
  seconds: number;
}

function rowFor(n: number, visibility: Visibility, now: number) {
  // For "few": every 100th row is visible, alternately public and the reader's own private one.
  const visible = visibility === "all" || n % 100 === 0;
  const own = visibility === "few" && n % 200 === 0;
  return {
    id: newSecretId(),
    name: `secret-${String(n).padStart(6, "0")}`,
    owner: own ? fewVisible.id : visible ? everyone.id : `other-${n % 97}`,
    private: visible && !own ? 0 : 1,
    scope: visible && !own ? "" : own ? fewVisible.id : `other-${n % 97}`,
    version: 1,
    state: "active",
    keys: '["k"]',
    created_at: now + n,
    updated_at: now + n,
    state_since: now + n,
  };
}

async function fill(databaseUrl: string, visibility: Visibility): Promise<Filled> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "coffer-bench-"));
  const service = await createService({
    databaseUrl,
    dataDir,
    store: () => new MemoryStore(),
    logger: silentLogger,
  });
  // Rows are sealed as the service seals them (a listing leaves out a row whose seal fails), with
  // the metadata key the service made in its data directory.
  const sealer = new MetadataSealer(
    (await new KeyringFile(path.join(dataDir, METADATA_KEYRING_FILE)).read())!,
  );
  const database = openDatabase(databaseUrl);
  const now = Date.now();
  const started = performance.now();
  for (let start = 0; start < TOTAL; start += 1000) {
    const rows = Array.from({ length: 1000 }, (_, i) => {
      const row = rowFor(start + i, visibility, now);
      return { ...row, mac: sealer.seal(row) };
    });
    await database.db.transaction().execute((trx) => trx.insertInto("coffer_secrets").values(rows).execute());
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `filled ${TOTAL} rows (${visibility === "all" ? "all" : "1%"} visible) in ${seconds.toFixed(1)} s`,
  );
  // After a bulk load PostgreSQL's autovacuum refreshes the planner statistics within a minute;
  // do it now rather than wait. (Without statistics the planner guesses the filter is selective
  // and sorts the whole table.)
  if (databaseUrl.startsWith("postgres")) await sql`analyze coffer_secrets`.execute(database.db);

  const actor = visibility === "all" ? everyone : fewVisible;
  const visibleCount = visibility === "all" ? TOTAL : TOTAL / 100;
  // The cursor that starts the last page: walk to the row PAGE before the end.
  let cursor: string | undefined;
  let seen = 0;
  while (seen < visibleCount - PAGE) {
    const limit = Math.min(1000, visibleCount - PAGE - seen);
    const page = await service.list(actor, { limit, ...(cursor ? { cursor } : {}) });
    seen += page.items.length;
    cursor = page.nextCursor;
  }
  const last = await service.list(actor, { limit: PAGE, cursor: cursor! });
  if (last.items.length !== PAGE || last.nextCursor) throw new Error("did not reach the last page");
  return {
    service,
    lastCursor: cursor!,
    seconds,
    offsetQuery: () =>
      database.db
        .selectFrom("coffer_secrets")
        .selectAll()
        .where("state", "in", ["active", "updating"])
        .orderBy("name")
        .orderBy("id")
        .limit(PAGE)
        .offset(TOTAL - PAGE)
        .execute(),
    orQuery: () =>
      database.db
        .selectFrom("coffer_secrets")
        .selectAll()
        .where("state", "in", ["active", "updating"])
        .where((eb) => eb.or([eb("private", "=", 0), eb("owner", "=", actor.id)]))
        .orderBy("name")
        .orderBy("id")
        .limit(PAGE + 1)
        .execute(),
    close: async () => {
      await database.close();
      await service.close();
    },
  };
}

async function measure(label: string, urlFor: () => Promise<string>): Promise<Array<Array<string | number>>> {
  const all = await fill(await urlFor(), "all");
  const few = await fill(await urlFor(), "few");
  const paths = {
    allFirst: timedPath("all first", () => all.service.list(everyone, { limit: PAGE })),
    allLast: timedPath("all last", () => all.service.list(everyone, { limit: PAGE, cursor: all.lastCursor })),
    fewFirst: timedPath("few first", () => few.service.list(fewVisible, { limit: PAGE })),
    fewLast: timedPath("few last", () =>
      few.service.list(fewVisible, { limit: PAGE, cursor: few.lastCursor }),
    ),
    allOr: timedPath("all, one OR query", all.orQuery),
    fewOr: timedPath("few, one OR query", few.orQuery),
  };
  await timeInTurns(Object.values(paths), { warmup: 5, iterations: ITERATIONS });
  const offset = await median(10, all.offsetQuery);
  await all.close();
  await few.close();

  const cell = (p: TimedPath) =>
    `${fmt(medianOf(p))} (${fmt(quantile(p.samples, 0.1))}–${fmt(quantile(p.samples, 0.9))})`;
  const { allFirst, allLast, fewFirst, fewLast, allOr, fewOr } = paths;
  const few1 = medianOf(fewFirst) / medianOf(allFirst);
  reportGoal({
    measure: `list first page, 1% vs 100% visible, ${TOTAL} secrets, ${label}`,
    value: `${few1.toFixed(2)}×`,
    goal: "≤ 1.5×",
    met: few1 <= 1.5,
  });
  return [
    [label, "100% visible", cell(allFirst), cell(allLast), ratio(allLast, allFirst), "1.00"],
    [label, "1% visible", cell(fewFirst), cell(fewLast), ratio(fewLast, fewFirst), ratio(fewFirst, allFirst)],
    [label, "first page as one OR query (before), 100% visible", cell(allOr), "", "", "1.00"],
    [label, "first page as one OR query (before), 1% visible", cell(fewOr), "", "", ratio(fewOr, allOr)],
    [
      label,
      "OFFSET, 100% visible, for contrast",
      cell(allFirst),
      fmt(offset),
      (offset / medianOf(allFirst)).toFixed(2),
      "",
    ],
    [label, `(filled 2 × ${TOTAL} rows in ${(all.seconds + few.seconds).toFixed(1)} s)`, "", "", "", ""],
  ];
}

function fmt(ms: number): string {
  return ms < 10 ? ms.toFixed(2) : ms.toFixed(1);
}

function ratio(path: TimedPath, baseline: TimedPath): string {
  return (medianOf(path) / medianOf(baseline)).toFixed(2);
}

const rows = await measure("SQLite", async () => {
  return `sqlite://${path.join(mkdtempSync(path.join(tmpdir(), "coffer-bench-")), "c.db")}`;
});
try {
  const postgres = await startPostgres();
  try {
    let database = 0;
    rows.push(
      ...(await measure(`PostgreSQL (${postgres.via})`, async () => {
        // One database per visibility case, on the same server.
        const name = `list_bench_${database++}`;
        const admin = openDatabase(postgres.url);
        await sql.raw(`create database ${name}`).execute(admin.db);
        await admin.close();
        const url = new URL(postgres.url);
        url.pathname = `/${name}`;
        return url.toString();
      })),
    );
  } finally {
    await postgres.stop();
  }
} catch (error) {
  rows.push(["PostgreSQL", `not run: ${(error as Error).message.split("\n")[0]}`, "", "", "", ""]);
}
printTable(
  `List latency at ${TOTAL.toLocaleString("en")} secrets, ${PAGE} per page, calls in turns, ${ITERATIONS} each (ms: median (p10–p90))`,
  ["database", "case", "first page", "last page", "last / first", "first / first at 100%"],
  rows,
);
