// GCP Secret Manager emulator: start options, outages (suspend/resume) and injected faults.
import { createServer } from "node:net";
import { SecretManagerServiceClient } from "@google-cloud/secret-manager";
import { createBackoffSettings, createRetryOptions, googleAuthLibrary, grpc } from "google-gax";
import { afterEach, describe, expect, it } from "vitest";
import { type GcpEmulator, start, startGcpEmulator } from "../src/gcp/index.js";

process.env.METADATA_SERVER_DETECTION = "none";

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

function connect(emulator: GcpEmulator): SecretManagerServiceClient {
  const client = new SecretManagerServiceClient({
    apiEndpoint: "127.0.0.1",
    port: emulator.port,
    sslCreds: grpc.credentials.createInsecure(),
    authClient: new googleAuthLibrary.PassThroughClient(),
    // Reconnect quickly after an outage instead of grpc-js's default 1 s-and-up backoff.
    "grpc.initial_reconnect_backoff_ms": 50,
    "grpc.max_reconnect_backoff_ms": 200,
  });
  cleanup.push(() => client.close());
  return client;
}

async function started(options: Parameters<typeof startGcpEmulator>[0] = {}): Promise<GcpEmulator> {
  const emulator = await startGcpEmulator(options);
  cleanup.push(() => emulator.stop());
  return emulator;
}

async function codeOf(call: Promise<unknown>): Promise<number | undefined> {
  try {
    await call;
  } catch (error) {
    return (error as { code?: number }).code;
  }
  throw new Error("expected the call to fail");
}

const noRetry = { retry: createRetryOptions([], createBackoffSettings(1, 1, 1, 5000, 1, 5000, 5000)) };
const quickRetry = {
  retry: createRetryOptions(
    [grpc.status.UNAVAILABLE, grpc.status.RESOURCE_EXHAUSTED],
    createBackoffSettings(10, 1, 10, 5000, 1, 5000, 5000),
  ),
};

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function secretWithVersion(client: SecretManagerServiceClient): Promise<string> {
  const [secret] = await client.createSecret({
    parent: "projects/p",
    secretId: "s",
    secret: { replication: { automatic: {} } },
  });
  await client.addSecretVersion({ parent: secret.name, payload: { data: Buffer.from("fake-password-1") } });
  return secret.name!;
}

describe("starting", () => {
  it("binds 127.0.0.1 on a free port by default, and start is the same function", async () => {
    expect(start).toBe(startGcpEmulator);
    const emulator = await started();
    expect(emulator.url).toBe(`127.0.0.1:${emulator.port}`);
    expect(emulator.port).toBeGreaterThan(0);
  });

  it("listens on the port it is given", async () => {
    const port = await freePort();
    const emulator = await started({ port });
    expect(emulator.port).toBe(port);
    const [secrets] = await connect(emulator).listSecrets({ parent: "projects/p" });
    expect(secrets).toEqual([]);
  });

  it("with projectId, another project is PERMISSION_DENIED as GCP answers for projects you cannot see", async () => {
    const client = connect(await started({ projectId: "only-this" }));
    const [secrets] = await client.listSecrets({ parent: "projects/only-this" });
    expect(secrets).toEqual([]);
    expect(await codeOf(client.listSecrets({ parent: "projects/someone-else" }))).toBe(
      grpc.status.PERMISSION_DENIED,
    );
  });

  it("RPCs the emulator does not implement (managed Cloud SQL rotation) are UNIMPLEMENTED", async () => {
    const client = connect(await started());
    expect(await codeOf(client.rotateSecret({ parent: "projects/p/secrets/s" }))).toBe(
      grpc.status.UNIMPLEMENTED,
    );
  });
});

describe("suspend and resume", () => {
  it("while suspended calls fail UNAVAILABLE; after resume the same client works and all state is kept", async () => {
    const emulator = await started();
    const client = connect(emulator);
    const secret = await secretWithVersion(client);

    await emulator.suspend();
    expect(await codeOf(client.getSecret({ name: secret }))).toBe(grpc.status.UNAVAILABLE);
    expect(await codeOf(client.accessSecretVersion({ name: `${secret}/versions/1` }, noRetry))).toBe(
      grpc.status.UNAVAILABLE,
    );

    await emulator.resume();
    // The channel reconnects on its own schedule; poll a bounded number of times.
    let data: string | undefined;
    for (let attempt = 0; attempt < 50 && data === undefined; attempt++) {
      try {
        const [accessed] = await client.accessSecretVersion({ name: `${secret}/versions/1` }, noRetry);
        data = Buffer.from(accessed.payload?.data as Uint8Array).toString();
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    expect(data).toBe("fake-password-1");
  });

  it("stop is final: resume afterwards throws", async () => {
    const emulator = await startGcpEmulator();
    await emulator.stop();
    await expect(emulator.resume()).rejects.toThrow(/stopped/);
  });
});

describe("fault injection", () => {
  it("failNext(n) makes exactly the next n calls UNAVAILABLE", async () => {
    const emulator = await started();
    const client = connect(emulator);
    emulator.failNext(2);
    expect(await codeOf(client.listSecrets({ parent: "projects/p" }))).toBe(grpc.status.UNAVAILABLE);
    expect(await codeOf(client.getSecret({ name: "projects/p/secrets/x" }))).toBe(grpc.status.UNAVAILABLE);
    expect(await codeOf(client.getSecret({ name: "projects/p/secrets/x" }))).toBe(grpc.status.NOT_FOUND);
  });

  it("a fault can be RESOURCE_EXHAUSTED and limited to one RPC", async () => {
    const emulator = await started();
    const client = connect(emulator);
    const secret = await secretWithVersion(client);
    emulator.failNext(1, { code: "RESOURCE_EXHAUSTED", methods: ["AccessSecretVersion"] });
    const [got] = await client.getSecret({ name: secret });
    expect(got.name).toBe(secret);
    const error = await client.accessSecretVersion({ name: `${secret}/versions/1` }, noRetry).catch((e) => e);
    expect(error.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(error.details).toMatch(/Quota exceeded/);
    const [accessed] = await client.accessSecretVersion({ name: `${secret}/versions/1` }, noRetry);
    expect(accessed.name).toBe(`${secret}/versions/1`);
  });

  it("the client's own retry of AccessSecretVersion rides out injected faults", async () => {
    const emulator = await started();
    const client = connect(emulator);
    const secret = await secretWithVersion(client);
    emulator.failNext(2, { code: "UNAVAILABLE" });
    emulator.failNext(1, { code: "RESOURCE_EXHAUSTED" });
    expect(emulator.pendingFaults).toBe(3);
    const [accessed] = await client.accessSecretVersion({ name: `${secret}/versions/1` }, quickRetry);
    expect(Buffer.from(accessed.payload?.data as Uint8Array).toString()).toBe("fake-password-1");
    expect(emulator.pendingFaults).toBe(0);
  });

  it("clearFaults drops faults not yet consumed", async () => {
    const emulator = await started();
    const client = connect(emulator);
    emulator.failNext(5);
    emulator.clearFaults();
    const [secrets] = await client.listSecrets({ parent: "projects/p" });
    expect(secrets).toEqual([]);
  });
});
