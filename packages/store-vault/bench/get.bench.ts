// getSecret by name through Coffer (service + SQLite metadata + the vault store) against the raw
// node-vault read of the KV v2 data path an application would call instead; the shared driver
// (packages/service/bench/get-driver.ts) runs it warm and as a new process's first read, over
// http and https (a private CA), with the emulator in a process of its own.
import { runGetBench } from "../../service/bench/get-driver.ts";

const token = "not-a-real-root-token";

await runGetBench({
  emulator: "vault",
  rawLabel: "node-vault read, keep-alive",
  async store(endpoint) {
    const { VaultStore, vaultStoreOptions } = await import("@coffer/store-vault");
    // As an operator configures it: defaults but for the address, the CA and the token.
    const options = vaultStoreOptions.parse({
      address: endpoint.url,
      token,
      ...(endpoint.ca !== undefined && { tlsCa: endpoint.ca }),
    });
    return (context) => new VaultStore(options, context);
  },
  async raw(endpoint, backendName) {
    const { default: vaultFactory } = await import("node-vault");
    // The careful application's client: connections kept alive (the store keeps them too;
    // without it node-vault given a CA pays a TLS handshake per request).
    const client = vaultFactory({
      apiVersion: "v1",
      endpoint: endpoint.url,
      token,
      requestOptions: {
        agentOptions: { keepAlive: true },
        ...(endpoint.ca !== undefined && { ca: endpoint.ca }),
      },
    } as Parameters<typeof vaultFactory>[0]);
    const dataPath = `secret/data/${backendName}`;
    return { read: async () => (await client.read(dataPath)).data.data, close() {} };
  },
});
