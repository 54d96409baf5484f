/**
 * Operator calls on a running service: the health check (metadata database and store, each with
 * its latency) and online rotation of the store's encryption key (`coffer store rotate-key`).
 */
import {
  isKeyRotatingStore,
  type KeyRotatingStore,
  type RotateKeyOptions,
  type RotateKeyResult,
  type SecretsStore,
} from "@coffer/core";
import { noKeyRotation } from "./errors.js";
import type { MetadataRepository } from "./metadata.js";
import { MirroredStore } from "./mirrored-store.js";

type PartHealth = { status: "ready" | "error"; latencyMs: number; message?: string };

export interface ServiceHealth {
  status: "ready" | "error";
  metadata: PartHealth;
  store: Awaited<ReturnType<SecretsStore["health"]>>;
}

/** The store that manages encryption keys (the primary, behind a backup mirror), if any. */
export function keyRotatingStore(store: SecretsStore): KeyRotatingStore | undefined {
  const keyed = store instanceof MirroredStore ? store.primary : store;
  return isKeyRotatingStore(keyed) ? keyed : undefined;
}

export async function rotateKey(store: SecretsStore, options?: RotateKeyOptions): Promise<RotateKeyResult> {
  const keyed = keyRotatingStore(store);
  if (!keyed) throw noKeyRotation(store.type);
  return keyed.rotateKey(options);
}

export async function health(metadata: MetadataRepository, store: SecretsStore): Promise<ServiceHealth> {
  const started = performance.now();
  let database: PartHealth;
  try {
    await metadata.ping();
    database = {
      status: "ready",
      latencyMs: performance.now() - started,
      message: metadata.database.location,
    };
  } catch (error) {
    database = { status: "error", latencyMs: performance.now() - started, message: (error as Error).message };
  }
  const storeHealth = await store.health();
  return {
    status: database.status === "ready" && storeHealth.status === "ready" ? "ready" : "error",
    metadata: database,
    store: storeHealth,
  };
}
