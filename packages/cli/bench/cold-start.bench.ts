// Cold start of `coffer secret get` (a new process, the embedded sql store, one secret read) against
// `node -e 0`, the floor any Node.js command starts from. Goal (issue 19): at most 2.0× node -e 0 in
// wall time and 2.5× in instructions.
//
// Timed from outside, not from this process: a Node.js parent's spawn() adds its own work (the
// child_process machinery, pipes, the event loop noticing the exit) to every sample, the same few
// milliseconds to both commands, which flatters the ratio (2.76× timed here against 3.02× timed by
// a shell). So one bash process runs every sample and reads bash's $EPOCHREALTIME, a builtin (no
// `date` process per sample) around a plain fork-exec-wait of the command: what a user's shell
// pays, and what `hyperfine -N` measures. hyperfine is not installed here and bash is; a bash
// fork costs well under a millisecond, where node -e 0 takes ~40.
//
// Runs alternate between the commands, run by run, so that a busy machine (2 cores shared with
// other jobs) slows them alike; the table shows the median and the quartiles of each, and the
// load average before and after. The compile cache lives in a fresh directory, filled by a first
// run, as a user's own first command fills theirs.
//
// COFFER_BENCH_CALLGRIND=1 also counts instructions with valgrind's callgrind (`node -e 0` against
// `coffer secret get`, every thread counted, median of COFFER_BENCH_CALLGRIND_RUNS runs, default 3):
// unlike wall time it does not depend on the neighbours. valgrind comes from Debian
// (`apt-get install valgrind`); the bench says so and skips the count when it is missing.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { reportGoal } from "../../service/bench/goals.ts";
import { printTable } from "../../service/bench/table.ts";

const RUNS = Number(process.env.COFFER_BENCH_RUNS ?? 21);
const CALLGRIND_RUNS = Number(process.env.COFFER_BENCH_CALLGRIND_RUNS ?? 3);
const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../dist/bin.js");
const dataDir = mkdtempSync(path.join(tmpdir(), "coffer-bench-cli-"));
const cacheDir = mkdtempSync(path.join(tmpdir(), "coffer-bench-cache-"));
const env: Record<string, string> = {
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  HOME: dataDir,
  COFFER_DATA_DIR: dataDir,
  COFFER_USER: "bench",
  NODE_COMPILE_CACHE: cacheDir,
};

interface BenchCommand {
  args: string[];
  env?: Record<string, string>;
}

const COMMANDS: Record<string, BenchCommand> = {
  "node -e 0": { args: ["-e", "0"] },
  "coffer --version": { args: [bin, "--version"] },
  "coffer secret get": { args: [bin, "secret", "get", "bench", "--key", "k"] },
  "coffer secret get (no compile cache)": {
    args: [bin, "secret", "get", "bench", "--key", "k"],
    env: { NODE_DISABLE_COMPILE_CACHE: "1" },
  },
};

const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;

/** One bash line that runs a command and prints `<index> <microseconds>`, or fails the script. */
function timedLine(index: number, command: BenchCommand): string {
  const assignments = Object.entries(command.env ?? {}).map(([name, value]) => `${name}=${quote(value)}`);
  const line = [...assignments, quote(process.execPath), ...command.args.map(quote)].join(" ");
  return [
    "s=$EPOCHREALTIME",
    `${line} >/dev/null 2>"$err" || { echo "command ${index} failed: $(cat "$err")" >&2; exit 1; }`,
    "e=$EPOCHREALTIME",
    `echo "${index} $(( 10#\${e/./} - 10#\${s/./} ))"`,
  ].join("; ");
}

/** Runs every command `runs` times, alternating, in one bash process; milliseconds by command. */
function series(commands: Record<string, BenchCommand>, runs = RUNS): Record<string, number[]> {
  const entries = Object.entries(commands);
  const script = [
    "set -u",
    `err=${quote(path.join(dataDir, "stderr"))}`,
    `for run in $(seq ${runs}); do`,
    ...entries.map(([, command], index) => `  ${timedLine(index, command)}`),
    "done",
  ].join("\n");
  const result = spawnSync("bash", ["-c", script], { env, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`bench script failed: ${result.stderr}`);
  const samples: Record<string, number[]> = Object.fromEntries(entries.map(([name]) => [name, []]));
  for (const line of result.stdout.trim().split("\n")) {
    const [index, micros] = line.split(" ").map(Number);
    samples[entries[index!]![0]]!.push(micros! / 1000);
  }
  return samples;
}

const quantile = (values: number[], q: number) =>
  [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) * q)]!;
