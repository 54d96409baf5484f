// A Coffer server for remote-mode tests: metadata and encrypted values in SQLite in a fresh
// directory, on a free port, silent.
import { type RunningServer, startServer } from "@coffer/server";
import { tempDir } from "./helpers.js";

export async function startTestServer(): Promise<RunningServer> {
  const dataDir = tempDir();
  return startServer({
    env: { COFFER_DATA_DIR: dataDir, COFFER_LOG_LEVEL: "silent", COFFER_STORE_MAX_VALUE_BYTES: "8192" },
    settings: { port: 0 },
    log: false,
  });
}
