// The dashboard's numbers: the bundle's size (gzip, as served from dist/), and in headless
// Debian Chromium against a real server (SQLite metadata) holding 100,000 secrets, the time from
// pressing "Sign in" to the first page of the list on screen, and from typing a name filter to its
// result. The secrets are bulk-inserted as sealed metadata rows (like packages/service/bench/
// list.bench.ts): listing reads no values, so none are stored.
//   COFFER_BENCH_SECRETS=10000 ./dev bench dashboard   (fewer secrets)
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { newSecretId } from "@coffer/core";
import { startServer } from "@coffer/server";
import { openDatabase } from "@coffer/sql";
import { printTable } from "../../service/bench/table.ts";
import { chromiumMissing, launchChromium } from "../test/browser.ts";

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

const sizes = ["app.js", "app.css", "index.html"].map((file) => {
  const bytes = readFileSync(path.join(dist, file));
  return [file, bytes.length, gzipSync(bytes, { level: 9 }).length];
});
sizes.push([
  "total",
  sizes.reduce((sum, row) => sum + Number(row[1]), 0),
  sizes.reduce((sum, row) => sum + Number(row[2]), 0),
]);
printTable("Dashboard bundle (dist/)", ["file", "bytes", "gzipped"], sizes);

const missing = chromiumMissing();
if (missing) {
  console.error(`dashboard bench: ${missing}`);
  process.exit(1);
}

const dataDir = mkdtempSync(path.join(tmpdir(), "coffer-dashboard-bench-"));
const databaseUrl = `sqlite://${path.join(dataDir, "coffer.db")}`;
const server = await startServer({
  env: { COFFER_DATA_DIR: dataDir, COFFER_DATABASE_URL: databaseUrl, COFFER_LOG_LEVEL: "silent" },
  settings: { host: "127.0.0.1", port: 0, dashboardDir: dist, authFailureLimit: 0 },
  log: false,
});
const token = server.bootstrapToken?.token;
if (!token) throw new Error("no bootstrap token");
const me = (await (
  await fetch(`${server.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } })
).json()) as {
  userId: string;
};

const database = openDatabase(databaseUrl);
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
  await database.db.transaction().execute((trx) => trx.insertInto("coffer_secrets").values(rows).execute());
}
const fillSeconds = (performance.now() - fill) / 1000;

const browser = await launchChromium();
try {
  const firstList = await medianOf(RUNS, async () => {
    const page = await browser.context.newPage();
    await page.goto(`${server.url}/ui/`);
    await page.getByLabel("API token").fill(token);
    const started = performance.now();
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator("table.secrets tbody tr").nth(19).waitFor();
    const elapsed = performance.now() - started;
    await page.close();
    return elapsed;
  });
  const filtered = await medianOf(RUNS, async () => {
    const page = await browser.context.newPage();
    await page.goto(`${server.url}/ui/`);
    await page.getByLabel("API token").fill(token);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator("table.secrets tbody tr").nth(19).waitFor();
    const started = performance.now();
    await page.getByLabel("Name contains").fill(`${String(TOTAL - 1).padStart(6, "0")}`);
    await page
      .locator("table.secrets tbody tr")
      .first()
      .getByText(`secret-${String(TOTAL - 1).padStart(6, "0")}`)
      .waitFor();
    const elapsed = performance.now() - started;
    await page.close();
    return elapsed;
  });
  printTable(
    `Headless Chromium, ${TOTAL.toLocaleString("en")} secrets (SQLite; filled in ${fillSeconds.toFixed(1)} s), median of ${RUNS}`,
    ["step", "ms"],
    [
      ["press Sign in → first page (20 rows) on screen", firstList],
      ["type a name filter → its one match on screen (includes the 250 ms typing pause)", filtered],
    ],
  );
} finally {
  await browser.close();
  await database.close();
  await server.close();
}
