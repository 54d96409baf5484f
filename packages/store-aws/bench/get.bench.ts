// getSecret by name through Coffer (service + SQLite metadata + the aws store) against the raw
// GetSecretValue + JSON.parse an application would call instead; the shared driver
// (packages/service/bench/get-driver.ts) runs it warm and as a new process's first read, over
// http and https, with the emulator in a process of its own.
import { getCACertificates, setDefaultCACertificates } from "node:tls";
import { type Endpoint, runGetBench } from "../../service/bench/get-driver.ts";

const region = "us-east-1";
const credentials = { accessKeyId: "AKIAFAKEFAKEFAKE0000", secretAccessKey: "not-a-real-secret-key" };

/**
 * The AWS SDK takes no CA option: an operator trusts a private CA process-wide. Children get
 * NODE_EXTRA_CA_CERTS from the driver (so they pay nothing for it here); this process adds it to
 * its default CAs.
 */
function trust(endpoint: Endpoint): void {
  if (endpoint.ca === undefined || process.env.COFFER_BENCH_FIRST_READ !== undefined) return;
  const defaults = getCACertificates("default");
  if (!defaults.includes(endpoint.ca)) setDefaultCACertificates([...defaults, endpoint.ca]);
}

await runGetBench({
  emulator: "aws",
  rawLabel: "GetSecretValue + JSON.parse",
  async store(endpoint) {
    trust(endpoint);
    const { AwsStore, awsStoreOptions } = await import("@coffer/store-aws");
    // As an operator configures it: the SDK's default attempts, Coffer's default timeout.
    const options = awsStoreOptions.parse({ region, endpoint: endpoint.url, ...credentials });
    return (context) => new AwsStore(options, context);
  },
  async raw(endpoint, backendName) {
    trust(endpoint);
    const { GetSecretValueCommand, SecretsManagerClient } = await import("@aws-sdk/client-secrets-manager");
    const client = new SecretsManagerClient({
      endpoint: endpoint.url,
      region,
      credentials: { ...credentials },
    });
    return {
      read: async () =>
        JSON.parse((await client.send(new GetSecretValueCommand({ SecretId: backendName }))).SecretString!),
      close: () => client.destroy(),
    };
  },
});
