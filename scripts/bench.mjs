// `pnpm bench` / `./dev bench [filter]`: runs every packages/*/bench/*.bench.ts with Node (type
// stripping), one after another so they do not compete for the CPU, and prints their tables.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const filter = process.argv[2];
const files = readdirSync(path.join(root, "packages"))
  .map((name) => path.join(root, "packages", name, "bench"))
  .filter((dir) => existsSync(dir))
  .flatMap((dir) =>
    readdirSync(dir)
      .filter((file) => file.endsWith(".bench.ts"))
      .map((file) => path.join(dir, file)),
  )
  // Matched against the path inside the repository: a checkout in a folder whose name contains
  // the filter ("…/wt-get/") would otherwise match every benchmark.
  .filter((file) => !filter || path.relative(root, file).includes(filter))
  .sort();

if (files.length === 0) {
  console.error(filter ? `no benchmark matches '${filter}'` : "no benchmarks found");
  process.exit(1);
}
// Each bench appends the goal rows it measured here (packages/service/bench/goals.ts).
const goalsDir = mkdtempSync(path.join(tmpdir(), "coffer-bench-goals-"));
const goalsFile = path.join(goalsDir, "goals.jsonl");
let failed = 0;
for (const file of files) {
  console.log(`\n=== ${path.relative(root, file)}`);
  const result = spawnSync(process.execPath, ["--disable-warning=ExperimentalWarning", file], {
    stdio: "inherit",
    cwd: path.dirname(path.dirname(file)),
    env: {
      ...process.env,
      AWS_EC2_METADATA_DISABLED: "true",
      METADATA_SERVER_DETECTION: "none",
      COFFER_BENCH_GOALS: goalsFile,
    },
  });
  if (result.status !== 0) failed++;
}
printGoals();
rmSync(goalsDir, { recursive: true, force: true });
process.exit(failed > 0 ? 1 : 0);

/** Every goal row the benches reported, in one table: measure, value, goal, met. */
function printGoals() {
  if (!existsSync(goalsFile)) return;
  const rows = readFileSync(goalsFile, "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line));
  const cells = [
    ["measure", "measured", "goal", "met"],
    ...rows.map((row) => [row.measure, row.value, row.goal, row.met ? "yes" : "no"]),
  ];
  const widths = cells[0].map((_, column) => Math.max(...cells.map((row) => String(row[column]).length)));
  console.log("\n=== goals, as measured in this run");
  for (const [index, row] of cells.entries()) {
    console.log(row.map((cell, column) => String(cell).padEnd(widths[column])).join("  "));
    if (index === 0) console.log(widths.map((width) => "-".repeat(width)).join("  "));
  }
}
