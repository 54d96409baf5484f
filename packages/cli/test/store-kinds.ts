/**
 * Every built-in store, running, for tests that go through each one: sql on SQLite and on
 * PostgreSQL (a container), memory, and aws, gcp, azure and vault on their emulators in this
 * process. STORE_KINDS names them; a test checks that they cover every store the registry has.
 */
import path from "node:path";
import type { SecretsStore, StoreContext } from "@coffer/core";
import {
  type RunningEmulator,
  startAwsEmulator,
  startAzureEmulator,
  startGcpEmulator,
  startVaultEmulator,
} from "@coffer/emulators";
import { AzureStore } from "@coffer/store-azure";
import { builtinStores } from "@coffer/stores";
import { startPostgres } from "@coffer/testkit";
import { tempDir } from "./helpers.js";

export const STORE_KINDS = ["sql-sqlite", "sql-postgres", "memory", "aws", "gcp", "azure", "vault"] as const;
export type StoreKind = (typeof STORE_KINDS)[number];
/** Makes a new store of one kind (a fresh SQLite file or keyring each time for sql). */
export type Make = (context: StoreContext) => Promise<SecretsStore>;

export interface RunningStoreKinds {
  kinds: Record<StoreKind, Make>;
  stop(): Promise<void>;
}

/** The store types the registry knows, for the check that STORE_KINDS misses none. */
export const registeredStoreTypes = (): string[] => builtinStores().types();

const registry = builtinStores();
const byType =
  (type: string, options: Record<string, unknown>): Make =>
  async (context) => {
    // As loadConfig does: the store's schema fills in its defaults.
    const registration = await registry.get(type);
    return registration.create(registration.optionsSchema.parse(options), context);
  };

export async function startStoreKinds(): Promise<RunningStoreKinds> {
  const running: RunningEmulator[] = [];
  const [aws, gcp, vault, azure] = await Promise.all([
    startAwsEmulator(),
    startGcpEmulator(),
    startVaultEmulator({ rootToken: "not-a-real-root-token" }),
    startAzureEmulator(),
  ]);
  running.push(aws, gcp, vault, azure);
  const postgres = await startPostgres();
  const dir = tempDir("coffer-store-kinds-");
  let n = 0;
  const kinds: Record<StoreKind, Make> = {
    "sql-sqlite": (c: StoreContext) =>
      byType("sql", {
        url: `sqlite://${path.join(dir, `values-${++n}.db`)}`,
        keyringFile: path.join(dir, `k-${n}.json`),
      })(c),
    "sql-postgres": (c: StoreContext) =>
      byType("sql", { url: postgres.url, keyringFile: path.join(dir, `k-${++n}.json`) })(c),
    memory: byType("memory", {}),
    aws: byType("aws", {
      region: "us-east-1",
      endpoint: aws.url,
      accessKeyId: "AKIAFAKEFAKEFAKEFAKE",
      secretAccessKey: "not-a-real-secret-access-key",
    }),
    gcp: byType("gcp", { project: "coffer-test", apiEndpoint: "127.0.0.1", port: gcp.port, insecure: true }),
    vault: byType("vault", { address: vault.url, token: "not-a-real-root-token" }),
    // Azure's credentials talk to Entra ID: a hand-written credential with a fake token instead.
    azure: async (c: StoreContext) =>
      new AzureStore(
        {
          vaultUrl: azure.url,
          tlsCa: azure.certificatePem ?? "",
          disableChallengeResourceVerification: true,
        },
        c,
        {
          credential: {
            getToken: async () => ({ token: "not-a-real-token", expiresOnTimestamp: Date.now() + 3.6e6 }),
          },
          clientOptions: { retryOptions: { maxRetries: 0 } },
          pollIntervalMs: 10,
        },
      ),
  };
  return {
    kinds,
    stop: async () => {
      await Promise.allSettled([...running.map((e) => e.stop()), postgres.stop()]);
    },
  };
}
