/**
 * The outage cases: what a store and a service over it must do while the backend cannot be
 * reached, and how reconcile() repairs what an outage cut short, leaving nothing half-written.
 */
import { newSecretId, type SecretId, type SecretsSession, type SecretValues } from "@coffer/core";
import { assert } from "../assertions.js";
import { expectConsistent, recordingHooks, rejectsUnavailable, repaired, untilReady } from "./checks.js";
import type { OutageConformanceOptions, ServiceInOutage, StepHooks } from "./types.js";

export interface OutageCaseContext {
  options: OutageConformanceOptions;
  /**
   * Opens a service (closed after the case) whose hooks record every secret id it writes and run
   * `atStep` before each step of a write.
   */
  open(atStep?: StepAction): Promise<Opened>;
}

export interface Opened<Target extends ServiceInOutage = ServiceInOutage> {
  target: Target;
  alice: SecretsSession;
  /** Every secret id the service wrote so far. */
  ids: Set<SecretId>;
  /** The ids that reached `step`, in order. */
  idsAt(step: string): SecretId[];
  /** Ends the outage and waits until the store answers again. */
  recover(): Promise<void>;
}

/** Runs before a step of a write, in the service that `target` is. */
export type StepAction = (step: string, id: SecretId, target: ServiceInOutage) => void | Promise<void>;

export interface OutageCase {
  id: string;
  title: string;
  run(context: OutageCaseContext): Promise<void>;
}

/** Opens through `open`, recording ids; the caller closes `target`. */
export async function openRecorded<Target extends ServiceInOutage>(
  open: (hooks: StepHooks) => Promise<Target>,
  atStep?: StepAction,
): Promise<Opened<Target>> {
  let opened: Target | undefined;
  // No step runs before open() resolves, so the hooks always see the target.
  const recording = recordingHooks((step, id) => atStep?.(step, id, opened!));
  opened = await open(recording.hooks);
  return {
    target: opened,
    alice: opened.service.as({ id: "alice" }),
    ids: recording.ids,
    idsAt: recording.idsAt,
    async recover() {
      await opened!.outage.end();
      await untilReady(opened!.store);
    },
  };
}

const kept = { user: "fake-user", password: "fake-password-1" };
const old = { password: "fake-old" };

