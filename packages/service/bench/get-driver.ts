/**
 * The get benchmark every cloud store runs (packages/store-<name>/bench/get.bench.ts gives only
 * how to build its store and the application's own client): Coffer's getSecret by name against
 * the raw SDK call, with the emulator in a process of its own, over http and over https.
 *
 * Two measures per transport:
 * - warm: one service and one raw client in this process take turns call by call (paths.ts), with
 *   the store's read and the metadata lookup alone as two more rows showing where Coffer's time goes;
 * - a new process's first read: fresh processes, alternately "open the service + get by name" and
 *   "new SDK client + one call". This process times each child from spawn to exit (wall), and the
 *   child reports its own time from before it loads its modules to the first value in hand.
 *
 * A child is this same bench file started with `--first-read=<coffer|raw>`; what it needs (the
 * endpoint, the metadata directory, the backend name) comes in COFFER_BENCH_FIRST_READ.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { SecretsStore, StoreContext } from "@coffer/core";
import { reportGoal } from "./goals.ts";
import { medianOf, printSpread, ratio, type TimedPath, timedPath, timeInTurns } from "./paths.ts";
import { printTable } from "./table.ts";

export type Transport = "http" | "https";

/** Where the emulator listens, as the launcher reports it. */
export interface Endpoint {
  transport: Transport;
  /** A base URL (http(s)://127.0.0.1:port), or host:port for gRPC. */
  url: string;
  host: string;
  port: number;
  /** PEM of the certificate to trust (https only). */
  ca?: string;
}

/** A store that can say which backend name holds a secret (every cloud store can). */
export type NamedStore = SecretsStore & { nameOf(id: string): string };

export interface RawClient {
  /** One read of the secret's values, the way an application would call the SDK. */
  read(): Promise<unknown>;
  close(): void | Promise<void>;
}

export interface GetBenchTarget {
  emulator: "aws" | "gcp" | "azure" | "vault";
  /** What the raw path does, for the tables. */
  rawLabel: string;
  /** Transports this store cannot be measured on, with the reason. */
  unsupported?: Partial<Record<Transport, string>>;
  /** The store as an operator configures it for `endpoint` (modules loaded inside: a child pays them). */
  store(endpoint: Endpoint): Promise<(context: StoreContext) => NamedStore>;
  /** The application's own client for `backendName` (modules loaded inside, for the same reason). */
  raw(endpoint: Endpoint, backendName: string): Promise<RawClient>;
}

const WARMUP = Number(process.env.BENCH_WARMUP ?? 300);
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 2000);
const FIRST_READS = Number(process.env.BENCH_FIRST_READS ?? 15);
// BENCH_TRANSPORTS=https measures one transport only (while profiling, say).
const TRANSPORTS = (process.env.BENCH_TRANSPORTS ?? "http,https").split(",") as Transport[];
// The product's default audit (every read recorded in the metadata database before its values are
// handed out) unless BENCH_AUDIT_SINKS names others ("none": off), to show the audit's share.
const AUDIT =
  process.env.BENCH_AUDIT_SINKS === undefined ? {} : { audit: { sinks: process.env.BENCH_AUDIT_SINKS } };
// The metadata cache's bound (metadata-cache.ts; default on): BENCH_METADATA_CACHE_ENTRIES=0
// measures the read path without it, for a before/after on one machine.
const CACHE =
  process.env.BENCH_METADATA_CACHE_ENTRIES === undefined
    ? {}
    : { metadataCache: { entries: Number(process.env.BENCH_METADATA_CACHE_ENTRIES) } };
const SECRET_NAME = "bench-db";
const VALUES = { username: "fake-user", password: "fake-password-1", host: "db.example.invalid" };
const actor = { id: "bench" };
const launcher = fileURLToPath(new URL("../../emulators/bench/launch.ts", import.meta.url));

interface ChildJob {
  endpoint: Endpoint;
  dataDir: string;
  backendName: string;
}

