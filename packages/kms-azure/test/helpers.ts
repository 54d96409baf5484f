// Fixtures: the Key Vault keys emulator (https, its own certificate, 127.0.0.1) with an RSA key, and
// the sql store built through its registration with the azure-keys key source (options validated
// as in production), a hand-written TokenCredential that counts its calls, and no retries.
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { KeyClient } from "@azure/keyvault-keys";
import { instantiateStore, type StoreContext } from "@coffer/core";
import { type AzureKeysEmulator, startAzureKeysEmulator } from "@coffer/emulators";
import { type SqlStore, type SqlStoreOptions, sqlStoreWithKeySources } from "@coffer/store-sql";
import { sqliteStoreContext } from "@coffer/testkit";
import { azureKeysKeySourceWith } from "../src/index.js";

export { closedPort, failureOf as failure } from "@coffer/testkit";

/** Never @azure/identity: its credentials would talk to Entra ID or the instance metadata service. */
export class FakeCredential implements TokenCredential {
  calls = 0;
  async getToken(): Promise<AccessToken> {
    this.calls++;
    return { token: "not-a-real-token", expiresOnTimestamp: Date.now() + 3_600_000 };
  }
}

export const credential = new FakeCredential();

export const registration = sqlStoreWithKeySources({
  "azure-keys": async () =>
    azureKeysKeySourceWith({ credential, clientOptions: { retryOptions: { maxRetries: 0 } } }),
});

export function sqliteContext(deploymentId = "kms-deployment"): StoreContext {
  return sqliteStoreContext(deploymentId);
}

export function keyClient(emulator: AzureKeysEmulator): KeyClient {
  return new KeyClient(emulator.url, new FakeCredential(), {
    disableChallengeResourceVerification: true,
    tlsOptions: { ca: emulator.certificatePem },
    retryOptions: { maxRetries: 0 },
  });
}

/** A new RSA key in the emulator's vault; returns its name. */
export async function newVaultKey(emulator: AzureKeysEmulator, name: string): Promise<string> {
  await keyClient(emulator).createRsaKey(name, { keySize: 2048 });
  return name;
}

export function kmsOptions(emulator: Pick<AzureKeysEmulator, "url" | "certificatePem">, keyName: string) {
  return {
    vaultUrl: emulator.url,
    keyName,
    tlsCa: emulator.certificatePem,
    disableChallengeResourceVerification: true,
    maxRetries: 0,
    timeoutMs: 2_000,
  };
}

export function kmsStore(
  emulator: Pick<AzureKeysEmulator, "url" | "certificatePem">,
  keyName: string,
  context: StoreContext,
  extra: Partial<SqlStoreOptions> = {},
): SqlStore {
  return instantiateStore(
    registration,
    { keySource: "azure-keys", kms: kmsOptions(emulator, keyName), ...extra },
    context,
  ) as SqlStore;
}

export async function startedKmsStore(
  emulator: AzureKeysEmulator,
  keyName: string,
  context: StoreContext,
  extra: Partial<SqlStoreOptions> = {},
): Promise<SqlStore> {
  const store = kmsStore(emulator, keyName, context, extra);
  await store.init();
  return store;
}

export async function startVault(): Promise<{ emulator: AzureKeysEmulator; keyName: string }> {
  const emulator = await startAzureKeysEmulator();
  return { emulator, keyName: await newVaultKey(emulator, "coffer") };
}
