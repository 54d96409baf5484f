// Deadlines, injected faults and access: typed errors, retryable where a retry can succeed.
// Always against an in-process emulator, whose fault hooks these tests drive.
import {
  BackendAccessDeniedError,
  BackendUnavailableError,
  newSecretId,
  SecretNotFoundError,
  type SecretsStore,
} from "@coffer/core";
import { type GcpEmulator, startGcpEmulator } from "@coffer/emulators";
import { googleAuthLibrary } from "google-gax";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type GcpBackend, rawClient, sample, startBackend, storeFor } from "./helpers.js";

let target: GcpBackend;
let emulator: GcpEmulator;
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
  it("the store's own deadline bounds the client library's retries of reads", async () => {
    // No test call options here: the client's default policy retries AccessSecretVersion on
    // UNAVAILABLE for up to 600 s; timeoutMs cuts that short with a retryable error.
    const store = open(target, { timeoutMs: 300 }, "test-deployment", {
      authClient: new googleAuthLibrary.PassThroughClient(),
    });
    const id = newSecretId();
    await store.create(id, sample);
    emulator.failNext(1_000, { methods: ["AccessSecretVersion"] });
    await expect(store.get(id)).rejects.toBeInstanceOf(BackendUnavailableError);
    emulator.clearFaults();
    expect(await store.get(id)).toEqual(sample);
    await store.delete(id);
  });
});

describe("injected faults", () => {
  it("UNAVAILABLE on a write is BackendUnavailableError and writes nothing; the next call works", async () => {
    const store = open(target);
    const id = newSecretId();
    emulator.failNext(1, { methods: ["CreateSecret"] });
    await expect(store.create(id, sample)).rejects.toBeInstanceOf(BackendUnavailableError);
    await expect(store.get(id)).rejects.toBeInstanceOf(SecretNotFoundError);
    await store.create(id, sample);
    expect(await store.get(id)).toEqual(sample);
    await store.delete(id);
  });

  it("RESOURCE_EXHAUSTED (quota) on a read is BackendUnavailableError, retryable", async () => {
    const store = open(target);
    const id = newSecretId();
    await store.create(id, sample);
    emulator.failNext(1, { code: "RESOURCE_EXHAUSTED", methods: ["AccessSecretVersion"] });
    const error = await store.get(id).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect(error).toMatchObject({ retryable: true, details: { status: "RESOURCE_EXHAUSTED" } });
    expect(await store.get(id)).toEqual(sample);
    await store.delete(id);
  });

  it("a failed first version rolls the new secret back, so the id can be created again", async () => {
    const store = open(target);
    const raw = rawClient(target);
    const id = newSecretId();
    emulator.failNext(1, { methods: ["AddSecretVersion"] });
    await expect(store.create(id, sample)).rejects.toBeInstanceOf(BackendUnavailableError);
    await expect(raw.getSecret({ name: store.nameOf(id) })).rejects.toMatchObject({ code: 5 });
    await store.create(id, sample);
    expect(await store.get(id)).toEqual(sample);
    await store.delete(id);
    await raw.close();
  });

  it("a failed clean-up does not fail the update that came before it", async () => {
    const store = open(target);
    const id = newSecretId();
    await store.create(id, { v: "1" });
    emulator.failNext(1, { methods: ["ListSecretVersions"] });
    await store.update(id, { v: "2" });
    expect(await store.get(id)).toEqual({ v: "2" });
    await store.delete(id);
  });
});

describe("access", () => {
  it("a project the identity cannot see is BackendAccessDeniedError at init, and health says so", async () => {
    const guarded = await startGcpEmulator({ projectId: "only-this-one" });
    const store = storeFor({ host: "127.0.0.1", port: guarded.port }, { project: "another-project" });
    try {
      await expect(store.init()).rejects.toBeInstanceOf(BackendAccessDeniedError);
      expect(await store.health()).toMatchObject({ status: "error", errorCode: "ACCESS_DENIED" });
    } finally {
      await store.close();
      await guarded.stop();
    }
  });
});
