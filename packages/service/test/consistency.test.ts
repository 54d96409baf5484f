// Metadata and values live in two systems with no transaction across them. A fault injected
// before each step of create, update and delete (with the compensation failing too, as in a
// crash) must leave a state that reconcile() repairs, with nothing acknowledged lost and nothing
// left behind.
import { BackendUnavailableError, type SecretValues } from "@coffer/core";
import type { MemoryStore } from "@coffer/store-memory";
import { describe, expect, it } from "vitest";
import type { SecretsService, ServiceHooks } from "../src/index.js";
import { memoryService, sqliteUrl } from "./helpers.js";

const alice = { id: "alice" };

/** Hooks that make chosen steps fail, as if the process died or a system went away there. */
function faultyHooks() {
  const failing = new Set<string>();
  return {
    failAt(...steps: string[]) {
      failing.clear();
      for (const step of steps) failing.add(step);
    },
    beforeStep(step: string) {
      if (failing.has(step)) throw new Error(`injected fault before ${step}`);
    },
  };
}

async function setUp() {
  const hooks = faultyHooks();
  const { service, store } = await memoryService(sqliteUrl(), {}, { hooks });
  return { service, store, hooks };
}

/** After repair: every listed secret has its values, the store holds nothing else, and a second reconcile has nothing to do. */
async function expectConsistent(service: SecretsService, store: MemoryStore) {
  const listed = (await service.list(alice, { limit: 1000 })).items;
  for (const item of listed) {
    const secret = await service.get(alice, { id: item.id });
    expect([...secret.keys].sort()).toEqual([...item.keys].sort());
  }
  expect(store.size).toBe(listed.length);
  const again = await service.reconcile({ olderThanMs: 0 });
  expect(again).toEqual({
    completedCreates: [],
    rolledBackCreates: [],
    completedUpdates: [],
    completedDeletes: [],
    failed: [],
  });
}

async function withFaults(
  _service: SecretsService,
  hooks: ReturnType<typeof faultyHooks>,
  steps: string[],
  work: () => Promise<unknown>,
) {
  hooks.failAt(...steps);
  await expect(work()).rejects.toThrow(/injected fault/);
  hooks.failAt();
}

describe("create interrupted at each step", () => {
  it("before the row is written: nothing exists, nothing to repair", async () => {
    const { service, store, hooks } = await setUp();
    await withFaults(service, hooks, ["create.insert-pending"], () =>
      service.create(alice, { name: "db", values: { k: "fake" } }),
    );
    await expectConsistent(service, store);
    expect(store.size).toBe(0);
  });

  it("before the values are stored, with no compensation: reconcile rolls the create back and frees the name", async () => {
    const { service, store, hooks } = await setUp();
    await withFaults(service, hooks, ["create.store-values", "create.compensate"], () =>
      service.create(alice, { name: "db", values: { k: "fake" } }),
    );
    expect((await service.list(alice)).items).toEqual([]);
    const report = await service.reconcile({ olderThanMs: 0 });
    expect(report.rolledBackCreates).toHaveLength(1);
    await expectConsistent(service, store);
    await service.create(alice, { name: "db", values: { k: "fake-again" } });
  });

  it("after the values are stored, with no compensation: reconcile completes the create with its values", async () => {
    const { service, store, hooks } = await setUp();
    await withFaults(service, hooks, ["create.mark-active", "create.compensate"], () =>
      service.create(alice, { name: "db", values: { k: "fake" } }),
    );
    const report = await service.reconcile({ olderThanMs: 0 });
    expect(report.completedCreates).toHaveLength(1);
    expect((await service.get(alice, { name: "db" })).values).toEqual({ k: "fake" });
    await expectConsistent(service, store);
  });

  it("when the store fails, the create is undone at once", async () => {
    const { service, store } = await setUp();
    store.injectFault("create");
    await expect(service.create(alice, { name: "db", values: { k: "fake" } })).rejects.toBeInstanceOf(
      BackendUnavailableError,
    );
    await expectConsistent(service, store);
    await service.create(alice, { name: "db", values: { k: "fake" } });
  });
});

