// Cold start of `coffer secret get` (a new process, the embedded sql store, one secret read) against
// `node -e 0`, the floor any Node.js command starts from. Goal: at most 2.0× node -e 0.
//
// Runs alternate between the commands so that a busy machine slows them alike; the table shows the
// median wall time of each. The compile cache lives in a fresh directory, filled by a first run,
// as a user's own first command fills theirs.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { printTable } from "../../service/bench/table.ts";

const RUNS = Number(process.env.COFFER_BENCH_RUNS ?? 21);
const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../dist/bin.js");
const dataDir = mkdtempSync(path.join(tmpdir(), "coffer-bench-cli-"));
const cacheDir = mkdtempSync(path.join(tmpdir(), "coffer-bench-cache-"));
const env = {
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  HOME: dataDir,
  COFFER_DATA_DIR: dataDir,
  COFFER_USER: "bench",
  NODE_COMPILE_CACHE: cacheDir,
};

/** Runs a command to completion; milliseconds from spawn to exit. */
function measure(args: string[], extraEnv: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, {
      env: { ...env, ...extraEnv },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      const ms = performance.now() - started;
      if (code !== 0) reject(new Error(`${args.join(" ")} exited ${code}: ${stderr}`));
      else resolve(ms);
    });
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function series(commands: Record<string, { args: string[]; env?: Record<string, string> }>) {
  const samples: Record<string, number[]> = Object.fromEntries(
    Object.keys(commands).map((name) => [name, []]),
  );
  for (let run = 0; run < RUNS; run++) {
    for (const [name, command] of Object.entries(commands)) {
      samples[name]!.push(await measure(command.args, command.env));
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, median(values)]));
}

// The first runs create the store and fill the compile cache, as a user's first command does.
await measure([bin, "secret", "create", "bench", "--k=fake-bench-value"]);
await measure([bin, "secret", "get", "bench", "--key", "k"]);

const medians = await series({
  "node -e 0": { args: ["-e", "0"] },
  "coffer --version": { args: [bin, "--version"] },
  "coffer secret get": { args: [bin, "secret", "get", "bench", "--key", "k"] },
  "coffer secret get (no compile cache)": {
    args: [bin, "secret", "get", "bench", "--key", "k"],
    env: { NODE_DISABLE_COMPILE_CACHE: "1" },
  },
});
const floor = medians["node -e 0"]!;
printTable(
  `Cold start, median of ${RUNS} runs each (embedded sql store, one secret read)`,
  ["command", "wall ms", "× node -e 0"],
  Object.entries(medians).map(([name, ms]) => [name, ms, ms / floor]),
);
const ratio = medians["coffer secret get"]! / floor;
console.log(`\ncoffer secret get: ${ratio.toFixed(2)}× node -e 0 (goal ≤ 2.0×)`);
rmSync(dataDir, { recursive: true, force: true });
rmSync(cacheDir, { recursive: true, force: true });
