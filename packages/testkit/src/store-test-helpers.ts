/**
 * Helpers every store's tests share, under one name each: the context a store is created with,
 * a deployment id unique to a run, a loopback port with nothing listening on it, and the error a
 * call fails with.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Logger, type StoreContext, silentLogger } from "@coffer/core";
import { freePort } from "./free-port.js";

/** The context a store under test gets: a deployment id and a logger; no data directory or database. */
export function contextFor(deploymentId = "test-deployment", logger: Logger = silentLogger): StoreContext {
  return { deploymentId, dataDir: "/nonexistent", databaseUrl: "", logger };
}

/**
 * The context of a store that keeps its data in a SQLite file (the sql store, e.g. under a KMS key
 * source): a fresh temporary directory, unless one is given, holding `coffer.db`.
 */
export function sqliteStoreContext(
  deploymentId: string,
  dir = mkdtempSync(path.join(tmpdir(), "coffer-store-")),
): StoreContext {
  return {
    deploymentId,
    dataDir: dir,
    databaseUrl: `sqlite://${path.join(dir, "coffer.db")}`,
    logger: silentLogger,
  };
}

/** The error `fn` fails with; a test that expected a failure fails itself when `fn` succeeds. */
export async function failureOf(fn: () => Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await fn();
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error("expected the call to fail, but it succeeded");
}

/** A deployment id unique to this run, so runs against a shared endpoint never see each other. */
export function uniqueDeployment(label: string): string {
  return `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** A loopback port with nothing listening on it (for "unreachable backend" cases). */
export const closedPort = freePort;
