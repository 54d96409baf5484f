// The CLI's tests again in remote mode: each session gets its own `coffer server start`, and every
// command reaches it through COFFER_URL and COFFER_TOKEN. Files that test local-only matters (the
// local store's files, key rotation progress, cloud stores configured on this machine, the README's
// local quick start) stay in the local run.
import { packageTestConfig } from "../../vitest.shared.ts";

export default packageTestConfig("cli (remote)", {
  include: [
    "test/create.test.ts",
    "test/manage.test.ts",
    "test/run.test.ts",
    "test/run-guard.test.ts",
    "test/reserved-keys.test.ts",
    "test/interactive.test.ts",
    "test/register-missing.test.ts",
    "test/run-dotenv.test.ts",
    "test/import.test.ts",
    "test/formats.test.ts",
    "test/diff.test.ts",
  ],
  env: { COFFER_CLI_TEST_MODE: "remote" },
  globalSetup: ["test/install.ts"],
});
