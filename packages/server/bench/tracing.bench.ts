// What OpenTelemetry tracing costs: GET /api/v1/secrets/by-name throughput of server processes
// (dist/bin.js, SQLite file metadata, memory store) side by side:
// - two servers with tracing off (nothing configured): their ratio is this machine's noise floor,
//   the band inside which "off costs nothing" has to be read (off installs no hook and loads no
//   SDK module, test/tracing-off.test.ts);
// - tracing on, every request sampled, spans batched and exported over OTLP/HTTP protobuf to a
//   receiver in this process on loopback (a node:http server that reads each body and answers
//   200, as a collector would) — the full cost: a request span, store and query spans, export;
// - tracing on with OTEL_TRACES_SAMPLER=always_off: the hooks and wrappers without recording.
// The servers take turns in alternating slices (the order rotates) so all see the same shared
// machine; the table gives the median of the slices, their spread and the ratio to the first.
// Throughput on a 2-core machine shared with other work swings by ±40 % between slices, so the
// second table gives what is steadier: the server process's own CPU time (user + system, from
// /proc/<pid>/stat) per request answered, median of the slices.
//   COFFER_BENCH_SLICE_SECONDS=3 COFFER_BENCH_SLICES=4 ./dev bench tracing   (shorter)
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { reportGoal } from "../../service/bench/goals.ts";
import { quantile } from "../../service/bench/paths.ts";
import { printTable } from "../../service/bench/table.ts";
import { SERVER_NODE_FLAGS } from "../src/launch-flags.ts";

const SLICE_SECONDS = Number(process.env.COFFER_BENCH_SLICE_SECONDS ?? 5);
const SLICES = Number(process.env.COFFER_BENCH_SLICES ?? 6);
const CONNECTIONS = 50;
const SECRETS = 100;
const TOKEN = `coffer_bench0000000_${"b".repeat(43)}`;
const here = path.dirname(fileURLToPath(import.meta.url));

// The collector stand-in: counts what it is sent.
let exportedBytes = 0;
let exportRequests = 0;
const receiver = createServer((request, response) => {
  request.on("data", (chunk: Buffer) => {
    exportedBytes += chunk.length;
  });
  request.on("end", () => {
    exportRequests++;
    response.writeHead(200, { "content-type": "application/x-protobuf" }).end();
  });
});
await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
const collector = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

interface Server {
  label: string;
  base: string;
  process: ChildProcess;
}

async function startServer(label: string, env: Record<string, string>): Promise<Server> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "coffer-bench-tracing-"));
  const child = spawn(process.execPath, [path.join(here, "../dist/bin.js")], {
    env: {
      PATH: process.env.PATH ?? "",
      NODE_OPTIONS: SERVER_NODE_FLAGS.join(" "),
      HOME: dataDir,
      COFFER_DATA_DIR: dataDir,
      COFFER_STORE_TYPE: "memory",
      COFFER_SERVER_PORT: "0",
      COFFER_SERVER_BOOTSTRAP_TOKEN: TOKEN,
      COFFER_LOG_LEVEL: "warn",
      COFFER_AUDIT_SINKS: "none",
      ...env,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const base = await new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      const match = /listening on (\S+)/.exec(chunk.toString());
      if (match) resolve(match[1]!);
    });
    child.once("exit", (code) => reject(new Error(`server ${label} exited with ${code}`)));
  });
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
  return { label, base, process: child };
}

