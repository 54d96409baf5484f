// What the audit log costs: GET /api/v1/secrets/by-name throughput of two server processes, one
// with the database audit sink (the default) and one with auditing off (COFFER_AUDIT_SINKS=none),
// side by side, on PostgreSQL metadata and on a SQLite file. Each GET by name with values writes
// one audit record (a chained, MAC'd row in coffer_audit_log) before the values leave. Loopback
// only; autocannon is the external load generator, as in load.bench.ts. The servers take turns in
// alternating slices (off, on, off, on…) so both see the same shared machine; the table gives the
// median of the slices, their spread (min–max) and the ratio. Goal: the audit costs ≤ 10 %.
//   COFFER_BENCH_SLICE_SECONDS=3 COFFER_BENCH_SLICES=4 ./dev bench audit   (shorter)
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startPostgres } from "@coffer/testkit";
import autocannon from "autocannon";
import { quantile } from "../../service/bench/paths.ts";
import { printTable } from "../../service/bench/table.ts";

const SLICE_SECONDS = Number(process.env.COFFER_BENCH_SLICE_SECONDS ?? 5);
const SLICES = Number(process.env.COFFER_BENCH_SLICES ?? 6);
const CONNECTIONS = 50;
const SECRETS = 100;
const TOKEN = `coffer_bench0000000_${"b".repeat(43)}`;
const here = path.dirname(fileURLToPath(import.meta.url));

interface Server {
  base: string;
  process: ChildProcess;
}

async function startServer(
  databaseUrl: string,
  audit: "database" | "none",
  dataDir: string,
): Promise<Server> {
  const port = 18_000 + Math.floor(Math.random() * 2000);
  const child = spawn(process.execPath, [path.join(here, "../dist/bin.js")], {
    env: {
      ...process.env,
      COFFER_DATA_DIR: dataDir,
      COFFER_DATABASE_URL: databaseUrl,
      COFFER_STORE_TYPE: "memory",
      COFFER_SERVER_PORT: String(port),
      COFFER_SERVER_BOOTSTRAP_TOKEN: TOKEN,
      COFFER_LOG_LEVEL: "warn",
      COFFER_AUDIT_SINKS: audit,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("listening on")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < SECRETS; i++) {
    const response = await fetch(`${base}/api/v1/secrets`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({
        name: `bench-${i}`,
        values: { user: `fake-user-${i}`, password: `fake-pw-${i}` },
      }),
    });
    if (response.status !== 201)
      throw new Error(`seeding failed: ${response.status} ${await response.text()}`);
  }
  return { base, process: child };
}

async function load(server: Server, seconds: number): Promise<{ rate: number; failed: number }> {
  let next = 0;
  const result = await autocannon({
    url: server.base,
    connections: CONNECTIONS,
    duration: seconds,
    headers: { authorization: `Bearer ${TOKEN}` },
    requests: [
      {
        method: "GET",
        setupRequest: (request) => ({
          ...request,
          path: `/api/v1/secrets/by-name?name=bench-${next++ % SECRETS}`,
        }),
      },
    ],
  });
  return { rate: result.requests.total / seconds, failed: result.errors + result.timeouts + result.non2xx };
}

async function compare(
  label: string,
  urls: { off: string; on: string },
): Promise<Array<Array<string | number>>> {
  const off = await startServer(urls.off, "none", mkdtempSync(path.join(tmpdir(), "coffer-bench-off-")));
  const on = await startServer(urls.on, "database", mkdtempSync(path.join(tmpdir(), "coffer-bench-on-")));
  try {
    // Warm both (JIT, pools) before measuring.
    await load(off, 2);
    await load(on, 2);
    const rates = { off: [] as number[], on: [] as number[] };
    let failed = 0;
    for (let slice = 0; slice < SLICES; slice++) {
      for (const which of slice % 2 === 0 ? (["off", "on"] as const) : (["on", "off"] as const)) {
        const result = await load(which === "off" ? off : on, SLICE_SECONDS);
        rates[which].push(result.rate);
        failed += result.failed;
      }
    }
    if (failed > 0) {
      console.error(`FAILED: ${failed} failed requests (${label})`);
      process.exitCode = 1;
    }
    const medianOff = quantile(rates.off, 0.5);
    const medianOn = quantile(rates.on, 0.5);
    const spread = (values: number[]) =>
      `${Math.round(Math.min(...values))}–${Math.round(Math.max(...values))}`;
    return [
      [`${label}: audit off`, medianOff, spread(rates.off), rates.off.map(Math.round).join(" "), 1],
      [
        `${label}: database audit sink`,
        medianOn,
        spread(rates.on),
        rates.on.map(Math.round).join(" "),
        medianOn / medianOff,
      ],
    ];
  } finally {
    off.process.kill("SIGTERM");
    on.process.kill("SIGTERM");
  }
}

const rows: Array<Array<string | number>> = [];
const sqliteDir = mkdtempSync(path.join(tmpdir(), "coffer-bench-sqlite-"));
rows.push(
  ...(await compare("SQLite file", {
    off: `sqlite://${path.join(sqliteDir, "off.db")}`,
    on: `sqlite://${path.join(sqliteDir, "on.db")}`,
  })),
);
const database = await startPostgres();
try {
  // Two databases on one PostgreSQL server: the audit-off server's tables never hold audit rows.
  const pg = (await import("pg")).default;
  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  await admin.query("create database coffer_audit_on");
  await admin.end();
  const onUrl = new URL(database.url);
  onUrl.pathname = "/coffer_audit_on";
  rows.push(...(await compare(`PostgreSQL (${database.via})`, { off: database.url, on: onUrl.toString() })));
} finally {
  await database.stop();
}
printTable(
  `GET by name with values, ${CONNECTIONS} connections, ${SLICES} alternating slices of ${SLICE_SECONDS} s per server, memory store`,
  ["server", "requests/s (median)", "spread", "slices", "vs audit off"],
  rows,
);
