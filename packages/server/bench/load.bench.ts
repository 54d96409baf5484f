// Load on GET /api/v1/secrets/by-name: 200 connections against a server (its own process) with
// PostgreSQL metadata, side by side with two baselines doing the same database work:
// - a bare node:http handler running the same select through a pg pool of the same size
//   (load/bare-server.ts), loaded by the same generator;
// - a raw `pg` loop of that select at the same concurrency (load/raw-select.ts).
// Fair by construction: the load generator runs in a process of its own (load/generator.ts; in the
// bench process it got 0.75× of what an external one gets), PostgreSQL is an embedded server on
// loopback (through Docker's userland proxy every ratio fell, 0.42 against 0.51), the baselines
// run Coffer's own select (load/metadata-select.ts), and memory is read after a warm-up, not cold.
//
// Two parts. First the server alone for 60 s without a pause at 100,000 secrets: every request
// must succeed, and its memory is read before (warm) and after. Then the throughput comparison, in
// slices that take turns (raw pg, bare, Coffer; the order rotates), medians with every slice shown.
// Loopback only; every loop stops by itself. Exits non-zero if any request or select failed.
//   COFFER_BENCH_SECONDS=10 COFFER_BENCH_SECRETS=1000 ./dev bench load     (a shorter run)
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startPostgres } from "@coffer/testkit";
import { reportGoal } from "../../service/bench/goals.ts";
import { quantile } from "../../service/bench/paths.ts";
import { printTable } from "../../service/bench/table.ts";
import { SERVER_NODE_FLAGS } from "../src/launch-flags.ts";
import { seedSecrets } from "./load/seed.ts";

const SECONDS = Number(process.env.COFFER_BENCH_SECONDS ?? 60);
const SECRETS = Number(process.env.COFFER_BENCH_SECRETS ?? 100_000);
const CONNECTIONS = 200;
const POOL = 20;
const SLICES = 6;
const TOKEN = `coffer_bench0000000_${"b".repeat(43)}`;
const here = path.dirname(fileURLToPath(import.meta.url));
const nodeFlags = ["--disable-warning=ExperimentalWarning"];
// The server runs with the V8 flags its image sets (src/launch-flags.ts), as an operator runs it;
// COFFER_BENCH_SERVER_NODE_OPTIONS replaces them (e.g. "" for Node's defaults, to compare).
const serverNodeOptions = process.env.COFFER_BENCH_SERVER_NODE_OPTIONS ?? SERVER_NODE_FLAGS.join(" ");

const database = await startPostgres({ via: "embedded" });
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
    NODE_OPTIONS: serverNodeOptions,
  },
  stdio: ["ignore", "pipe", "inherit"],
});
const bare = spawn(
  process.execPath,
  [...nodeFlags, path.join(here, "load/bare-server.ts"), database.url, String(POOL)],
  {
    stdio: ["ignore", "pipe", "inherit"],
  },
);
const stopAll = async () => {
  server.kill("SIGTERM");
  bare.kill("SIGTERM");
  await database.stop();
};

/** Runs one of the load/ scripts to its end and returns the JSON line it printed. */
function runScript<T>(script: string, args: Array<string | number>): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...nodeFlags, path.join(here, "load", script), ...args.map(String)],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once("exit", (code) => {
      if (code !== 0) reject(new Error(`${script} exited with ${code}`));
      else resolve(JSON.parse(output.trim().split("\n").pop()!) as T);
    });
  });
}

function listeningPort(child: ReturnType<typeof spawn>): Promise<number> {
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      const match = /listening on (?:\S*:)?(\d+)/.exec(chunk.toString());
      if (match) resolve(Number(match[1]));
    });
    child.once("exit", (code) => reject(new Error(`exited with ${code} before listening`)));
  });
}

interface Load {
  perSecond: number;
  p50: number;
  p99: number;
  failed: number;
}
const load = (base: string, seconds: number) =>
  runScript<Load>("generator.ts", [base, seconds, CONNECTIONS, SECRETS, TOKEN]);
const rawSelects = (seconds: number) =>
  runScript<{ perSecond: number; failed: number }>("raw-select.ts", [
    database.url,
    seconds,
    CONNECTIONS,
    POOL,
    SECRETS,
  ]);