/** The process's CPU time so far (user + system), in ms; Linux's clock ticks are 10 ms. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  // After "pid (comm) ": state is field 3, utime 14 and stime 15 (1-based, proc(5)).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function load(
  server: Server,
  seconds: number,
): Promise<{ rate: number; failed: number; cpuUsPerRequest: number }> {
  const cpuBefore = cpuMs(server.process.pid!);
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
  const cpu = cpuMs(server.process.pid!) - cpuBefore;
  return {
    rate: result.requests.total / seconds,
    failed: result.errors + result.timeouts + result.non2xx,
    cpuUsPerRequest: (cpu * 1000) / Math.max(1, result.requests.total),
  };
}

const servers = [
  await startServer("tracing off", {}),
  await startServer("tracing off (a second server: the noise floor)", {}),
  await startServer("tracing on, every request sampled and exported", {
    OTEL_EXPORTER_OTLP_ENDPOINT: collector,
    OTEL_BSP_SCHEDULE_DELAY: "1000",
  }),
  await startServer("tracing on, sampler always_off", {
    OTEL_EXPORTER_OTLP_ENDPOINT: collector,
    OTEL_TRACES_SAMPLER: "always_off",
  }),
];
try {
  for (const server of servers) await load(server, 2); // warm: JIT, pools
  const rates = servers.map(() => [] as number[]);
  const cpu = servers.map(() => [] as number[]);
  let failed = 0;
  for (let slice = 0; slice < SLICES; slice++) {
    for (let turn = 0; turn < servers.length; turn++) {
      const index = (turn + slice) % servers.length;
      const result = await load(servers[index]!, SLICE_SECONDS);
      rates[index]!.push(result.rate);
      cpu[index]!.push(result.cpuUsPerRequest);
      failed += result.failed;
    }
  }
  if (failed > 0) {
    console.error(`FAILED: ${failed} failed requests`);
    process.exitCode = 1;
  }
  const medians = rates.map((each) => quantile(each, 0.5));
  const spread = (values: number[]) =>
    `${Math.round(Math.min(...values))}–${Math.round(Math.max(...values))}`;
  printTable(
    `GET by name with values, ${CONNECTIONS} connections, ${SLICES} rotating slices of ${SLICE_SECONDS} s per server, SQLite file, memory store, audit off`,
    ["server", "requests/s (median)", "spread", "slices", "vs tracing off"],
    servers.map((server, index) => [
      server.label,
      medians[index]!,
      spread(rates[index]!),
      rates[index]!.map(Math.round).join(" "),
      medians[index]! / medians[0]!,
    ]),
  );
  const cpuMedians = cpu.map((each) => quantile(each, 0.5));
  printTable(
    "Server CPU time per request answered (user + system, µs), same slices",
    ["server", "µs/request (median)", "spread", "slices", "vs tracing off"],
    servers.map((server, index) => [
      server.label,
      cpuMedians[index]!,
      spread(cpu[index]!),
      cpu[index]!.map(Math.round).join(" "),
      cpuMedians[index]! / cpuMedians[0]!,
    ]),
  );
  console.log(`\nexported: ${exportRequests} OTLP requests, ${(exportedBytes / 1024 / 1024).toFixed(1)} MiB`);
  // Off against off: the noise floor, in CPU per request; on against off: the cost.
  const offRatio = cpuMedians[1]! / cpuMedians[0]!;
  const onRatio = cpuMedians[2]! / cpuMedians[0]!;
  reportGoal({
    measure: "GET by name, server CPU per request: tracing off vs off (noise floor)",
    value: `${offRatio.toFixed(2)}×`,
    goal: "≤ 1.05×",
    met: offRatio <= 1.05,
  });
  const unsampledRatio = cpuMedians[3]! / cpuMedians[0]!;
  reportGoal({
    measure: "GET by name, server CPU per request: tracing on, request not sampled, vs off",
    value: `${unsampledRatio.toFixed(2)}×`,
    goal: "≤ 1.10×",
    met: unsampledRatio <= 1.1,
  });
  reportGoal({
    measure: "GET by name, server CPU per request: tracing on (all sampled, exported) vs off",
    value: `${onRatio.toFixed(2)}×`,
    goal: "≤ 1.25×",
    met: onRatio <= 1.25,
  });
} finally {
  for (const server of servers) server.process.kill("SIGTERM");
  receiver.close();
}
