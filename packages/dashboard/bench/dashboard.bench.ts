// The dashboard's numbers: the bundle's size (gzip, as served from dist/), and in headless
// Debian Chromium against a real server holding 100,000 secrets — metadata in SQLite, then in
// PostgreSQL (testkit's container), printed side by side — the time from pressing "Sign in" to the
// first page of the list on screen, and from typing a name filter to its result. The secrets are
// bulk-inserted as sealed metadata rows, 1,000 a statement, the same way on both (like
// packages/service/bench/list.bench.ts): listing reads no values, so none are stored.
//   COFFER_BENCH_SECRETS=10000 ./dev bench dashboard   (fewer secrets)
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { newSecretId } from "@coffer/core";
import { startServer } from "@coffer/server";
import { openDatabase } from "@coffer/sql";
import { startPostgres } from "@coffer/testkit";
import { sql } from "kysely";
import type { Page } from "playwright-core";
import { printTable } from "../../service/bench/table.ts";
import { bundleFiles } from "../bundle-files.mjs";
import { type Browser, chromiumMissing, launchChromium } from "../test/browser.ts";

const TOTAL = Number(process.env.COFFER_BENCH_SECRETS ?? 100_000);
const RUNS = 7;
const dist = fileURLToPath(new URL("../dist/", import.meta.url));

/** The median of what `measure` returns (each run times only its own step). */
async function medianOf(runs: number, measure: () => Promise<number>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await measure());
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const sizes = bundleFiles(dist).firstLoad.map((file) => {
  const bytes = readFileSync(path.join(dist, file));
  return [file, bytes.length, gzipSync(bytes, { level: 9 }).length];
});
sizes.push([
  "first load",
  sizes.reduce((sum, row) => sum + Number(row[1]), 0),
  sizes.reduce((sum, row) => sum + Number(row[2]), 0),
]);
printTable("Dashboard bundle (dist/)", ["file", "bytes", "gzipped"], sizes);

const missing = chromiumMissing();
if (missing) {
  console.error(`dashboard bench: ${missing}`);
  process.exit(1);
}

interface Measured {
  fillSeconds: number;
  /** press Sign in → the first page (20 rows) on screen, ms (median). */
  firstList: number;
  /** type a name filter → its one match on screen, ms (median). */
  filtered: number;
  /** The same filter's API call alone, without the browser, ms (median). */
  filterApi: number;
}

/**
 * Resolves at the first animation frame where the list's first `rows` rows are on screen and the
 * first one mentions `name`. Checked at every frame in the page: Playwright's own waits poll at
 * growing intervals (…, 100 ms, then 500 ms), which rounded a 400 ms answer up to 850 ms.
 */
async function listShown(page: Page, rows: number, name = ""): Promise<void> {
  await page.waitForFunction(
    ({ rows, name }) => {
      const shown = document.querySelectorAll("table.secrets tbody tr");
      return shown.length >= rows && (shown[0]?.textContent ?? "").includes(name);
    },
    { rows, name },
    { polling: "raf" },
  );
}