/** Runs the bench for `target`, or, in a child, one first read. */
export async function runGetBench(target: GetBenchTarget): Promise<void> {
  const mode = process.argv.find((arg) => arg.startsWith("--first-read="))?.slice("--first-read=".length);
  if (mode === "coffer" || mode === "raw") return firstReadInThisProcess(target, mode);

  const summary: Array<Array<string | number>> = [];
  for (const transport of TRANSPORTS) {
    const reason = target.unsupported?.[transport];
    if (reason !== undefined) {
      summary.push([transport, "-", "-", "-", "-", "-", `not measured: ${reason}`]);
      continue;
    }
    summary.push(await benchTransport(target, transport));
  }
  printTable(
    `${target.emulator}: Coffer / raw SDK, ratio of medians (goal ≤ 1.05×)`,
    [
      "transport",
      "warm",
      "warm, audit off",
      "first read (own)",
      "first read (wall)",
      "audit off +µs",
      "note",
    ],
    summary,
  );
}

async function benchTransport(target: GetBenchTarget, transport: Transport): Promise<Array<string | number>> {
  const emulator = await launchEmulator(target.emulator, transport);
  const dataDir = mkdtempSync(path.join(tmpdir(), "coffer-get-bench-"));
  const quietDir = mkdtempSync(path.join(tmpdir(), "coffer-get-bench-"));
  try {
    const endpoint = emulator.endpoint;
    const coffer = await openCoffer(target, endpoint, dataDir, AUDIT);
    // The same service with the audit trail off: Coffer's own read path, without the audit
    // record every read writes (and commits) before its values are handed out.
    const quiet = await openCoffer(target, endpoint, quietDir, { audit: { sinks: "none" } });
    const raw = await target.raw(endpoint, coffer.backendName);
    const expected = JSON.stringify(VALUES);
    for (const read of [coffer.read, quiet.read, raw.read]) {
      if (JSON.stringify(await read()) !== expected) {
        throw new Error(`${target.emulator} ${transport}: the paths do not read the same values`);
      }
    }
    const paths = [
      timedPath(`raw SDK: ${target.rawLabel}`, () => raw.read()),
      timedPath("Coffer: service.get by name (default: audited)", coffer.read),
      timedPath("Coffer, audit off: service.get by name", quiet.read),
      timedPath("  of which the store: store.get(id)", () => quiet.store.get(quiet.id)),
      timedPath("  of which metadata: getMetadata by name", () =>
        quiet.service.getMetadata(actor, { name: SECRET_NAME }),
      ),
    ];
    await timeInTurns(paths, { warmup: WARMUP, iterations: ITERATIONS });
    await raw.close();
    await coffer.service.close();
    await quiet.service.close();
    const [rawPath, cofferPath, quietPath] = paths as [TimedPath, TimedPath, TimedPath];
    printSpread(
      `${target.emulator} over ${transport}, emulator in its own process: warm, ${ITERATIONS} calls per path in turns (ms)`,
      paths,
      rawPath,
    );

    const first = await firstReads({ endpoint, dataDir, backendName: coffer.backendName });
    const title = `${target.emulator} over ${transport}: a new process's first read, ${FIRST_READS} processes per side in turns (ms)`;
    printSpread(`${title}, timed by the child`, first.slice(0, 2), first[0]!);
    printSpread(`${title}, timed from outside`, first.slice(2), first[2]!);
    const warm = medianOf(cofferPath) / medianOf(rawPath);
    reportGoal({
      measure: `get by name vs raw SDK, ${target.emulator} ${transport}`,
      value: `${warm.toFixed(2)}× (audit off ${ratio(quietPath, rawPath)}×)`,
      goal: "≤ 1.05×",
      met: warm <= 1.05,
    });
    return [
      transport,
      ratio(cofferPath, rawPath),
      ratio(quietPath, rawPath),
      ratio(first[1]!, first[0]!),
      ratio(first[3]!, first[2]!),
      ((medianOf(quietPath) - medianOf(rawPath)) * 1000).toFixed(0),
      "",
    ];
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(quietDir, { recursive: true, force: true });
    await emulator.stop();
  }
}

/** A service over SQLite metadata in `dataDir` and `target`'s store, holding the bench secret. */
async function openCoffer(
  target: GetBenchTarget,
  endpoint: Endpoint,
  dataDir: string,
  settings: { audit?: { sinks: string } },
) {
  const makeStore = await target.store(endpoint);
  const { createService } = await import("@coffer/service");
  let built: NamedStore | undefined;
  const service = await createService({
    databaseUrl: databaseUrl(dataDir),
    dataDir,
    ...CACHE,
    ...settings,
    store: (context) => {
      built = makeStore(context);
      return built;
    },
  });
  const store = built!;
  const { id } = await service.create(actor, { name: SECRET_NAME, values: VALUES });
  const read = async () => (await service.get(actor, { name: SECRET_NAME })).values;
  return { service, store, id, backendName: store.nameOf(id), read };
}