export const outageCases: OutageCase[] = [
  {
    id: "O1",
    title:
      "the store: every operation fails with a retryable BackendUnavailableError and health() says so; the same store works again after",
    async run({ open }) {
      const { target, recover } = await open();
      const { store } = target;
      const id = newSecretId();
      await store.create(id, kept);
      await target.outage.begin();
      await rejectsUnavailable(store.get(id), "get", kept);
      await rejectsUnavailable(store.getMany([id]), "getMany", kept);
      await rejectsUnavailable(store.create(newSecretId(), { k: "fake-value-2" }), "create", {
        k: "fake-value-2",
      });
      await rejectsUnavailable(store.update(id, { k: "fake-value-3" }), "update", { k: "fake-value-3" });
      await rejectsUnavailable(store.delete(id), "delete");
      await rejectsUnavailable(store.init(), "init");
      const health = await store.health();
      assert.equal(health.status, "error");
      assert.equal(health.errorCode, "BACKEND_UNAVAILABLE");

      await recover();
      assert.deepEqual(await store.get(id), kept, "the values after the outage");
      assert.equal((await store.health()).status, "ready");
      await store.update(id, { k: "fake-value-4" });
      assert.deepEqual(await store.get(id), { k: "fake-value-4" });
      await store.delete(id);
    },
  },
  {
    id: "O2",
    title:
      "the service: get, create, update, delete and resolving fail retryably without showing values, listing and metadata go on, the same service recovers, and reconcile finishes what was cut short",
    async run({ open }) {
      const { target, alice, ids, idsAt, recover } = await open();
      const { service } = target;
      const keptMeta = await alice.create({ name: "kept", values: kept });
      const changing = await alice.create({ name: "changing", values: old });
      const doomed = await alice.create({ name: "doomed", values: { token: "not-a-real-token" } });
      const createdBefore = idsAt("create.store-values").length;

      await target.outage.begin();
      await rejectsUnavailable(alice.get({ name: "kept" }), "get", kept);
      await rejectsUnavailable(
        alice.create({ name: "born-in-outage", values: { password: "fake-outage-pw" } }),
        "create",
        { password: "fake-outage-pw" },
      );
      await rejectsUnavailable(
        alice.update({ name: "changing" }, { values: { password: "fake-new" } }),
        "update",
        { password: "fake-new" },
      );
      await rejectsUnavailable(alice.delete({ name: "doomed" }), "delete");
      await rejectsUnavailable(alice.resolveReferences({ url: "{{kept.password}}" }), "resolve", kept);
      const [cutCreate] = idsAt("create.store-values").slice(createdBefore);
      assert.ok(cutCreate, "the create reached its store step");

      // Metadata is local: listing and metadata reads go on. The update never reached the store
      // (its first store call, the read, failed) and was undone at once; the delete hides the
      // secret at once; the failed create is not visible.
      assert.deepEqual(
        (await alice.list()).items.map((item) => item.name),
        ["changing", "kept"],
      );
      assert.equal((await alice.getMetadata({ name: "changing" })).version, 1);
      assert.equal((await alice.getMetadata({ name: "kept" })).id, keptMeta.id);
      assert.deepEqual(await alice.validateReferences({ url: "{{kept.password}}" }), []);
      const health = await service.health();
      assert.equal(health.status, "error");
      assert.equal(health.metadata.status, "ready");
      assert.equal(health.store.status, "error");
      assert.equal(health.store.errorCode, "BACKEND_UNAVAILABLE");
      // Reconcile while the store is still down repairs nothing and says why, per row.
      const early = await service.reconcile({ olderThanMs: 0 });
      assert.deepEqual(
        early.failed.map((each) => [each.id, each.code]).sort(),
        [
          [cutCreate, "BACKEND_UNAVAILABLE"],
          [doomed.id, "BACKEND_UNAVAILABLE"],
        ].sort(),
      );

      await recover();
      // The same service object works again, without being reopened.
      assert.deepEqual((await alice.get({ name: "kept" })).values, kept);
      // The create never reached the store, but its clean-up could not be sure of that during
      // the outage: reconcile rolls it back. The delete had marked its row: reconcile finishes it.
      // The get and the update changed nothing, so there is nothing of theirs to repair.
      assert.deepEqual(
        await service.reconcile({ olderThanMs: 0 }),
        repaired({ rolledBackCreates: [cutCreate], completedDeletes: [doomed.id] }),
      );
      await expectConsistent(target, alice, ids, { kept: [kept], changing: [old] });

      // Nothing is stuck: the name is free again and the secret takes updates.
      await alice.create({ name: "born-in-outage", values: { password: "fake-outage-pw" } });
      await alice.update({ id: changing.id }, { values: { password: "fake-new" } });
      assert.equal((await service.health()).status, "ready");
      await expectConsistent(target, alice, ids, {
        kept: [kept],
        changing: [{ password: "fake-new" }],
        "born-in-outage": [{ password: "fake-outage-pw" }],
      });
    },
  },
  {
    id: "O3",
    title:
      "an update cut off while writing the values stays locked, and reconcile settles it on what the store holds",
    async run({ open }) {
      let cut = false;
      const { target, alice, ids, recover } = await open(async (step, _id, cutting) => {
        // The outage starts after the row is locked and the current values are read, just as the
        // new values are sent; it lasts while the service tries to find out whether they landed.
        if (step === "update.store-values" && !cut) {
          cut = true;
          await cutting.outage.begin();
        }
      });
      const original = { user: "fake-user", password: "fake-old" };
      const { id } = await alice.create({ name: "db", values: original });
      await rejectsUnavailable(alice.update({ id }, { values: { password: "fake-new" } }), "update", {
        password: "fake-new",
      });
      // Still listed, still at version 1: the service could not tell whether the write landed.
      assert.deepEqual(
        (await alice.list()).items.map((item) => [item.name, item.version]),
        [["db", 1]],
      );

      await recover();
      assert.deepEqual(
        await target.service.reconcile({ olderThanMs: 0 }),
        repaired({ completedUpdates: [id] }),
      );
      const after = await alice.get({ id });
      assert.equal(after.version, 2);
      assert.deepEqual(after.values, original);
      await expectConsistent(target, alice, ids, { db: [original] });
      await alice.update({ id }, { values: { password: "fake-newer" } });
      await expectConsistent(target, alice, ids, { db: [{ user: "fake-user", password: "fake-newer" }] });
    },
  },
  {
    id: "O4",
    title:
      "a create whose values landed just before a crash and an outage is completed by reconcile, with those values",
    async run({ open }) {
      let crashed = false;
      const { target, alice, ids, idsAt, recover } = await open(async (step, _id, cutting) => {
        if (step === "create.mark-active" && !crashed) {
          crashed = true;
          await cutting.outage.begin();
          throw new Error("simulated crash before create.mark-active");
        }
      });
      const error = await alice
        .create({ name: "db", values: { password: "fake-1" } })
        .catch((e: unknown) => e);
      assert.match(String(error), /simulated crash/);
      assert.deepEqual((await alice.list()).items, []);

      await recover();
      assert.deepEqual(
        await target.service.reconcile({ olderThanMs: 0 }),
        repaired({ completedCreates: idsAt("create.mark-active") }),
      );
      await expectConsistent(target, alice, ids, { db: [{ password: "fake-1" }] });
    },
  },
  {
    id: "O5",
    title:
      "a delete cut off before the store heard of it is gone for readers at once, and finished by reconcile",
    async run({ open }) {
      let cut = false;
      const { target, alice, ids, recover } = await open(async (step, _id, cutting) => {
        if (step === "delete.store-delete" && !cut) {
          cut = true;
          await cutting.outage.begin();
        }
      });
      const { id } = await alice.create({ name: "db", values: { password: "fake-1" } });
      await rejectsUnavailable(alice.delete({ id }), "delete");
      assert.deepEqual((await alice.list()).items, []);

      await recover();
      assert.deepEqual(
        await target.service.reconcile({ olderThanMs: 0 }),
        repaired({ completedDeletes: [id] }),
      );
      await expectConsistent(target, alice, ids, {});
    },
  },
];