const spread = (values: number[]) =>
  `${quantile(values, 0.25).toFixed(1)}–${quantile(values, 0.75).toFixed(1)}`;
const loadAverage = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

/** Instructions executed by a command under callgrind, all threads counted. */
function instructions(command: BenchCommand): number {
  const result = spawnSync(
    "valgrind",
    ["--tool=callgrind", "--callgrind-out-file=/dev/null", process.execPath, ...command.args],
    { env: { ...env, ...command.env }, encoding: "utf8" },
  );
  const collected = /Collected : (\d+)/.exec(result.stderr);
  if (result.status !== 0 || !collected) throw new Error(`callgrind failed: ${result.stderr}`);
  return Number(collected[1]);
}

function callgrindTable(): void {
  if (spawnSync("valgrind", ["--version"]).status !== 0) {
    console.log(
      "\nCOFFER_BENCH_CALLGRIND=1: valgrind is not installed (apt-get install valgrind); no count.",
    );
    return;
  }
  const counted = ["node -e 0", "coffer secret get"] as const;
  const counts: Record<string, number[]> = { "node -e 0": [], "coffer secret get": [] };
  for (let run = 0; run < CALLGRIND_RUNS; run++) {
    for (const name of counted) counts[name]!.push(instructions(COMMANDS[name]!));
  }
  const floor = quantile(counts["node -e 0"]!, 0.5);
  const instructionRatio = quantile(counts["coffer secret get"]!, 0.5) / floor;
  reportGoal({
    measure: "CLI secret get cold vs node -e 0, callgrind instructions",
    value: `${instructionRatio.toFixed(2)}×`,
    goal: "≤ 2.5×",
    met: instructionRatio <= 2.5,
  });
  printTable(
    `Instructions (callgrind, all threads), median of ${CALLGRIND_RUNS} alternating runs`,
    ["command", "M instructions", "min–max", "× node -e 0"],
    counted.map((name) => {
      const values = counts[name]!;
      const range = `${(Math.min(...values) / 1e6).toFixed(1)}–${(Math.max(...values) / 1e6).toFixed(1)}`;
      return [name, quantile(values, 0.5) / 1e6, range, quantile(values, 0.5) / floor];
    }),
  );
}

try {
  // The first runs create the store and fill the compile cache, as a user's first command does.
  const setup = spawnSync(process.execPath, [bin, "secret", "create", "bench", "--k=fake-bench-value"], {
    env,
    encoding: "utf8",
  });
  if (setup.status !== 0) throw new Error(`secret create failed: ${setup.stderr}`);
  series({ warm: COMMANDS["coffer secret get"]! }, 1);

  const loadBefore = loadAverage();
  const samples = series(COMMANDS);
  const loadAfter = loadAverage();
  const medians = Object.fromEntries(
    Object.entries(samples).map(([name, values]) => [name, quantile(values, 0.5)]),
  );
  const floor = medians["node -e 0"]!;
  printTable(
    `Cold start, ${RUNS} alternating runs each, timed by bash outside Node (embedded sql store, one secret read)`,
    ["command", "median ms", "p25–p75 ms", "× node -e 0"],
    Object.entries(samples).map(([name, values]) => [
      name,
      medians[name]!,
      spread(values),
      medians[name]! / floor,
    ]),
  );
  console.log(`load average (1, 5, 15 min): ${loadBefore} before, ${loadAfter} after`);
  const ratio = medians["coffer secret get"]! / floor;
  reportGoal({
    measure: "CLI secret get cold vs node -e 0, wall from outside",
    value: `${ratio.toFixed(2)}×`,
    goal: "≤ 2.0×",
    met: ratio <= 2,
  });
  console.log(`\ncoffer secret get: ${ratio.toFixed(2)}× node -e 0 in wall time (goal ≤ 2.0×)`);
  if (process.env.COFFER_BENCH_CALLGRIND === "1") callgrindTable();
  else console.log("(COFFER_BENCH_CALLGRIND=1 adds the instruction count; goal ≤ 2.5×)");
} finally {
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(cacheDir, { recursive: true, force: true });
}
