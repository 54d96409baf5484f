// Runs the whole test suite with vitest. `./dev test` calls this after building.
// Cloud SDKs must never fall back to their default credential chains here: those probe cloud
// metadata addresses, which is traffic off this machine. Tests pass explicit fake credentials;
// these variables are a second line of defence for anything that forgets to.
//
// The test workers record, in a directory named by COFFER_TEST_RUN_DIR, each suite whose Docker
// backend did not run (no engine, or an image neither present nor pullable) and each image pull
// they tried, so an image is tried once per run and the outcome is told in ONE line at the end
// (packages/testkit/src/run-record.ts), not once per test file.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readOutcomes, summarizeOutcomes } from "../packages/testkit/dist/run-record.js";

const runDir = mkdtempSync(join(tmpdir(), "coffer-test-run-"));
const env = {
  ...process.env,
  AWS_EC2_METADATA_DISABLED: "true",
  METADATA_SERVER_DETECTION: "none",
  NO_UPDATE_NOTIFIER: "1",
  COFFER_TEST_RUN_DIR: runDir,
};
const vitest = fileURLToPath(new URL("../node_modules/vitest/vitest.mjs", import.meta.url));
const result = spawnSync(process.execPath, [vitest, "run", ...process.argv.slice(2)], {
  stdio: "inherit",
  env,
});
const summary = summarizeOutcomes(readOutcomes(runDir));
rmSync(runDir, { recursive: true, force: true });
if (summary) console.log(`\n${summary}`);
process.exit(result.status ?? 1);
