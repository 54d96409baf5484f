/**
 * Delete cases (C50–C53): delete removes, deleting twice or a missing id is SecretNotFoundError,
 * soft delete restores, and an id can be reused after delete.
 */
import { SecretNotFoundError } from "@coffer/core";
import { rejectsWith, sameValues } from "../assertions.js";
import type { ConformanceCase } from "../types.js";
import { needsWrites } from "./write.js";

export const deleteCases: ConformanceCase[] = [
  {
    id: "C50",
    title: "delete removes the secret: get then throws SecretNotFoundError",
    group: "delete",
    notApplicable: needsWrites,
    async run({ store, newId, read }) {
      const id = newId();
      await store.create(id, { k: "fake" });
      await store.delete(id);
      await rejectsWith(read(id), SecretNotFoundError, "get after delete");
      await rejectsWith(store.update(id, { k: "x" }), SecretNotFoundError, "update after delete");
    },
  },
  {
    id: "C51",
    title: "delete of a missing id throws SecretNotFoundError, and so does a second delete",
    group: "delete",
    notApplicable: needsWrites,
    async run({ store, newId }) {
      await rejectsWith(store.delete(newId()), SecretNotFoundError, "delete of a missing id");
      const id = newId();
      await store.create(id, { k: "fake" });
      await store.delete(id);
      await rejectsWith(store.delete(id), SecretNotFoundError, "a second delete");
    },
  },
  {
    id: "C52",
    title:
      "soft delete: restore brings the values back; restoring a live or unknown id is SecretNotFoundError",
    group: "delete",
    requires: "softDelete",
    notApplicable: needsWrites,
    async run({ store, newId, read }) {
      const id = newId();
      await store.create(id, { k: "fake-kept" });
      await rejectsWith(store.restore(id), SecretNotFoundError, "restore of a live secret");
      await store.delete(id);
      await store.restore(id);
      sameValues(await read(id), { k: "fake-kept" }, "after restore");
      await rejectsWith(store.restore(newId()), SecretNotFoundError, "restore of an unknown id");
    },
  },
  {
    id: "C53",
    title: "delete then create the same id works and holds the new values",
    group: "delete",
    notApplicable: needsWrites,
    async run({ store, newId, read }) {
      const id = newId();
      await store.create(id, { generation: "first" });
      await store.delete(id);
      await store.create(id, { generation: "second" });
      sameValues(await read(id), { generation: "second" }, "the recreated secret");
      await store.update(id, { generation: "third" });
      sameValues(await read(id), { generation: "third" }, "the recreated secret after update");
    },
  },
];
