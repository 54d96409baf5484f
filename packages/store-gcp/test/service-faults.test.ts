// A SecretsService over the gcp store while Secret Manager goes away: reads and writes fail with a
// typed, retryable error (listing goes on: metadata is local), the same service works again once
// the emulator is back, and reconcile() repairs exactly the writes an outage left half-done, so
// that nothing stays half-written. Always against an in-process emulator, whose fault hooks these
// tests drive; the store makes one attempt per call (testInjections), so failures show at once.
import { setTimeout as sleep } from "node:timers/promises";
import { BackendUnavailableError, type SecretValues } from "@coffer/core";
import type { GcpEmulator } from "@coffer/emulators";
import type { SecretsService, ServiceHooks } from "@coffer/service";
import type { SecretManagerServiceClient } from "@google-cloud/secret-manager";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { GcpSecretManagerStore } from "../src/index.js";
import { type GcpTarget, noRetry, PROJECT, rawClient, serviceOver, startTarget } from "./helpers.js";

let target: GcpTarget;
let emulator: GcpEmulator;
let raw: SecretManagerServiceClient;
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  target = await startTarget({ inProcess: true });
  emulator = target.emulator!;
  raw = rawClient(target);
});

afterEach(async () => {
  emulator.clearFaults();
  await emulator.resume();
});

afterAll(async () => {
  for (const close of closers) await close();
  await raw?.close();
  await target?.stop();
});

const alice = { id: "alice" };
const nothingToRepair = {
  completedCreates: [],
  rolledBackCreates: [],
  completedUpdates: [],
  completedDeletes: [],
  failed: [],
};

async function open(hooks?: ServiceHooks) {
  const opened = await serviceOver(target, hooks ? { hooks } : {});
  closers.push(opened.close);
  return opened;
}

/** Hooks that suspend the emulator just before `step` (once), and optionally fail that step, as in a crash. */
function outageAt(step: string, options: { failStep?: boolean } = {}) {
  let done = false;
  const ids: string[] = [];
  const hooks: ServiceHooks = {
    async beforeStep(current, id) {
      if (current !== step || done) return;
      done = true;
      ids.push(id);
      await emulator.suspend();
      if (options.failStep) throw new Error(`simulated crash before ${step}`);
    },
  };
  return { hooks, ids };
}

async function expectUnavailable(attempt: Promise<unknown>): Promise<void> {
  const error = await attempt.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(BackendUnavailableError);
  expect((error as BackendUnavailableError).retryable).toBe(true);
}

/** Retries `fn` until it succeeds, at most `attempts` times 50 ms apart (gRPC reconnects with a backoff). */
async function eventually<T>(fn: () => Promise<T>, attempts = 100): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (error) {
      if (i >= attempts) throw error;
      await sleep(50);
    }
  }
}

/** Waits until the store answers again (gRPC reconnects with a short backoff after an outage). */
async function backAgain(store: GcpSecretManagerStore): Promise<void> {
  await eventually(async () => {
    const report = await store.health();
    if (report.status !== "ready") throw new Error(report.message);
  });
}

/** The Secret Manager secrets this service's store holds (by their resource names). */
async function secretsInProject(store: GcpSecretManagerStore, ids: string[]): Promise<string[]> {
  const [secrets] = await raw.listSecrets(
    { parent: `projects/${PROJECT}` },
    { ...noRetry, autoPaginate: true },
  );
  const ours = new Set(ids.map((id) => store.resourceName(id)));
  return secrets.map((secret) => secret.name ?? "").filter((name) => ours.has(name));
}

/**
 * Nothing half-written: the service lists exactly `expected`, each secret reads back with those
 * values and keys, Secret Manager holds a secret for each of them and for none of `gone`, and a
 * second reconcile has nothing to do.
 */
async function expectConsistent(
  service: SecretsService,
  store: GcpSecretManagerStore,
  expected: Record<string, SecretValues>,
  gone: string[] = [],
) {
  const listed = (await service.list(alice, { limit: 100 })).items;
  expect(listed.map((item) => item.name).sort()).toEqual(Object.keys(expected).sort());
  for (const item of listed) {
    const secret = await service.get(alice, { id: item.id });
    expect(secret.values).toEqual(expected[item.name]);
    expect([...item.keys].sort()).toEqual(Object.keys(expected[item.name]!).sort());
  }
  const ids = listed.map((item) => item.id);
  expect((await secretsInProject(store, [...ids, ...gone])).sort()).toEqual(
    ids.map((id) => store.resourceName(id)).sort(),
  );
  expect(await service.reconcile({ olderThanMs: 0 })).toEqual(nothingToRepair);
}

