// Azure Key Vault emulator: start options, outages (suspend/resume) and injected faults.
import { createServer } from "node:net";
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { SecretClient, type SecretClientOptions } from "@azure/keyvault-secrets";
import { afterEach, describe, expect, it } from "vitest";
import { type AzureEmulator, start, startAzureEmulator } from "../src/azure/index.js";

const credential: TokenCredential = {
  async getToken(): Promise<AccessToken> {
    return { token: "not-a-real-token", expiresOnTimestamp: Date.now() + 3_600_000 };
  },
};

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function started(options: Parameters<typeof startAzureEmulator>[0] = {}): Promise<AzureEmulator> {
  const emulator = await startAzureEmulator(options);
  cleanup.push(() => emulator.stop());
  return emulator;
}

function clientFor(emulator: AzureEmulator, extra: SecretClientOptions = {}): SecretClient {
  return new SecretClient(emulator.url, credential, {
    disableChallengeResourceVerification: true,
    tlsOptions: { ca: emulator.certificatePem },
    retryOptions: { maxRetries: 0 },
    ...extra,
  });
}

interface RestFailure {
  statusCode?: number;
  code?: string;
  response?: { headers: { get(name: string): string | undefined } };
}

async function failure(call: Promise<unknown>): Promise<RestFailure> {
  try {
    await call;
  } catch (error) {
    return error as RestFailure;
  }
  throw new Error("expected the call to fail");
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("starting", () => {
  it("serves https on 127.0.0.1 on a free port by default, and start is the same function", async () => {
    expect(start).toBe(startAzureEmulator);
    const emulator = await started();
    expect(emulator.url).toBe(`https://127.0.0.1:${emulator.port}`);
    expect(emulator.certificatePem).toMatch(/^-----BEGIN CERTIFICATE-----/);
  });

  it("listens on the port it is given", async () => {
    const port = await freePort();
    const emulator = await started({ port });
    expect(emulator.port).toBe(port);
    await clientFor(emulator).setSecret("s", "fake-password-1");
  });

  it("without trusting the generated certificate the client refuses the connection", async () => {
    const emulator = await started();
    const untrusting = new SecretClient(emulator.url, credential, {
      disableChallengeResourceVerification: true,
      retryOptions: { maxRetries: 0 },
    });
    const error = (await failure(untrusting.getSecret("s"))) as RestFailure & { message: string };
    expect(error.statusCode).toBeUndefined();
    expect(error.message).toMatch(/self[- ]signed certificate/i);
  });

  it("each emulator generates its own certificate", async () => {
    const a = await started();
    const b = await started();
    expect(a.certificatePem).not.toBe(b.certificatePem);
  });
});

describe("suspend and resume", () => {
  it("while suspended requests fail to connect; after resume the same client works and all state is kept", async () => {
    const emulator = await started();
    const client = clientFor(emulator);
    await client.setSecret("kept", "fake-password-1");

    await emulator.suspend();
    const error = (await failure(client.getSecret("kept"))) as RestFailure & { message: string };
    expect(error.statusCode).toBeUndefined();
    expect(error.code).toMatch(/^(ECONNREFUSED|ECONNRESET)$/);

    await emulator.resume();
    expect((await client.getSecret("kept")).value).toBe("fake-password-1");
    await emulator.resume(); // resuming a running emulator is a no-op
    expect((await client.getSecret("kept")).value).toBe("fake-password-1");
  });

  it("stop is final: resume afterwards throws", async () => {
    const emulator = await startAzureEmulator();
    await emulator.stop();
    await expect(emulator.resume()).rejects.toThrow(/stopped/);
  });
});

describe("fault injection", () => {
  it("failNext(n) makes exactly the next n requests 503 ServiceUnavailable", async () => {
    const emulator = await started();
    const client = clientFor(emulator);
    await client.setSecret("s", "fake-password-1");
    emulator.failNext(2);
    for (let i = 0; i < 2; i++) {
      const error = await failure(client.getSecret("s"));
      expect(error.statusCode).toBe(503);
      expect(error.code).toBe("ServiceUnavailable");
    }
    expect((await client.getSecret("s")).value).toBe("fake-password-1");
  });

  it("a 429 fault is Throttled and carries Retry-After", async () => {
    const emulator = await started();
    const client = clientFor(emulator);
    await client.setSecret("s", "fake-password-1");
    emulator.failNext(1, { status: 429, retryAfterSeconds: 7 });
    const error = await failure(client.getSecret("s"));
    expect(error.statusCode).toBe(429);
    expect(error.code).toBe("Throttled");
    expect(error.response?.headers.get("retry-after")).toBe("7");
  });

  it("the challenge round trip of a new client does not consume a fault", async () => {
    const emulator = await started();
    emulator.failNext(1);
    const fresh = clientFor(emulator);
    expect((await failure(fresh.setSecret("s", "fake-password-1"))).statusCode).toBe(503);
    await fresh.setSecret("s", "fake-password-1");
    expect((await fresh.getSecret("s")).value).toBe("fake-password-1");
  });

  it("the client's own retry policy rides out injected 503s and 429s", async () => {
    const emulator = await started();
    const client = clientFor(emulator, {
      retryOptions: { maxRetries: 3, retryDelayInMs: 5, maxRetryDelayInMs: 20 },
    });
    await client.setSecret("s", "fake-password-1");
    emulator.failNext(1);
    emulator.failNext(1, { status: 429, retryAfterSeconds: 0 });
    expect(emulator.pendingFaults).toBe(2);
    expect((await client.getSecret("s")).value).toBe("fake-password-1");
    expect(emulator.pendingFaults).toBe(0);
  });

  it("clearFaults drops faults not yet consumed", async () => {
    const emulator = await started();
    const client = clientFor(emulator);
    emulator.failNext(3);
    emulator.clearFaults();
    expect(emulator.pendingFaults).toBe(0);
    await client.setSecret("s", "fake-password-1");
  });
});
