// `pnpm bench` / `./dev bench [filter]`: runs every packages/*/bench/*.bench.ts with Node (type
// stripping), one after another so they do not compete for the CPU, and prints their tables.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
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
let failed = 0;
for (const file of files) {
  console.log(`\n=== ${path.relative(root, file)}`);
  const result = spawnSync(process.execPath, ["--disable-warning=ExperimentalWarning", file], {
    stdio: "inherit",
    cwd: path.dirname(path.dirname(file)),
    env: { ...process.env, AWS_EC2_METADATA_DISABLED: "true", METADATA_SERVER_DETECTION: "none" },
  });
  if (result.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