/** T1, once per transient fault: the next request fails that way. */
export function transientFaultCase(name: string, arm: () => void): OutageCase {
  return {
    id: "T1",
    title: `${name} is a retryable BackendUnavailableError through the service; a create it stopped leaves nothing to repair`,
    async run({ open }) {
      const { target, alice, ids } = await open();
      const existing = { password: "fake-password-1" };
      await alice.create({ name: "existing", values: existing });
      arm();
      await rejectsUnavailable(alice.get({ name: "existing" }), "get", existing);
      // The store refuses the create; the service's own compensation (a delete that finds
      // nothing) succeeds, so no row is left behind.
      arm();
      await rejectsUnavailable(alice.create({ name: "refused", values: { k: "fake-refused" } }), "create", {
        k: "fake-refused",
      });
      arm();
      await rejectsUnavailable(
        alice.update({ name: "existing" }, { values: { password: "fake-new" } }),
        "update",
        { password: "fake-new" },
      );
      await expectConsistent(target, alice, ids, { existing: [existing] });
    },
  };
}

type Write = "create" | "update" | "delete";
const original = { user: "fake-user", password: "fake-old" };
const changed = { user: "fake-user", password: "fake-new" };
const fresh = { token: "not-a-real-token" };
const writes: Record<Write, (alice: SecretsSession) => Promise<unknown>> = {
  create: (alice) => alice.create({ name: "fresh", values: fresh }),
  update: (alice) => alice.update({ name: "db" }, { values: { password: changed.password } }),
  delete: (alice) => alice.delete({ name: "db" }),
};
// The values each write's error must not show: the ones it was writing, and for a delete the
// ones it was removing.
const shownByNoError: Record<Write, SecretValues> = {
  create: fresh,
  update: { password: changed.password },
  delete: original,
};
// What each secret may hold once reconcile has run: the write happened, or it did not. A delete
// is always finished (its row was marked before the store heard of it).
const outcomes: Record<Write, { expected: Record<string, SecretValues[]>; mayBeAbsent: string[] }> = {
  create: { expected: { db: [original], fresh: [fresh] }, mayBeAbsent: ["fresh"] },
  update: { expected: { db: [original, changed] }, mayBeAbsent: [] },
  delete: { expected: {}, mayBeAbsent: [] },
};

/** R1: an outage starting just before or just after each backend request of each write. */
export const requestCutCase: OutageCase = {
  id: "R1",
  title:
    "an outage starting before or after each backend request of a create, an update and a delete is repaired by reconcile, leaving nothing half-written",
  async run({ options }) {
    const cuts = options.requestCuts!;
    const proxy = cuts.proxy();
    /** How many backend requests `write` makes when nothing goes wrong. */
    const requestsOf = async (write: Write) => {
      const { target, alice } = await openRecorded(cuts.open);
      try {
        await alice.create({ name: "db", values: original });
        const before = proxy.seen.length;
        await writes[write](alice);
        return proxy.seen.length - before;
      } finally {
        await target.close();
      }
    };
    const cases: Array<[Write, number, "before" | "after"]> = [];
    for (const write of Object.keys(writes) as Write[]) {
      const count = await requestsOf(write);
      assert.ok(count > 0, `${write} made no backend request`);
      for (let index = 0; index < count; index++)
        cases.push([write, index, "before"], [write, index, "after"]);
    }
    assert.equal(cases.length, cuts.expectedCuts, "the number of cuts (two per backend request)");

    // Every cut runs; the failures are reported together, each with its cut.
    const problems: string[] = [];
    for (const [write, index, point] of cases) {
      const { target, alice, ids } = await openRecorded(cuts.open);
      try {
        await alice.create({ name: "db", values: original });
        let seen = 0;
        proxy.cutAt(point, () => seen++ === index);
        await rejectsUnavailable(writes[write](alice), write, shownByNoError[write]);
        assert.ok(proxy.down, "the outage started");
        proxy.restore();
        await target.service.reconcile({ olderThanMs: 0 });
        const { expected, mayBeAbsent } = outcomes[write];
        await expectConsistent(target, alice, ids, expected, mayBeAbsent);
      } catch (error) {
        problems.push(`${write}, outage ${point} request ${index + 1}: ${(error as Error).message}`);
      } finally {
        proxy.restore();
        await target.close();
      }
    }
    assert.deepEqual(problems, []);
  },
};
