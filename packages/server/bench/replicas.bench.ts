// GET by name throughput of one replica against three replicas on the same PostgreSQL (issue 18):
// the same 200 connections, either all on one server process or spread over three (one load
// generator process per replica, all at once, their rates summed). Slices take turns, one
// replica then three, and the medians are compared. On a two-core machine three replicas cannot
// be faster, since the processes share the cores with PostgreSQL and the generators; the ratio
// shows what running several costs, and on more cores how far it scales.
//   COFFER_BENCH_SECONDS=30 ./dev bench replicas     (a shorter run; slices scale with it)
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startPostgres } from "@coffer/testkit";
import { quantile } from "../../service/bench/paths.ts";
import { printTable } from "../../service/bench/table.ts";
import { ReplicaSet } from "../test/replicas/replica-set.ts";
import { seedSecrets } from "./load/seed.ts";

const SECONDS = Number(process.env.COFFER_BENCH_SECONDS ?? 60);
const SECRETS = Number(process.env.COFFER_BENCH_SECRETS ?? 1000);
const REPLICAS = 3;
const CONNECTIONS = 201; // divisible by 3
const SLICES = 6;
const here = path.dirname(fileURLToPath(import.meta.url));

interface Load {
  perSecond: number;
  p50: number;
  p99: number;
  failed: number;
}

/** One run of the load generator (load/generator.ts, a process of its own). */
function generate(url: string, seconds: number, connections: number, token: string): Promise<Load> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        "--disable-warning=ExperimentalWarning",
        path.join(here, "load/generator.ts"),
        url,
        String(seconds),
        String(connections),
        String(SECRETS),
        token,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once("exit", (code) => {
      if (code !== 0) reject(new Error(`generator exited with ${code}`));
      else resolve(JSON.parse(output.trim().split("\n").pop()!) as Load);
    });
  });
}

const database = await startPostgres({ via: "embedded" });
// Each replica's pool: the one-replica run gets 20 connections, as in load.bench.ts; three get
// 3 × 20, the same per process as an operator would configure.
const set = new ReplicaSet(`${database.url}${database.url.includes("?") ? "&" : "?"}poolSize=20`, REPLICAS, {
  identityCacheSeconds: 5,
});
let failed = 0;
try {
  await set.start();
  const urls = set.replicas.map((replica) => replica!.url);
  await seedSecrets(urls, set.adminToken, SECRETS, 8);
  // Warm every replica before timing.
  await Promise.all(urls.map((url) => generate(url, 3, 20, set.adminToken)));

  const sliceSeconds = Math.max(3, Math.round(SECONDS / SLICES));
  const one: Load[] = [];
  const three: Load[] = [];
  for (let slice = 0; slice < SLICES; slice++) {
    const runOne = async () => {
      const result = await generate(urls[slice % REPLICAS]!, sliceSeconds, CONNECTIONS, set.adminToken);
      failed += result.failed;
      one.push(result);
    };
    const runThree = async () => {
      const results = await Promise.all(
        urls.map((url) => generate(url, sliceSeconds, CONNECTIONS / REPLICAS, set.adminToken)),
      );
      const sum = results.reduce((total, each) => total + each.perSecond, 0);
      failed += results.reduce((total, each) => total + each.failed, 0);
      three.push({
        perSecond: sum,
        p50: Math.max(...results.map((each) => each.p50)),
        p99: Math.max(...results.map((each) => each.p99)),
        failed: 0,
      });
    };
    // Alternate which goes first, so that neither always follows the other.
    if (slice % 2 === 0) {
      await runOne();
      await runThree();
    } else {
      await runThree();
      await runOne();
    }
  }
  const median = (loads: Load[], pick: (load: Load) => number) => quantile(loads.map(pick), 0.5);
  const oneRate = median(one, (load) => load.perSecond);
  const threeRate = median(three, (load) => load.perSecond);
  printTable(
    `GET by name, ${CONNECTIONS} connections, ${SECRETS} secrets, sql store on one PostgreSQL (embedded, loopback): ${SLICES} slices of ${sliceSeconds} s each, taking turns; medians`,
    ["deployment", "requests/s", "slices", "p50 ms", "p99 ms", "vs one replica"],
    [
      [
        "one replica",
        oneRate,
        one.map((load) => Math.round(load.perSecond)).join(" "),
        median(one, (load) => load.p50),
        median(one, (load) => load.p99),
        1,
      ],
      [
        `${REPLICAS} replicas (${CONNECTIONS / REPLICAS} connections each)`,
        threeRate,
        three.map((load) => Math.round(load.perSecond)).join(" "),
        median(three, (load) => load.p50),
        median(three, (load) => load.p99),
        threeRate / oneRate,
      ],
    ],
  );
} finally {
  await set.stop();
  await database.stop();
}
if (failed > 0) {
  console.error(`FAILED: ${failed} requests did not succeed`);
  process.exitCode = 1;
}
