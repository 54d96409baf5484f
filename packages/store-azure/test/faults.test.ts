// Deadlines and injected faults: typed, retryable errors, and the client's own retries.
// Always against an in-process emulator, whose fault hooks these tests drive.
import { createServer, type Socket } from "node:net";
import { BackendUnavailableError, newSecretId, SecretNotFoundError, type SecretsStore } from "@coffer/core";
import type { AzureEmulator } from "@coffer/emulators";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type AzureBackend, FakeCredential, sample, startBackend, storeFor } from "./helpers.js";

let target: AzureBackend;
let emulator: AzureEmulator;
const stores: SecretsStore[] = [];

beforeAll(async () => {
  target = await startBackend({ inProcess: true });
  emulator = target.emulator!;
});

afterEach(() => emulator.clearFaults());

afterAll(async () => {
  for (const store of stores) await store.close();
  await target?.stop();
});

function open(...args: Parameters<typeof storeFor>) {
  const store = storeFor(...args);
  stores.push(store);
  return store;
}

// An outage (every operation failing, then the same store recovering) is case O1 of the outage
// suite in service-faults.test.ts.
describe("deadlines", () => {
  it("a vault that accepts connections but never answers fails within timeoutMs, retryably", async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as { port: number };
    const store = open({ url: `https://127.0.0.1:${port}`, ca: target.ca }, { timeoutMs: 300 });
    try {
      await expect(store.get(newSecretId())).rejects.toBeInstanceOf(BackendUnavailableError);
      expect(await store.health()).toMatchObject({ status: "error", errorCode: "BACKEND_UNAVAILABLE" });
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

describe("injected faults", () => {
  it("503 on a write is BackendUnavailableError and writes nothing; the next call works", async () => {
    const store = open(target);
    const id = newSecretId();
    await store.init(); // the challenge round trip happens first, so the fault hits a real request
    emulator.failNext(2);
    await expect(store.create(id, sample)).rejects.toBeInstanceOf(BackendUnavailableError);
    await expect(store.create(id, sample)).rejects.toBeInstanceOf(BackendUnavailableError);
    await expect(store.get(id)).rejects.toBeInstanceOf(SecretNotFoundError);
    await store.create(id, sample);
    expect(await store.get(id)).toEqual(sample);
    await store.delete(id);
  });

  it("429 throttling is BackendUnavailableError, retryable", async () => {
    const store = open(target);
    const id = newSecretId();
    await store.create(id, sample);
    emulator.failNext(1, { status: 429, retryAfterSeconds: 1 });
    const error = await store.get(id).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect(error).toMatchObject({ retryable: true, details: { httpStatus: 429 } });
    expect(await store.get(id)).toEqual(sample);
    await store.delete(id);
  });

  it("with the client's default retry policy, a single 503 is ridden out", async () => {
    const store = open(target, {}, "test-deployment", {
      credential: new FakeCredential(),
      pollIntervalMs: 10,
    });
    const id = newSecretId();
    await store.create(id, sample);
    emulator.failNext(1);
    expect(await store.get(id)).toEqual(sample);
    expect(emulator.pendingFaults).toBe(0);
    await store.delete(id);
  });
});
