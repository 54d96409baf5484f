import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type ClientOptions, CofferClient, createClient } from "../src/index.js";

export function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), "coffer-client-"));
}

/**
 * The environment of a client on its own data directory. COFFER_TEST_STORE picks the store the
 * tests run on; by default the embedded one (`sql`).
 */
export function localEnv(dataDir: string, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = { COFFER_DATA_DIR: dataDir, ...extra };
  const store = process.env.COFFER_TEST_STORE;
  if (store && !extra.COFFER_STORE_TYPE) {
    env.COFFER_STORE_TYPE = store;
    // Several clients in one process over one data directory share a memory store by its name.
    if (store === "memory") env.COFFER_STORE_SHARED = dataDir;
  }
  return env;
}

/** A client on a fresh data directory; closed by the caller. */
export function freshClient(options: ClientOptions & { extraEnv?: Record<string, string> } = {}) {
  const dataDir = tempDir();
  const { extraEnv, ...rest } = options;
  const client = createClient({ user: "alice", env: localEnv(dataDir, extraEnv), ...rest });
  return { client, dataDir };
}

export { CofferClient };
