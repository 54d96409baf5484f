import { SecretExistsError, SecretNotFoundError, VersionConflictError } from "@coffer/core";
import { assert, rejectsWith, sameValues } from "../assertions.js";
import type { ConformanceCase, StoreConformanceOptions } from "../types.js";

export const needsReadWrite = (options: StoreConformanceOptions) =>
  options.capabilities.access === "read-write" ? undefined : `the store is ${options.capabilities.access}`;

export const writeCases: ConformanceCase[] = [
  {
    id: "C30",
    title: "create then get round-trips; update replaces every value (removed keys are gone)",
    group: "write",
    notApplicable: needsReadWrite,
    async run({ store, newId }) {
      const id = newId();
      await store.create(id, { a: "fake-1", b: "fake-2" });
      sameValues(await store.get(id), { a: "fake-1", b: "fake-2" }, "after create");
      await store.update(id, { b: "fake-3", c: "fake-4" });
      sameValues(await store.get(id), { b: "fake-3", c: "fake-4" }, "after update");
    },
  },
  {
    id: "C30.1",
    title: "create on an existing id throws SecretExistsError and leaves the stored values alone",
    group: "write",
    notApplicable: needsReadWrite,
    async run({ store, newId }) {
      const id = newId();
      await store.create(id, { v: "first" });
      await rejectsWith(
        store.create(id, { v: "second" }),
        SecretExistsError,
        "a second create of the same id",
      );
      sameValues(await store.get(id), { v: "first" }, "after the refused create");
    },
  },
  {
    id: "C30.2",
    title: "update of a missing id throws SecretNotFoundError and creates nothing",
    group: "write",
    notApplicable: needsReadWrite,
    async run({ store, newId }) {
      const id = newId();
      await rejectsWith(store.update(id, { v: "x" }), SecretNotFoundError, "update of a missing id");
      await rejectsWith(store.get(id), SecretNotFoundError, "get after the refused update");
    },
  },
  {
    id: "C30.3",
    title: "concurrent creates of different ids all land",
    group: "write",
    notApplicable: needsReadWrite,
    async run({ store, newId }) {
      const ids = Array.from({ length: 20 }, () => newId());
      await Promise.all(ids.map((id, i) => store.create(id, { i: String(i) })));
      const found = await store.getMany(ids);
      assert.equal(found.size, ids.length);
    },
  },
  {
    id: "C31",
    title: "versions: each write makes revision n+1; old revisions stay readable, the latest is the default",
    group: "write",
    requires: "versions",
    notApplicable: needsReadWrite,
    async run({ store, newId }) {
      const id = newId();
      await store.create(id, { v: "one" });
      assert.equal(await store.currentRevision(id), 1);
      await store.update(id, { v: "two" });
      await store.update(id, { v: "three" });
      assert.equal(await store.currentRevision(id), 3);
      sameValues(await store.getRevision(id, 1), { v: "one" }, "revision 1");
      sameValues(await store.getRevision(id, 2), { v: "two" }, "revision 2");
      sameValues(await store.get(id), { v: "three" }, "latest");
      await rejectsWith(store.getRevision(id, 99), SecretNotFoundError, "a revision that never existed");
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