describe("update interrupted at each step", () => {
  const original: SecretValues = { user: "fake-user", password: "fake-old" };

  async function withSecret() {
    const context = await setUp();
    const created = await context.service.create(alice, { name: "db", values: original });
    return { ...context, id: created.id };
  }

  it.each(["update.lock"])("at %s: nothing changed", async (step) => {
    const { service, store, hooks, id } = await withSecret();
    await withFaults(service, hooks, [step], () =>
      service.update(alice, { id }, { values: { password: "fake-new" } }),
    );
    expect((await service.get(alice, { id })).values).toEqual(original);
    expect((await service.getMetadata(alice, { id })).version).toBe(1);
    await expectConsistent(service, store);
  });

  it.each(["update.read-values", "update.store-values"])(
    "at %s with no compensation: reconcile settles on the values the store holds (the old ones), nothing lost",
    async (step) => {
      const { service, store, hooks, id } = await withSecret();
      await withFaults(service, hooks, [step, "update.compensate"], () =>
        service.update(alice, { id }, { values: { password: "fake-new" } }),
      );
      const report = await service.reconcile({ olderThanMs: 0 });
      expect(report.completedUpdates).toEqual([id]);
      const after = await service.get(alice, { id });
      expect(after.values).toEqual(original);
      expect(after.version).toBe(2);
      await expectConsistent(service, store);
    },
  );

  it("after the values are stored: reconcile commits the new values", async () => {
    const { service, store, hooks, id } = await withSecret();
    await withFaults(service, hooks, ["update.commit"], () =>
      service.update(alice, { id }, { values: { password: "fake-new" } }),
    );
    // Readers see the new values already; the metadata catches up on repair.
    const report = await service.reconcile({ olderThanMs: 0 });
    expect(report.completedUpdates).toEqual([id]);
    const after = await service.get(alice, { id });
    expect(after.values).toEqual({ ...original, password: "fake-new" });
    expect(after.version).toBe(2);
    await expectConsistent(service, store);
  });

  it("a store outage during the write leaves the update to reconcile, which finishes it once the store is back", async () => {
    let outageDone = false;
    const hooks: ServiceHooks = {
      beforeStep(step) {
        // The store goes away just as the new values are written, and stays away while the
        // service tries to find out whether they landed.
        if (step === "update.store-values" && !outageDone) {
          outageDone = true;
          store.injectFault("update");
          store.injectFault("get");
        }
      },
    };
    const { service, store } = await memoryService(sqliteUrl(), {}, { hooks });
    const { id } = await service.create(alice, { name: "db", values: original });
    await expect(service.update(alice, { id }, { values: { password: "fake-new" } })).rejects.toBeInstanceOf(
      BackendUnavailableError,
    );
    // The store is back: the next writer after the lease repairs first, then applies its change.
    const report = await service.reconcile({ olderThanMs: 0 });
    expect(report.completedUpdates).toEqual([id]);
    await service.update(alice, { id }, { values: { password: "fake-newer" } });
    expect((await service.get(alice, { id })).values.password).toBe("fake-newer");
    await expectConsistent(service, store);
  });

  it("a store that refuses the write definitely (too large) unlocks at once and changes nothing", async () => {
    const { service, store, id } = await withSecret();
    store.injectFault("update", new (await import("@coffer/core")).ValueTooLargeError("refused"));
    await expect(service.update(alice, { id }, { values: { password: "fake-new" } })).rejects.toThrow(
      /refused/,
    );
    const after = await service.get(alice, { id });
    expect(after.version).toBe(1);
    expect(after.values).toEqual(original);
    await expectConsistent(service, store);
  });

  it("a writer that meets an update abandoned past its lease repairs it and goes on", async () => {
    let now = 1_000_000;
    const hooks = faultyHooks();
    hooks.failAt("update.commit");
    const { service, store } = await memoryService(
      sqliteUrl(),
      {},
      { hooks, clock: () => now, leaseMs: 5_000 },
    );
    const { id } = await service.create(alice, { name: "db", values: original });
    await expect(service.update(alice, { id }, { values: { password: "fake-new" } })).rejects.toThrow(
      /injected/,
    );
    hooks.failAt();
    now += 10_000;
    const meta = await service.update(alice, { id }, { values: { user: "fake-user-2" } });
    expect(meta.version).toBe(3);
    expect((await service.get(alice, { id })).values).toEqual({ user: "fake-user-2", password: "fake-new" });
    await expectConsistent(service, store);
  });
});

