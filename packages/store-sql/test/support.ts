// Shared fixtures: temp directories, contexts, stores built through the registration (so options
// are validated exactly as in production), fake keys and a logger that remembers what it was told.
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { instantiateStore, type LogFields, type Logger, type StoreContext, silentLogger } from "@coffer/core";
import { openDatabase } from "@coffer/sql";
import type { Kysely } from "kysely";
import { type SqlStore, type SqlStoreOptions, sqlStore, VALUES_TABLE } from "../src/index.js";
import type { StoreTables } from "../src/schema.js";

export const DEPLOYMENT = "test-deployment";

export const capabilities = {
  access: "read-write",
  maxValueBytes: 1_048_576,
  batchGetMax: 500,
  versions: true,
  cas: true,
  softDelete: false,
} as const;

export function tempDir(prefix = "coffer-store-sql-"): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** A fresh 32-byte key in base64 (test material only). */
export function fakeKey(): string {
  return randomBytes(32).toString("base64");
}

export function keyringJson(active: string, keys: Record<string, string>): string {
  return JSON.stringify({ active, keys });
}

export interface RecordingLogger extends Logger {
  lines: Array<{ level: string; message: string; fields?: LogFields }>;
}

export function recordingLogger(): RecordingLogger {
  const lines: RecordingLogger["lines"] = [];
  const record = (level: string) => (message: string, fields?: LogFields) => {
    lines.push({ level, message, ...(fields ? { fields } : {}) });
  };
  return {
    lines,
    debug: record("debug"),
    info: record("info"),
    warn: record("warn"),
    error: record("error"),
  };
}

export function contextFor(databaseUrl: string, overrides: Partial<StoreContext> = {}): StoreContext {
  return {
    deploymentId: DEPLOYMENT,
    dataDir: overrides.dataDir ?? tempDir(),
    databaseUrl,
    logger: silentLogger,
    ...overrides,
  };
}

/** A store built through the registration, not yet initialised. */
export function newStore(options: SqlStoreOptions, context: StoreContext): SqlStore {
  return instantiateStore(sqlStore, options, context) as SqlStore;
}

/** Direct access to the values table, for attacks and inspection (shares the store's handle). */
export async function withTable<T>(url: string, work: (db: Kysely<StoreTables>) => Promise<T>): Promise<T> {
  const database = openDatabase(url);
  try {
    return await work(database.db as Kysely<StoreTables>);
  } finally {
    await database.close();
  }
}

export async function rowOf(url: string, secretId: string, deploymentId = DEPLOYMENT) {
  return withTable(url, (db) =>
    db
      .selectFrom(VALUES_TABLE)
      .selectAll()
      .where("deployment_id", "=", deploymentId)
      .where("secret_id", "=", secretId)
      .executeTakeFirstOrThrow(),
  );
}

/** A free TCP port on 127.0.0.1 where nothing listens (for "unreachable" stores). */
export async function closedPort(): Promise<number> {
  const { createServer } = await import("node:net");
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
