/**
 * Helpers every store's tests share, under one name each: the context a store is created with,
 * a deployment id unique to a run, and a loopback port with nothing listening on it.
 */
import { type Logger, type StoreContext, silentLogger } from "@coffer/core";
import { freePort } from "./free-port.js";

/** The context a store under test gets: a deployment id and a logger; no data directory or database. */
export function contextFor(deploymentId = "test-deployment", logger: Logger = silentLogger): StoreContext {
  return { deploymentId, dataDir: "/nonexistent", databaseUrl: "", logger };
}

/** A deployment id unique to this run, so runs against a shared endpoint never see each other. */
export function uniqueDeployment(label: string): string {
  return `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** A loopback port with nothing listening on it (for "unreachable backend" cases). */
export const closedPort = freePort;