describe("delete interrupted at each step", () => {
  async function withSecret() {
    const context = await setUp();
    const created = await context.service.create(alice, { name: "db", values: { k: "fake" } });
    return { ...context, id: created.id };
  }

  it("before the row is marked: nothing changed", async () => {
    const { service, store, hooks, id } = await withSecret();
    await withFaults(service, hooks, ["delete.mark"], () => service.delete(alice, { id }));
    expect((await service.get(alice, { id })).values).toEqual({ k: "fake" });
    await expectConsistent(service, store);
  });

  it.each(["delete.store-delete", "delete.remove-row"])(
    "at %s: the secret is gone for readers at once and reconcile finishes the delete",
    async (step) => {
      const { service, store, hooks, id } = await withSecret();
      await withFaults(service, hooks, [step], () => service.delete(alice, { id }));
      await expect(service.get(alice, { id })).rejects.toThrow(/No secret/);
      const report = await service.reconcile({ olderThanMs: 0 });
      expect(report.completedDeletes).toEqual([id]);
      await expectConsistent(service, store);
      expect(store.size).toBe(0);
      await service.create(alice, { name: "db", values: { k: "fake-again" } });
    },
  );
});

describe("reconcile", () => {
  it("leaves recent writes alone (they may still be in flight) and reports what it could not repair", async () => {
    const { service, store, hooks } = await setUp();
    await withFaults(service, hooks, ["create.mark-active", "create.compensate"], () =>
      service.create(alice, { name: "db", values: { k: "fake" } }),
    );
    expect((await service.reconcile()).completedCreates).toEqual([]);
    store.injectFault("getMany");
    const report = await service.reconcile({ olderThanMs: 0 });
    expect(report.failed).toEqual([{ id: expect.any(String), code: "BACKEND_UNAVAILABLE" }]);
    expect((await service.reconcile({ olderThanMs: 0 })).completedCreates).toHaveLength(1);
  });
});

describe("two repairs of one row at once", () => {
  // Replicas on PostgreSQL or MySQL serialize reconcile with a database lock (deployment-lock.ts);
  // SQLite takes none, and a writer's lazy repair can meet a reconcile anyway. Whoever loses the
  // race must not record the repair a second time.
  it("an interrupted update is completed once: one report, one history entry for the version", async () => {
    // Every store call takes 50 ms, so both reconciles find the row before either repairs it.
    const hooks = faultyHooks();
    const { service } = await memoryService(sqliteUrl(), { latencyMs: 50 }, { hooks });
    const { id } = await service.create(alice, { name: "db", values: { k: "fake-old" } });
    await withFaults(service, hooks, ["update.store-values", "update.compensate"], () =>
      service.update(alice, { id }, { values: { k: "fake-new" } }),
    );
    const reports = await Promise.all([
      service.reconcile({ olderThanMs: 0 }),
      service.reconcile({ olderThanMs: 0 }),
    ]);
    expect(reports.flatMap((report) => report.completedUpdates)).toEqual([id]);
    const history = await service.history(alice, { id });
    expect(history.versions.map((entry) => entry.version).sort()).toEqual([1, 2]);
  });
});

describe("a name held by a create that never finished", () => {
  it("is reported as such, and is free again once reconcile rolls the create back", async () => {
    const { service, store, hooks } = await setUp();
    await withFaults(service, hooks, ["create.store-values", "create.compensate"], () =>
      service.create(alice, { name: "db", values: { k: "fake" } }),
    );
    await expect(service.create(alice, { name: "db", values: { k: "again" } })).rejects.toThrow(
      /An earlier create of 'db' did not finish, and still holds the name\./,
    );
    await service.reconcile({ olderThanMs: 0 });
    await service.create(alice, { name: "db", values: { k: "again" } });
    await expectConsistent(service, store);
  });
});
