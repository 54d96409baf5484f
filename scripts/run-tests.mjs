// Runs the whole test suite with vitest. `./dev test` calls this after building.
// Cloud SDKs must never fall back to their default credential chains here: those probe cloud
// metadata addresses, which is traffic off this machine. Tests pass explicit fake credentials;
// these variables are a second line of defence for anything that forgets to.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const env = {
  ...process.env,
  AWS_EC2_METADATA_DISABLED: "true",
  METADATA_SERVER_DETECTION: "none",
  NO_UPDATE_NOTIFIER: "1",
};
const vitest = fileURLToPath(new URL("../node_modules/vitest/vitest.mjs", import.meta.url));
const result = spawnSync(process.execPath, [vitest, "run", ...process.argv.slice(2)], {
  stdio: "inherit",
  env,
});
process.exit(result.status ?? 1);