try {
  await listeningPort(server);
  const barePort = await listeningPort(bare);
  const base = `http://127.0.0.1:${port}`;
  const bareBase = `http://127.0.0.1:${barePort}`;
  const seeding = performance.now();
  await seedSecrets([base], TOKEN, SECRETS, 16);
  console.log(`seeded ${SECRETS} secrets in ${((performance.now() - seeding) / 1000).toFixed(1)} s`);

  // Memory is read warm: after a short load has compiled the hot paths and filled the caches.
  await load(base, 5);
  await load(bareBase, 5);
  const rssBefore = rssOf(server.pid!);
  const sustained = await load(base, SECONDS);
  const rssAfter = rssOf(server.pid!);
  let failed = sustained.failed;

  const sliceSeconds = Math.max(2, Math.round(SECONDS / SLICES));
  const rates = { raw: [] as number[], bare: [] as number[], coffer: [] as number[] };
  const turns = [
    async () => {
      const result = await rawSelects(sliceSeconds);
      failed += result.failed;
      rates.raw.push(result.perSecond);
    },
    async () => {
      const result = await load(bareBase, sliceSeconds);
      failed += result.failed;
      rates.bare.push(result.perSecond);
    },
    async () => {
      const result = await load(base, sliceSeconds);
      failed += result.failed;
      rates.coffer.push(result.perSecond);
    },
  ];
  for (let slice = 0; slice < SLICES; slice++) {
    for (let turn = 0; turn < turns.length; turn++) await turns[(slice + turn) % turns.length]!();
  }
  const median = (values: number[]) => quantile(values, 0.5);
  const [cofferRate, bareRate, rawRate] = [median(rates.coffer), median(rates.bare), median(rates.raw)];

  printTable(
    `GET by name, ${CONNECTIONS} connections, ${SECONDS} s without a pause, ${SECRETS} secrets, PostgreSQL metadata (${database.via}), ${process.env.COFFER_BENCH_STORE ?? "memory"} store`,
    ["loop", "requests/s", "p50 ms", "p99 ms", "errors"],
    [
      [
        "Coffer server (HTTP, auth, metadata + store)",
        sustained.perSecond,
        sustained.p50,
        sustained.p99,
        sustained.failed,
      ],
    ],
  );
  const slicesOf = (values: number[]) => values.map(Math.round).join(" ");
  printTable(
    `Throughput side by side: ${SLICES} rounds of ${sliceSeconds} s slices taking turns, medians (generator in its own process)`,
    ["loop", "requests/s", "slices", "vs bare handler (goal ≥ 0.90)", "vs raw pg (goal ≥ 0.60)"],
    [
      [
        "Coffer server (HTTP, auth, metadata + store)",
        cofferRate,
        slicesOf(rates.coffer),
        cofferRate / bareRate,
        cofferRate / rawRate,
      ],
      ["bare node:http handler, same select", bareRate, slicesOf(rates.bare), 1, bareRate / rawRate],
      ["raw pg loop, same select (same pool size)", rawRate, slicesOf(rates.raw), "", 1],
    ],
  );
  printTable(
    `Server memory (RSS) at ${SECRETS} secrets, NODE_OPTIONS="${serverNodeOptions}"`,
    ["warm, before load", `after ${SECONDS} s of load (goal < 150 MiB)`],
    [[`${rssBefore} MiB`, `${rssAfter} MiB`]],
  );
  const goalRows = [
    ["server GET by name vs bare node:http + same select", cofferRate / bareRate, "≥ 0.90×", 0.9],
    ["server GET by name vs raw pg loop", cofferRate / rawRate, "≥ 0.60×", 0.6],
  ] as const;
  for (const [measure, value, goal, floor] of goalRows) {
    reportGoal({
      measure: `${measure}, ${SECRETS} secrets`,
      value: `${value.toFixed(2)}×`,
      goal,
      met: value >= floor,
    });
  }
  reportGoal({
    measure: `server RSS after ${SECONDS} s of GET load, ${SECRETS} secrets`,
    value: `${rssAfter} MiB`,
    goal: "< 150 MiB",
    met: rssAfter < 150,
  });
  if (failed > 0) {
    console.error(`FAILED: ${failed} failed requests or selects`);
    process.exitCode = 1;
  }
} finally {
  await stopAll();
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024);
}
