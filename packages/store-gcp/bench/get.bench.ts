// getSecret by name through Coffer (service + SQLite metadata + the gcp store) against the raw
// AccessSecretVersion("latest") + JSON.parse of the payload an application would call instead;
// the shared driver (packages/service/bench/get-driver.ts) runs it warm and as a new process's
// first read, over plain-text gRPC and gRPC over TLS, with the emulator in a process of its own.
import { runGetBench } from "../../service/bench/get-driver.ts";

const project = "coffer-bench";

await runGetBench({
  emulator: "gcp",
  rawLabel: "AccessSecretVersion(latest) + JSON.parse",
  async store(endpoint) {
    const { GcpStore } = await import("@coffer/store-gcp");
    const { googleAuthLibrary, grpc } = await import("google-gax");
    const address = { project, apiEndpoint: endpoint.host, port: endpoint.port };
    // http: `insecure`, as an operator configures an emulator. https: the channel trusts the
    // private CA and the auth client sends no credentials (an embedder's injections), so that
    // neither side looks up application default credentials.
    if (endpoint.ca === undefined) return (context) => new GcpStore({ ...address, insecure: true }, context);
    const injections = {
      authClient: new googleAuthLibrary.PassThroughClient(),
      clientOptions: { sslCreds: grpc.credentials.createSsl(Buffer.from(endpoint.ca)) },
    };
    return (context) => new GcpStore(address, context, injections);
  },
  async raw(endpoint, backendName) {
    const { SecretManagerServiceClient } = await import("@google-cloud/secret-manager");
    const { googleAuthLibrary, grpc } = await import("google-gax");
    const client = new SecretManagerServiceClient({
      projectId: project,
      apiEndpoint: endpoint.host,
      port: endpoint.port,
      sslCreds:
        endpoint.ca === undefined
          ? grpc.credentials.createInsecure()
          : grpc.credentials.createSsl(Buffer.from(endpoint.ca)),
      authClient: new googleAuthLibrary.PassThroughClient(),
    });
    const latest = `${backendName}/versions/latest`;
    return {
      async read() {
        const [response] = await client.accessSecretVersion({ name: latest });
        return JSON.parse(Buffer.from(response.payload!.data as Uint8Array).toString("utf8")).values;
      },
      close: () => client.close(),
    };
  },
});
