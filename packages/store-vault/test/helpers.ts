/**
 * Test wiring: the in-process Vault emulator by default, or the Vault at COFFER_TEST_VAULT_ADDR
 * (with COFFER_TEST_VAULT_TOKEN, a token allowed to use the `secret` KV v2 mount) when set.
 */
import { createServer } from "node:net";
import { type Logger, type StoreContext, silentLogger } from "@coffer/core";
import { startVaultEmulator, type VaultEmulator, type VaultEmulatorOptions } from "@coffer/emulators";
import vaultFactory from "node-vault";
import {
  VaultSecretsStore,
  type VaultStoreHooks,
  type VaultStoreOptions,
  vaultStoreOptions,
} from "../src/index.js";

export type VaultClient = ReturnType<typeof vaultFactory>;

export interface VaultBackend {
  address: string;
  token: string;
  emulator: VaultEmulator | undefined;
  stop(): Promise<void>;
}

export const externalAddress = process.env.COFFER_TEST_VAULT_ADDR;

export async function startBackend(options: VaultEmulatorOptions = {}): Promise<VaultBackend> {
  if (externalAddress) {
    return {
      address: externalAddress,
      token: process.env.COFFER_TEST_VAULT_TOKEN ?? "",
      emulator: undefined,
      stop: async () => {},
    };
  }
  const emulator = await startVaultEmulator({ rootToken: "not-a-real-root-token", ...options });
  return { address: emulator.url, token: emulator.rootToken, emulator, stop: () => emulator.stop() };
}

export function context(deploymentId: string, logger: Logger = silentLogger): StoreContext {
  return { deploymentId, dataDir: "/nonexistent", databaseUrl: "", logger };
}

export function storeOptions(
  backend: VaultBackend,
  extra: Partial<VaultStoreOptions> = {},
): VaultStoreOptions {
  const appRole = extra.roleId !== undefined || extra.secretId !== undefined;
  return {
    address: backend.address,
    pathPrefix: "coffer-test",
    ...(!appRole && { token: backend.token }),
    timeoutMs: 5_000,
    ...extra,
  };
}

export function newStore(
  backend: VaultBackend,
  deploymentId: string,
  extra: Partial<VaultStoreOptions> = {},
  hooks: VaultStoreHooks = {},
): VaultSecretsStore {
  return new VaultSecretsStore(
    vaultStoreOptions.parse(storeOptions(backend, extra)),
    context(deploymentId),
    hooks,
  );
}

/** node-vault as an operator would use it, to look at (and tamper with) what the store wrote. */
export function rawClient(backend: VaultBackend, namespace?: string): VaultClient {
  return vaultFactory({
    apiVersion: "v1",
    endpoint: backend.address,
    token: backend.token,
    ...(namespace !== undefined && { namespace }),
  });
}

/** A clock tests move forward, shared by the emulator and the store. */
export function manualClock(start = Date.UTC(2026, 0, 15, 12)) {
  let now = start;
  return {
    now: () => now,
    advance(seconds: number) {
      now += seconds * 1000;
    },
  };
}

export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address !== "object") throw new Error("no port");
  return address.port;
}

export function uniqueDeployment(label: string): string {
  return `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** What node-vault threw: its ApiResponseError carries the HTTP status. */
export async function statusOf(promise: Promise<unknown>): Promise<number | undefined> {
  try {
    await promise;
    return 200;
  } catch (error) {
    return (error as { response?: { statusCode?: number } }).response?.statusCode;
  }
}
