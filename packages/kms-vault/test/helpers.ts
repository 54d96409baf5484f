// Fixtures: the Vault emulator (transit mounted at `transit`) with a key, and the sql store built
// through its registration with the vault-transit key source, options validated as in production.
import { instantiateStore, type StoreContext } from "@coffer/core";
import { startVaultEmulator, type VaultEmulator } from "@coffer/emulators";
import { type SqlStore, type SqlStoreOptions, sqlStoreWithKeySources } from "@coffer/store-sql";
import { sqliteStoreContext } from "@coffer/testkit";
import vaultFactory from "node-vault";
import { vaultTransitKeySource } from "../src/index.js";

export const registration = sqlStoreWithKeySources({ "vault-transit": async () => vaultTransitKeySource });

export function sqliteContext(deploymentId = "transit-deployment"): StoreContext {
  return sqliteStoreContext(deploymentId);
}

/** node-vault as an operator's tooling would use it, for setting up and rotating keys. */
export function operator(emulator: VaultEmulator) {
  return vaultFactory({ apiVersion: "v1", endpoint: emulator.url, token: emulator.rootToken });
}

let keys = 0;
export async function newTransitKey(emulator: VaultEmulator): Promise<string> {
  const name = `coffer-${++keys}`;
  await operator(emulator).write(`transit/keys/${name}`, {});
  return name;
}

export function transitOptions(emulator: VaultEmulator, keyName: string, token = emulator.rootToken) {
  return { address: emulator.url, token, keyName, timeoutMs: 2_000 };
}

export function transitStore(
  emulator: VaultEmulator,
  keyName: string,
  context: StoreContext,
  extra: Partial<SqlStoreOptions> & { token?: string } = {},
): SqlStore {
  const { token, ...rest } = extra;
  return instantiateStore(
    registration,
    { keySource: "vault-transit", kms: transitOptions(emulator, keyName, token), ...rest },
    context,
  ) as SqlStore;
}

export async function startedTransitStore(
  emulator: VaultEmulator,
  keyName: string,
  context: StoreContext,
  extra: Partial<SqlStoreOptions> = {},
): Promise<SqlStore> {
  const store = transitStore(emulator, keyName, context, extra);
  await store.init();
  return store;
}

export async function startTransit(): Promise<{ emulator: VaultEmulator; keyName: string }> {
  const emulator = await startVaultEmulator();
  return { emulator, keyName: await newTransitKey(emulator) };
}

export { failureOf as failure } from "@coffer/testkit";
