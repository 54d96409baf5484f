import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { ServiceUnderTest } from "@coffer/conformance";
import { silentLogger } from "@coffer/core";
import { MemoryStore, type MemoryStoreOptions } from "@coffer/store-memory";
import { createService, type ServiceParts } from "../src/index.js";

export function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), "coffer-service-"));
}

export function sqliteUrl(): string {
  return `sqlite://${path.join(tempDir(), "coffer.db")}`;
}

// One data directory per database, as in a deployment: services reopened over a database find
// its metadata keyring where the first one made it.
const dataDirs = new Map<string, string>();

export function dataDirFor(databaseUrl: string): string {
  let dir = dataDirs.get(databaseUrl);
  if (!dir) {
    dir = databaseUrl.startsWith("sqlite:///")
      ? path.dirname(databaseUrl.slice("sqlite://".length))
      : tempDir();
    dataDirs.set(databaseUrl, dir);
  }
  return dir;
}

/** A service over `databaseUrl` and a memory store; the store is returned for its test hooks. */
export async function memoryService(
  databaseUrl: string,
  storeOptions: MemoryStoreOptions = {},
  extras: Partial<ServiceParts> = {},
) {
  const store = new MemoryStore({ maxValueBytes: 4096, ...storeOptions });
  const service = await createService({
    databaseUrl,
    dataDir: dataDirFor(databaseUrl),
    store: () => store,
    logger: silentLogger,
    ...extras,
  });
  return { service, store };
}

export async function underTest(
  databaseUrl: string,
  storeOptions: MemoryStoreOptions = {},
): Promise<ServiceUnderTest> {
  const { service } = await memoryService(databaseUrl, storeOptions);
  return {
    session: (user) => service.as({ id: user }),
    maxValueBytes: 4096,
    close: () => service.close(),
  };
}