function databaseUrl(dataDir: string): string {
  return `sqlite://${path.join(dataDir, "coffer.db")}`;
}

/** Fresh processes, raw and Coffer alternately; each timed from outside and from inside. */
async function firstReads(job: ChildJob): Promise<TimedPath[]> {
  const none = async () => {};
  const own = {
    raw: timedPath("raw SDK: new client + one call (child's own)", none),
    coffer: timedPath("Coffer: open service + get by name (child's own)", none),
  };
  const wall = {
    raw: timedPath("raw SDK: whole process, spawn to exit (wall)", none),
    coffer: timedPath("Coffer: whole process, spawn to exit (wall)", none),
  };
  const caFile = job.endpoint.ca === undefined ? undefined : path.join(job.dataDir, "ca.pem");
  if (caFile !== undefined) writeFileSync(caFile, job.endpoint.ca!);
  for (let round = 0; round < FIRST_READS; round++) {
    const order = round % 2 === 0 ? (["raw", "coffer"] as const) : (["coffer", "raw"] as const);
    for (const mode of order) {
      const { ownMs, wallMs } = await runChild(mode, job, caFile);
      own[mode].samples.push(ownMs);
      wall[mode].samples.push(wallMs);
    }
  }
  return [own.raw, own.coffer, wall.raw, wall.coffer];
}

async function runChild(
  mode: "coffer" | "raw",
  job: ChildJob,
  caFile: string | undefined,
): Promise<{ ownMs: number; wallMs: number }> {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    ["--disable-warning=ExperimentalWarning", process.argv[1]!, `--first-read=${mode}`],
    {
      stdio: ["ignore", "pipe", "inherit"],
      env: {
        ...process.env,
        COFFER_BENCH_FIRST_READ: JSON.stringify(job),
        // The private CA for clients that take no CA option (the AWS SDK): how an operator trusts one.
        ...(caFile !== undefined && { NODE_EXTRA_CA_CERTS: caFile }),
      },
    },
  );
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  const wallMs = performance.now() - started;
  if (code !== 0) throw new Error(`first-read child (${mode}) exited with ${code}: ${output}`);
  return { ownMs: (JSON.parse(output) as { ms: number }).ms, wallMs };
}

async function firstReadInThisProcess(target: GetBenchTarget, mode: "coffer" | "raw"): Promise<void> {
  const job = JSON.parse(process.env.COFFER_BENCH_FIRST_READ!) as ChildJob;
  const started = performance.now();
  let values: unknown;
  if (mode === "raw") {
    const raw = await target.raw(job.endpoint, job.backendName);
    values = await raw.read();
  } else {
    const { createService } = await import("@coffer/service");
    const makeStore = await target.store(job.endpoint);
    const service = await createService({
      databaseUrl: databaseUrl(job.dataDir),
      dataDir: job.dataDir,
      ...AUDIT,
      store: makeStore,
    });
    values = (await service.get(actor, { name: SECRET_NAME })).values;
  }
  const ms = performance.now() - started;
  if (JSON.stringify(values) !== JSON.stringify(VALUES)) throw new Error(`${mode}: wrong values read`);
  process.stdout.write(JSON.stringify({ ms }), () => process.exit(0));
}

/** Starts the launcher in a process of its own and waits for its ready line. */
async function launchEmulator(
  emulator: GetBenchTarget["emulator"],
  transport: Transport,
): Promise<{ endpoint: Endpoint; stop(): Promise<void> }> {
  const child: ChildProcess = spawn(
    process.execPath,
    ["--disable-warning=ExperimentalWarning", launcher, emulator, transport],
    { stdio: ["ignore", "pipe", "inherit"], cwd: path.dirname(launcher) },
  );
  const lines = createInterface({ input: child.stdout! });
  const exited = new Promise<never>((_, reject) =>
    child.once("exit", (code) => reject(new Error(`${emulator} emulator exited with ${code}`))),
  );
  const line = await Promise.race([new Promise<string>((resolve) => lines.once("line", resolve)), exited]);
  const ready = JSON.parse(line) as Omit<Endpoint, "transport">;
  return {
    endpoint: { transport, ...ready },
    async stop() {
      exited.catch(() => {});
      const gone = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await gone;
    },
  };
}