/** A server over `databaseUrl` (a fresh database) holding TOTAL secrets, timed in the browser. */
async function measureOn(browser: Browser, databaseUrl: string): Promise<Measured> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "coffer-dashboard-bench-"));
  const server = await startServer({
    env: { COFFER_DATA_DIR: dataDir, COFFER_DATABASE_URL: databaseUrl, COFFER_LOG_LEVEL: "silent" },
    settings: { host: "127.0.0.1", port: 0, dashboardDir: dist, authFailureLimit: 0 },
    log: false,
  });
  const database = openDatabase(databaseUrl);
  try {
    const token = server.bootstrapToken?.token;
    if (!token) throw new Error("no bootstrap token");
    const me = (await (
      await fetch(`${server.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as { userId: string };

    const fill = performance.now();
    const now = Date.now();
    for (let start = 0; start < TOTAL; start += 1000) {
      const rows = Array.from({ length: Math.min(1000, TOTAL - start) }, (_, i) => {
        const n = start + i;
        const row = {
          id: newSecretId(),
          name: `secret-${String(n).padStart(6, "0")}`,
          owner: me.userId,
          private: 0,
          scope: "",
          version: 1,
          keys: '["k"]',
          created_at: now + n,
          updated_at: now + n,
        };
        return { ...row, state: "active", state_since: now + n, mac: server.service.sealer.seal(row) };
      });
      await database.db
        .transaction()
        .execute((trx) => trx.insertInto("coffer_secrets").values(rows).execute());
    }
    // After a bulk load PostgreSQL's autovacuum refreshes the planner's statistics within a
    // minute; do it now rather than wait (a deployment that grew to this size has them).
    if (database.dialect === "postgres") await sql`analyze coffer_secrets`.execute(database.db);
    const fillSeconds = (performance.now() - fill) / 1000;

    const signIn = async () => {
      const page = await browser.context.newPage();
      await page.goto(`${server.url}/ui/`);
      await page.getByLabel("API token").fill(token);
      return page;
    };
    const firstList = await medianOf(RUNS, async () => {
      const page = await signIn();
      const started = performance.now();
      await page.getByRole("button", { name: "Sign in" }).click();
      await listShown(page, 20);
      const elapsed = performance.now() - started;
      await page.close();
      return elapsed;
    });
    const last = `${String(TOTAL - 1).padStart(6, "0")}`;
    const filtered = await medianOf(RUNS, async () => {
      const page = await signIn();
      await page.getByRole("button", { name: "Sign in" }).click();
      await listShown(page, 20);
      const started = performance.now();
      await page.getByLabel("Name contains").fill(last);
      await listShown(page, 1, `secret-${last}`);
      const elapsed = performance.now() - started;
      await page.close();
      return elapsed;
    });
    const filterApi = await medianOf(RUNS, async () => {
      const started = performance.now();
      const reply = await fetch(`${server.url}/api/v1/secrets?sort=name&limit=20&name_contains=${last}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      if ((await reply.json()).items.length !== 1) throw new Error("the filter did not find its one match");
      return performance.now() - started;
    });
    return { fillSeconds, firstList, filtered, filterApi };
  } finally {
    await database.close();
    await server.close();
  }
}

const browser = await launchChromium();
const results: Array<[string, Measured | string]> = [];
try {
  const sqliteDir = mkdtempSync(path.join(tmpdir(), "coffer-dashboard-bench-sqlite-"));
  results.push(["SQLite", await measureOn(browser, `sqlite://${path.join(sqliteDir, "coffer.db")}`)]);
  let postgres: Awaited<ReturnType<typeof startPostgres>> | undefined;
  try {
    postgres = await startPostgres();
    results.push([`PostgreSQL (${postgres.via})`, await measureOn(browser, postgres.url)]);
  } catch (error) {
    results.push(["PostgreSQL", `not run: ${(error as Error).message.split("\n")[0]}`]);
  } finally {
    await postgres?.stop();
  }
} finally {
  await browser.close();
}

const cell = (result: Measured | string, pick: (measured: Measured) => number | string) =>
  typeof result === "string" ? result : pick(result);
printTable(
  `Headless Chromium, ${TOTAL.toLocaleString("en")} secrets, median of ${RUNS} (ms)`,
  ["step", ...results.map(([name]) => name)],
  [
    [
      "press Sign in → first page (20 rows) on screen",
      ...results.map(([, r]) => cell(r, (m) => m.firstList)),
    ],
    [
      "type a name filter → its one match on screen (includes the 250 ms typing pause)",
      ...results.map(([, r]) => cell(r, (m) => m.filtered)),
    ],
    [
      "  the filter's API call alone (GET /api/v1/secrets?name_contains=…)",
      ...results.map(([, r]) => cell(r, (m) => m.filterApi)),
    ],
    [
      `(seconds to bulk-insert the ${TOTAL.toLocaleString("en")} rows)`,
      ...results.map(([, r]) => cell(r, (m) => m.fillSeconds.toFixed(1))),
    ],
  ],
);
