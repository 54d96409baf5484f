// Load on GET /api/v1/secrets/by-name: 200 connections against a server (its own process) with
// PostgreSQL metadata, beside a raw `pg` point-select loop at the same concurrency on the same
// database. Loopback only; every loop stops by itself.
//
// Two parts. First the server alone for 60 s without a pause: every request must succeed, and its
// memory is read before and after. Then the throughput comparison, in alternating slices (raw pg,
// Coffer, raw pg, Coffer…) rather than one long run of each: on a shared two-core machine, a run
// of each after the other saw baselines that differed by 1.6× from one run to the next; slices
// that take turns see the same machine, and the medians are compared. Exits non-zero if any
// request or select failed.
//   COFFER_BENCH_SECONDS=10 ./dev bench load     (shorter run; slices scale with it)
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startPostgres } from "@coffer/testkit";
import autocannon from "autocannon";
import pg from "pg";
import { quantile } from "../../service/bench/paths.ts";
import { printTable } from "../../service/bench/table.ts";

const SECONDS = Number(process.env.COFFER_BENCH_SECONDS ?? 60);
const CONNECTIONS = 200;
const POOL = 20;
const SLICES = 6;
const SECRETS = 100;
const TOKEN = `coffer_bench0000000_${"b".repeat(43)}`;
const here = path.dirname(fileURLToPath(import.meta.url));

const database = await startPostgres();
const databaseUrl = `${database.url}${database.url.includes("?") ? "&" : "?"}poolSize=${POOL}`;
const port = 18_000 + Math.floor(Math.random() * 2000);
const server = spawn(process.execPath, [path.join(here, "../dist/bin.js")], {
  env: {
    ...process.env,
    COFFER_DATABASE_URL: databaseUrl,
    COFFER_STORE_TYPE: process.env.COFFER_BENCH_STORE ?? "memory",
    COFFER_SERVER_PORT: String(port),
    COFFER_SERVER_BOOTSTRAP_TOKEN: TOKEN,
    COFFER_LOG_LEVEL: "warn",
  },
  stdio: ["ignore", "pipe", "inherit"],
});
const stopAll = async () => {
  server.kill("SIGTERM");
  await database.stop();
};

try {
  await new Promise<void>((resolve, reject) => {
    server.stdout!.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("listening on")) resolve();
    });
    server.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
  });
  const base = `http://127.0.0.1:${port}`;
  const headers = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };
  for (let i = 0; i < SECRETS; i++) {
    const response = await fetch(`${base}/api/v1/secrets`, {
      method: "POST",
      headers,
      body: JSON.stringify({
        name: `bench-${i}`,
        values: { user: `fake-user-${i}`, password: `fake-pw-${i}` },
      }),
    });
    if (response.status !== 201)
      throw new Error(`seeding failed: ${response.status} ${await response.text()}`);
  }

  let next = 0;
  /** Autocannon against the server for `seconds`. */
  const coffer = (seconds: number) =>
    autocannon({
      url: base,
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

  // The same lookup straight through pg: 200 concurrent loops over a pool of the same size.
  const pool = new pg.Pool({ connectionString: database.url, max: POOL });
  pool.on("error", () => undefined); // the database going away at the end is not the benchmark's concern
  let selectErrors = 0;
  /** Point selects per second over `seconds`. */
  const raw = async (seconds: number) => {
    let selects = 0;
    const deadline = Date.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async (_, worker) => {
        let i = worker;
        while (Date.now() < deadline) {
          try {
            await pool.query("select * from coffer_secrets where name = $1 and scope = $2", [
              `bench-${i++ % SECRETS}`,
              "",
            ]);
            selects++;
          } catch {
            selectErrors++;
          }
        }
      }),
    );
    return selects / seconds;
  };

  const rssBefore = rssOf(server.pid!);
  const sustained = await coffer(SECONDS);
  const rssAfter = rssOf(server.pid!);
  let failed = failures(sustained);

  const sliceSeconds = Math.max(2, Math.round(SECONDS / SLICES));
  const cofferRates: number[] = [];
  const rawRates: number[] = [];
  for (let slice = 0; slice < SLICES; slice++) {
    rawRates.push(await raw(sliceSeconds));
    const result = await coffer(sliceSeconds);
    failed += failures(result);
    cofferRates.push(result.requests.total / sliceSeconds);
  }
  await pool.end();
  const cofferRate = quantile(cofferRates, 0.5);
  const rawRate = quantile(rawRates, 0.5);

  printTable(
    `GET by name, ${CONNECTIONS} connections, ${SECONDS} s without a pause, PostgreSQL metadata (${database.via}), ${process.env.COFFER_BENCH_STORE ?? "memory"} store`,
    ["loop", "requests/s", "p50 ms", "p99 ms", "errors"],
    [
      [
        "Coffer server (HTTP, auth, metadata + store)",
        sustained.requests.average,
        sustained.latency.p50,
        sustained.latency.p99,
        failures(sustained),
      ],
    ],
  );
  printTable(
    `Throughput side by side: ${SLICES} alternating slices of ${sliceSeconds} s each, medians`,
    ["loop", "requests/s", "slices", "vs raw pg"],
    [
      [
        "Coffer server (HTTP, auth, metadata + store)",
        cofferRate,
        cofferRates.map(Math.round).join(" "),
        cofferRate / rawRate,
      ],
      ["raw pg point select (same pool size)", rawRate, rawRates.map(Math.round).join(" "), 1],
    ],
  );
  printTable("Server memory (RSS)", ["before load", "after load"], [[`${rssBefore} MiB`, `${rssAfter} MiB`]]);
  if (failed > 0 || selectErrors > 0) {
    console.error(`FAILED: ${failed} failed requests, ${selectErrors} failed selects`);
    process.exitCode = 1;
  }
} finally {
  await stopAll();
}

/** Requests that did not get a 2xx answer. */
function failures(result: autocannon.Result): number {
  return result.errors + result.timeouts + result.non2xx;
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024);
}
