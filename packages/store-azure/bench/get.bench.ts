// getSecret by name through Coffer (service + SQLite metadata + the azure store) against the raw
// SecretClient.getSecret + JSON.parse an application would call instead; the shared driver
// (packages/service/bench/get-driver.ts) runs it warm and as a new process's first read, with the
// emulator in a process of its own. https only: see `unsupported`.
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { runGetBench } from "../../service/bench/get-driver.ts";

/** A fake identity (the emulator accepts any bearer token); never @azure/identity. */
const credential: TokenCredential = {
  getToken: async (): Promise<AccessToken> => ({
    token: "not-a-real-token",
    expiresOnTimestamp: Date.now() + 3_600_000,
  }),
};

await runGetBench({
  emulator: "azure",
  rawLabel: "getSecret + JSON.parse",
  unsupported: {
    http: "@azure/keyvault-secrets 4.12 refuses to send a token over plain http (emulators README)",
  },
  async store(endpoint) {
    const { AzureStore } = await import("@coffer/store-azure");
    // As an operator configures it for an emulator (its CA, a loopback host); only the
    // credential is injected.
    const options = {
      vaultUrl: endpoint.url,
      tlsCa: endpoint.ca!,
      disableChallengeResourceVerification: true,
    };
    return (context) => new AzureStore(options, context, { credential });
  },
  async raw(endpoint, backendName) {
    const { SecretClient } = await import("@azure/keyvault-secrets");
    const client = new SecretClient(endpoint.url, credential, {
      disableChallengeResourceVerification: true,
      tlsOptions: { ca: endpoint.ca! },
    });
    return { read: async () => JSON.parse((await client.getSecret(backendName)).value!), close() {} };
  },
});
