// The sql store's get latency with its keys wrapped by an Azure Key Vault RSA key (the data key
// cached) side by side with the keyring file (see store-sql/bench/key-source-get.ts); the
// cache-miss row is one unwrapkey on the in-process emulator, over HTTPS, RSA-OAEP-256 with a
// 2048-bit key.
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { KeyClient } from "@azure/keyvault-keys";
import { startAzureKeysEmulator } from "@coffer/emulators";
import { AzureKeysKek, azureKeysKeySourceWith, azureKeysOptions } from "@coffer/kms-azure";
import { sqlStoreWithKeySources, wrapContext } from "@coffer/store-sql";
import { benchKeySourceGet } from "../../store-sql/bench/key-source-get.ts";

/** A hand-written credential: never @azure/identity, which would look for a real identity. */
const credential: TokenCredential = {
  async getToken(): Promise<AccessToken> {
    return { token: "not-a-real-token", expiresOnTimestamp: Date.now() + 3_600_000 };
  },
};

const emulator = await startAzureKeysEmulator();
const kmsOptions = {
  vaultUrl: emulator.url,
  keyName: "coffer",
  tlsCa: emulator.certificatePem,
  disableChallengeResourceVerification: true,
};
await new KeyClient(emulator.url, credential, {
  disableChallengeResourceVerification: true,
  tlsOptions: { ca: emulator.certificatePem },
}).createRsaKey("coffer", { keySize: 2048 });

// A cache miss: the same unwrap the store makes, on a data key wrapped like the store's.
const kek = new AzureKeysKek(azureKeysOptions.parse(kmsOptions), { credential });
const missContext = wrapContext("bench", "k-miss");
const { wrapped } = await kek.wrap(Buffer.alloc(32, 1), missContext);

await benchKeySourceGet({
  keySource: "azure-keys",
  registration: sqlStoreWithKeySources({ "azure-keys": async () => azureKeysKeySourceWith({ credential }) }),
  kmsOptions,
  miss: {
    label: "Key Vault unwrapkey",
    unwrap: () => kek.unwrap(wrapped, missContext),
    warmup: 50,
    iterations: 500,
  },
  unwraps: { noun: "Key Vault unwraps", count: () => emulator.calls.unwrapKey ?? 0 },
  close: async () => {
    await kek.close();
    await emulator.stop();
  },
});
