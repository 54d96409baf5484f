// A/B cold start of `coffer secret get` for two builds of the CLI, e.g. before and after a change
// to what @coffer/core loads at start (the README's "Composition" numbers came from this):
//
//   node packages/core/bench/ab-cold-start.mjs A=path/to/a/bin.js B=path/to/b/bin.js [runs]
//
// Each build gets its own compile cache, warmed by a first run; the runs alternate between the
// builds (and `node -e 0`) so that a busy machine slows them alike. Wall time is taken from
// outside Node: one bash process runs every sample between two reads of bash's $EPOCHREALTIME
// (a builtin, no process of its own), as packages/cli/bench/cold-start.bench.ts does and for the
// same reason — timed from a Node.js parent's spawn() the samples carry that parent's own
// overhead, which flatters every ratio. Besides, each process reports its own CPU time
// (user + system) at exit, through a module given to `node --import`: on a shared machine wall
// time mostly measures the neighbours, CPU time much less so. It prints medians and quartiles.
// The builds must sit inside the repository so that their externals resolve.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const builds = Object.fromEntries(
  process.argv
    .slice(2)
    .filter((arg) => arg.includes("="))
    .map((arg) => [arg.slice(0, arg.indexOf("=")), path.resolve(arg.slice(arg.indexOf("=") + 1))]),
);
const runs = Number(process.argv.slice(2).find((arg) => /^\d+$/.test(arg)) ?? 21);
const dataDir = mkdtempSync(path.join(tmpdir(), "coffer-ab-data-"));
const caches = Object.fromEntries(
  Object.keys(builds).map((name) => [name, mkdtempSync(path.join(tmpdir(), "coffer-ab-cache-"))]),
);
const reportDir = mkdtempSync(path.join(tmpdir(), "coffer-ab-report-"));
const reporter = path.join(reportDir, "report.mjs");
const report = path.join(reportDir, "usage.jsonl");
writeFileSync(
  reporter,
  `process.on("exit", () => { const u = process.cpuUsage(); process.getBuiltinModule("node:fs").appendFileSync(${JSON.stringify(report)}, JSON.stringify({ cpu: (u.user + u.system) / 1000, own: performance.now() }) + "\\n"); });`,
);
const env = {
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  HOME: dataDir,
  COFFER_DATA_DIR: dataDir,
  COFFER_USER: "bench",
};

const quote = (word) => `'${word.replaceAll("'", `'\\''`)}'`;

/**
 * Runs the commands (each `{ name, args, cache }`) `times` times, alternating, in one bash process;
 * for each: `{ wall, cpu, own }` in milliseconds, in run order.
 */
function series(commands, times) {
  const lines = commands.map(({ args, cache }, index) => {
    const line = [
      ...(cache ? [`NODE_COMPILE_CACHE=${quote(cache)}`] : []),
      quote(process.execPath),
      "--import",
      quote(reporter),
      ...args.map(quote),
    ].join(" ");
    return `  s=$EPOCHREALTIME; ${line} >/dev/null 2>"$err" || { echo "${args.join(" ")} failed: $(cat "$err")" >&2; exit 1; }; e=$EPOCHREALTIME; echo "${index} $(( 10#\${e/./} - 10#\${s/./} ))"`;
  });
  const script = [
    `err=${quote(path.join(reportDir, "stderr"))}`,
    `for run in $(seq ${times}); do`,
    ...lines,
    "done",
  ];
  rmSync(report, { force: true });
  const result = spawnSync("bash", ["-c", script.join("\n")], { env, encoding: "utf8" });
  if (result.status !== 0) throw new Error(result.stderr);
  const usage = readFileSync(report, "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line));
  const samples = commands.map(() => []);
  result.stdout
    .trim()
    .split("\n")
    .forEach((line, order) => {
      const [index, micros] = line.split(" ").map(Number);
      samples[index].push({ wall: micros / 1000, ...usage[order] });
    });
  return samples;
}

const names = Object.keys(builds);
const get = (bin) => [bin, "secret", "get", "bench", "--key", "k"];
series(
  [
    {
      args: [builds[names[0]], "secret", "create", "bench", "--k=fake-bench-value"],
      cache: caches[names[0]],
    },
  ],
  1,
);
series(
  names.map((name) => ({ args: get(builds[name]), cache: caches[name] })),
  1,
);

const measured = series(
  [{ args: ["-e", "0"] }, ...names.map((name) => ({ args: get(builds[name]), cache: caches[name] }))],
  runs,
);
const samples = Object.fromEntries(["node -e 0", ...names].map((name, index) => [name, measured[index]]));
const at = (values, q) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) * q)];
const show = (values) =>
  `${at(values, 0.5).toFixed(1)} (${at(values, 0.25).toFixed(1)}–${at(values, 0.75).toFixed(1)})`;
console.log(`coffer secret get, ${runs} alternating runs each: median (p25–p75), ms`);
console.log(`${"".padEnd(16)} ${"CPU (user+sys)".padEnd(22)} ${"wall, own".padEnd(22)} wall, from bash`);
for (const [name, values] of Object.entries(samples)) {
  const column = (key) => show(values.map((sample) => sample[key])).padEnd(22);
  console.log(`${name.padEnd(16)} ${column("cpu")} ${column("own")} ${show(values.map((s) => s.wall))}`);
}
rmSync(dataDir, { recursive: true, force: true });
rmSync(reportDir, { recursive: true, force: true });
for (const dir of Object.values(caches)) rmSync(dir, { recursive: true, force: true });