describe("a service over the gcp store, through an outage", () => {
  it("fails reads and writes with a retryable BackendUnavailableError, lists on, and recovers; reconcile settles what was cut short", async () => {
    const creates: string[] = [];
    const { service, store } = await open({
      beforeStep(step, id) {
        if (step === "create.store-values") creates.push(id);
      },
    });
    const kept = await service.create(alice, { name: "kept", values: { password: "fake-password-1" } });
    const doomed = await service.create(alice, { name: "doomed", values: { token: "fake-token-1" } });

    await emulator.suspend();
    await expectUnavailable(service.get(alice, { name: "kept" }));
    await expectUnavailable(service.create(alice, { name: "born", values: { key: "fake-key-1" } }));
    await expectUnavailable(
      service.update(alice, { name: "kept" }, { values: { password: "fake-password-2" } }),
    );
    await expectUnavailable(service.delete(alice, { name: "doomed" }));
    await expectUnavailable(service.resolveReferences(alice, { url: "{{kept.password}}" }));

    // Metadata is local: listing and metadata reads go on. The failed create and the interrupted
    // delete are invisible; the failed update was undone at once (its read of the values failed).
    expect((await service.list(alice)).items.map((item) => item.name)).toEqual(["kept"]);
    expect(await service.getMetadata(alice, { name: "kept" })).toMatchObject({ id: kept.id, version: 1 });
    expect(await service.validateReferences(alice, { url: "{{kept.password}}" })).toEqual([]);
    expect(await service.health()).toMatchObject({
      status: "error",
      metadata: { status: "ready" },
      store: { status: "error", errorCode: "BACKEND_UNAVAILABLE" },
    });

    await emulator.resume();
    await backAgain(store);
    expect((await service.get(alice, { name: "kept" })).values).toEqual({
      password: "fake-password-1",
    });
    // The create never reached Secret Manager, but its clean-up could not be sure of that during
    // the outage: reconcile rolls it back. The delete had marked its row: reconcile finishes it.
    // The get and the update changed nothing, so there is nothing of theirs to repair.
    expect(await service.reconcile({ olderThanMs: 0 })).toEqual({
      ...nothingToRepair,
      rolledBackCreates: creates.slice(-1),
      completedDeletes: [doomed.id],
    });

    // The same service object works again, the freed name included.
    await service.create(alice, { name: "born", values: { key: "fake-key-2" } });
    await service.update(alice, { name: "kept" }, { values: { password: "fake-password-3" } });
    expect((await service.health()).status).toBe("ready");
    await expectConsistent(
      service,
      store,
      { kept: { password: "fake-password-3" }, born: { key: "fake-key-2" } },
      [doomed.id, ...creates],
    );
  });

  it("an update cut off while writing the values: reconcile settles on what Secret Manager holds", async () => {
    const outage = outageAt("update.store-values");
    const { service, store } = await open(outage.hooks);
    const { id } = await service.create(alice, { name: "db", values: { password: "fake-old" } });
    await expectUnavailable(service.update(alice, { id }, { values: { password: "fake-new" } }));
    // The row stays locked (the service could not tell whether the write landed), still listed.
    expect((await service.list(alice)).items.map((item) => item.name)).toEqual(["db"]);
    await emulator.resume();
    await backAgain(store);
    const report = await service.reconcile({ olderThanMs: 0 });
    expect(report).toEqual({ ...nothingToRepair, completedUpdates: [id] });
    const after = await service.get(alice, { id });
    expect(after.values).toEqual({ password: "fake-old" });
    expect(after.version).toBe(2);
    await service.update(alice, { id }, { values: { password: "fake-newer" } });
    await expectConsistent(service, store, { db: { password: "fake-newer" } });
  });

  it("a create whose values landed just before a crash and an outage: reconcile completes it with those values", async () => {
    const outage = outageAt("create.mark-active", { failStep: true });
    const { service, store } = await open(outage.hooks);
    await expect(service.create(alice, { name: "db", values: { password: "fake-1" } })).rejects.toThrow(
      /simulated crash/,
    );
    expect((await service.list(alice)).items).toEqual([]);
    await emulator.resume();
    await backAgain(store);
    const report = await service.reconcile({ olderThanMs: 0 });
    expect(report).toEqual({ ...nothingToRepair, completedCreates: outage.ids });
    await expectConsistent(service, store, { db: { password: "fake-1" } });
  });

  it("a delete cut off before Secret Manager heard of it: gone for readers at once, finished by reconcile", async () => {
    const outage = outageAt("delete.store-delete");
    const { service, store } = await open(outage.hooks);
    const { id } = await service.create(alice, { name: "db", values: { password: "fake-1" } });
    await expectUnavailable(service.delete(alice, { id }));
    expect((await service.list(alice)).items).toEqual([]);
    await emulator.resume();
    await backAgain(store);
    const report = await service.reconcile({ olderThanMs: 0 });
    expect(report).toEqual({ ...nothingToRepair, completedDeletes: [id] });
    await expectConsistent(service, store, {}, [id]);
  });

  it("a create cut off between its two Secret Manager calls leaves no empty secret behind once reconciled", async () => {
    const creates: string[] = [];
    const { service, store } = await open({
      beforeStep(step, id) {
        if (step === "create.store-values") creates.push(id);
      },
    });
    // CreateSecret succeeds; AddSecretVersion fails, and so do the store's own roll-back and the
    // service's clean-up (both DeleteSecret): Secret Manager is left with a secret without versions.
    emulator.failNext(3, { methods: ["AddSecretVersion", "DeleteSecret"] });
    await expectUnavailable(service.create(alice, { name: "db", values: { password: "fake-1" } }));
    expect(await secretsInProject(store, creates)).toEqual(creates.map((id) => store.resourceName(id)));
    const report = await service.reconcile({ olderThanMs: 0 });
    expect(report).toEqual({ ...nothingToRepair, rolledBackCreates: creates });
    await expectConsistent(service, store, {}, creates);
    await service.create(alice, { name: "db", values: { password: "fake-2" } });
    await expectConsistent(service, store, { db: { password: "fake-2" } }, creates);
  });
});
