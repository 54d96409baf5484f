// A/B cold start of `coffer secret get` for two builds of the CLI, e.g. before and after a change
// to what @coffer/core loads at start (the README's "Composition" numbers came from this):
//
//   node packages/core/bench/ab-cold-start.mjs A=path/to/a/bin.js B=path/to/b/bin.js [runs]
//
// Each build gets its own compile cache, warmed by a first run; the runs alternate between the
// builds (and `node -e 0`) so that a busy machine slows them alike. Besides the wall time seen from
// here, each process reports its own CPU time (user + system) at exit, through a module given to
// `node --import`: on a shared machine wall time mostly measures the neighbours, CPU time much
// less so. It prints medians and quartiles. The builds must sit inside the repository so that
// their externals resolve.
import { spawn } from "node:child_process";
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
const report = path.join(reportDir, "usage.json");
writeFileSync(
  reporter,
  `process.on("exit", () => { const u = process.cpuUsage(); process.getBuiltinModule("node:fs").writeFileSync(${JSON.stringify(report)}, JSON.stringify({ cpu: (u.user + u.system) / 1000, own: performance.now() })); });`,
);
const env = (name) => ({
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  HOME: dataDir,
  COFFER_DATA_DIR: dataDir,
  COFFER_USER: "bench",
  ...(name ? { NODE_COMPILE_CACHE: caches[name] } : {}),
});

function measure(args, name) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ["--import", reporter, ...args], {
      env: env(name),
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
      else resolve({ wall: ms, ...JSON.parse(readFileSync(report, "utf8")) });
    });
  });
}

const first = Object.values(builds)[0];
await measure([first, "secret", "create", "bench", "--k=fake-bench-value"], Object.keys(builds)[0]);
for (const [name, bin] of Object.entries(builds))
  await measure([bin, "secret", "get", "bench", "--key", "k"], name);

const samples = { "node -e 0": [], ...Object.fromEntries(Object.keys(builds).map((name) => [name, []])) };
for (let run = 0; run < runs; run++) {
  samples["node -e 0"].push(await measure(["-e", "0"]));
  for (const [name, bin] of Object.entries(builds)) {
    samples[name].push(await measure([bin, "secret", "get", "bench", "--key", "k"], name));
  }
}
const at = (values, q) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) * q)];
const show = (values) =>
  `${at(values, 0.5).toFixed(1)} (${at(values, 0.25).toFixed(1)}–${at(values, 0.75).toFixed(1)})`;
console.log(`coffer secret get, ${runs} alternating runs each: median (p25–p75), ms`);
console.log(`${"".padEnd(16)} ${"CPU (user+sys)".padEnd(22)} ${"wall, own".padEnd(22)} wall, seen here`);
for (const [name, values] of Object.entries(samples)) {
  const column = (key) => show(values.map((sample) => sample[key])).padEnd(22);
  console.log(`${name.padEnd(16)} ${column("cpu")} ${column("own")} ${show(values.map((s) => s.wall))}`);
}
rmSync(dataDir, { recursive: true, force: true });
rmSync(reportDir, { recursive: true, force: true });
for (const dir of Object.values(caches)) rmSync(dir, { recursive: true, force: true });
