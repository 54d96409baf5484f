/**
 * Write cases (C30–C33): create and update round-trip, a duplicate create or a missing update is
 * refused without side effects, and, for stores that declare them, revisions and check-and-set.
 */
import { SecretExistsError, SecretNotFoundError, VersionConflictError } from "@coffer/core";
import { assert, rejectsWith, sameValues } from "../assertions.js";
import type { ConformanceCase, StoreConformanceOptions } from "../types.js";

export const needsReadWrite = (options: StoreConformanceOptions) =>
  options.capabilities.access === "read-write" ? undefined : `the store is ${options.capabilities.access}`;

/**
 * For cases that write and check the writes: a read-write store, or a write-only one whose test
 * gave `readBack` (the case then reads through it).
 */
export const needsWrites = (options: StoreConformanceOptions) => {
  if (options.capabilities.access === "read-only") return "the store is read-only";
  if (options.capabilities.access === "write-only" && !options.readBack)
    return "the store is write-only and no readBack hook was given to check its writes";
  return undefined;
};

export const writeCases: ConformanceCase[] = [
  {
    id: "C30",
    title: "create then get round-trips; update replaces every value (removed keys are gone)",
    group: "write",
    notApplicable: needsWrites,
    async run({ store, newId, read }) {
      const id = newId();
      await store.create(id, { a: "fake-1", b: "fake-2" });
      sameValues(await read(id), { a: "fake-1", b: "fake-2" }, "after create");
      await store.update(id, { b: "fake-3", c: "fake-4" });
      sameValues(await read(id), { b: "fake-3", c: "fake-4" }, "after update");
    },
  },
  {
    id: "C30.1",
    title: "create on an existing id throws SecretExistsError and leaves the stored values alone",
    group: "write",
    notApplicable: needsWrites,
    async run({ store, newId, read }) {
      const id = newId();
      await store.create(id, { v: "first" });
      await rejectsWith(
        store.create(id, { v: "second" }),
        SecretExistsError,
        "a second create of the same id",
      );
      sameValues(await read(id), { v: "first" }, "after the refused create");
    },
  },
  {
    id: "C30.2",
    title: "update of a missing id throws SecretNotFoundError and creates nothing",
    group: "write",
    notApplicable: needsWrites,
    async run({ store, newId, read }) {
      const id = newId();
      await rejectsWith(store.update(id, { v: "x" }), SecretNotFoundError, "update of a missing id");
      await rejectsWith(read(id), SecretNotFoundError, "get after the refused update");
    },
  },
  {
    id: "C30.3",
    title: "concurrent creates of different ids all land",
    group: "write",
    notApplicable: needsWrites,
    async run({ store, newId, readMany }) {
      const ids = Array.from({ length: 20 }, () => newId());
      await Promise.all(ids.map((id, i) => store.create(id, { i: String(i) })));
      const found = await readMany(ids);
      assert.equal(found.size, ids.length);
      ids.forEach((id, i) => {
        sameValues(found.get(id)!, { i: String(i) }, `concurrent create ${i}`);
      });
    },
  },
  {
    id: "C31",
    title: "versions: each write makes revision n+1; old revisions stay readable, the latest is the default",
    group: "write",
    requires: "versions",
    notApplicable: needsReadWrite,
    async run({ store, newId }) {
      // Two secrets written in turns: each revision read must be that secret's, not the other's.
      const id = newId();
      const other = newId();
      await store.create(id, { v: "one" });
      await store.create(other, { v: "other-one" });
      assert.equal(await store.currentRevision(id), 1);
      await store.update(id, { v: "two" });
      await store.update(other, { v: "other-two" });
      await store.update(id, { v: "three" });
      assert.equal(await store.currentRevision(id), 3);
      assert.equal(await store.currentRevision(other), 2);
      sameValues(await store.getRevision(id, 1), { v: "one" }, "revision 1");
      sameValues(await store.getRevision(id, 2), { v: "two" }, "revision 2");
      sameValues(await store.getRevision(other, 1), { v: "other-one" }, "the other secret's revision 1");
      sameValues(await store.get(id), { v: "three" }, "latest");
      await rejectsWith(store.getRevision(id, 99), SecretNotFoundError, "a revision that never existed");
    },
  },
  {
    id: "C31.1",
    title: "versions: exactly the declared number of latest revisions (keptRevisions) stays readable",
    group: "write",
    requires: "versions",
    notApplicable: (options) =>
      needsReadWrite(options) ??
      (options.keptRevisions === undefined
        ? "no keptRevisions was given (the store keeps every revision)"
        : undefined),
    async run({ store, newId, options }) {
      const kept = options.keptRevisions!;
      const id = newId();
      await store.create(id, { v: "revision-1" });
      for (let revision = 2; revision <= kept + 1; revision++) {
        await store.update(id, { v: `revision-${revision}` });
      }
      assert.equal(await store.currentRevision(id), kept + 1);
      for (let revision = 2; revision <= kept + 1; revision++) {
        sameValues(
          await store.getRevision(id, revision),
          { v: `revision-${revision}` },
          `revision ${revision}`,
        );
      }
      await rejectsWith(
        store.getRevision(id, 1),
        SecretNotFoundError,
        `revision 1 of ${kept + 1}, beyond the ${kept} kept`,
      );
    },
  },
  {
    id: "C31.2",
    title: "currentRevision of a missing or deleted id throws SecretNotFoundError",
    group: "write",
    requires: ["versions", "cas"],
    notApplicable: needsReadWrite,
    async run({ store, newId }) {
      await rejectsWith(
        store.currentRevision(newId()),
        SecretNotFoundError,
        "currentRevision of a missing id",
      );
      const id = newId();
      await store.create(id, { v: "fake" });
      await store.delete(id);
      await rejectsWith(store.currentRevision(id), SecretNotFoundError, "currentRevision of a deleted id");
    },
  },
  {
    id: "C32",
    title: "check-and-set: an update at the current revision applies",
    group: "write",
    requires: "cas",
    notApplicable: needsReadWrite,
    async run({ store, newId }) {
      const id = newId();
      await store.create(id, { v: "one" });
      const revision = await store.currentRevision(id);
      await store.update(id, { v: "two" }, { expectedRevision: revision });
      sameValues(await store.get(id), { v: "two" }, "after a matching check-and-set");
      assert.equal(await store.currentRevision(id), revision + 1);
    },
  },
  {
    id: "C33",
    title: "check-and-set: a stale revision throws VersionConflictError and changes nothing",
    group: "write",
    requires: "cas",
    notApplicable: needsReadWrite,
    async run({ store, newId }) {
      const id = newId();
      await store.create(id, { v: "one" });
      await store.update(id, { v: "two" });
      await rejectsWith(
        store.update(id, { v: "stale" }, { expectedRevision: 1 }),
        VersionConflictError,
        "an update with a stale revision",
      );
      sameValues(await store.get(id), { v: "two" }, "after the refused update");
    },
  },
];
