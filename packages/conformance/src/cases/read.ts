import { SecretNotFoundError } from "@coffer/core";
import { assert, orderOf, rejectsWith, sameValues } from "../assertions.js";
import type { ConformanceCase, StoreConformanceOptions } from "../types.js";

export const needsReads = (options: StoreConformanceOptions) =>
  options.capabilities.access === "write-only" ? "the store is write-only" : undefined;

export const readCases: ConformanceCase[] = [
  {
    id: "C10",
    title: "get returns exactly the values that were stored",
    group: "read",
    notApplicable: needsReads,
    async run({ store, put }) {
      const values = { username: "fake-user", password: "fake-password-1", port: "5432" };
      const id = await put(values);
      sameValues(await store.get(id), values, "get");
    },
  },
  {
    id: "C11",
    title: "get of a missing id throws SecretNotFoundError (not an empty value, not a generic error)",
    group: "read",
    notApplicable: needsReads,
    async run({ store, newId }) {
      await rejectsWith(store.get(newId()), SecretNotFoundError, "get of a missing id");
    },
  },
  {
    id: "C12",
    title: "presence is reported truthfully: present after create, absent after delete",
    group: "read",
    notApplicable: (options) =>
      needsReads(options) ??
      (options.capabilities.access === "read-only" ? "the store is read-only" : undefined),
    async run({ store, put }) {
      const id = await put({ k: "fake" });
      assert.deepEqual(orderOf(await store.getMany([id])), [id]);
      await store.delete(id);
      assert.deepEqual(orderOf(await store.getMany([id])), []);
      await rejectsWith(store.get(id), SecretNotFoundError, "get after delete");
    },
  },
  {
    id: "C13",
    title: "a secret with many keys returns all of them and no others",
    group: "read",
    notApplicable: needsReads,
    async run({ store, put }) {
      const values = Object.fromEntries(
        Array.from({ length: 40 }, (_, i) => [`key_${i}`, `fake-value-${i}`]),
      );
      const id = await put(values);
      const read = await store.get(id);
      assert.deepEqual(Object.keys(read).sort(), Object.keys(values).sort());
      sameValues(read, values, "a 40-key secret");
    },
  },
  {
    id: "C15",
    title: "getMany returns every stored secret it is asked for, across several batches",
    group: "read",
    notApplicable: needsReads,
    async run({ store, put, capabilities }) {
      const count = Math.min(capabilities.batchGetMax * 2 + 1, 61);
      const ids = await Promise.all(Array.from({ length: count }, (_, i) => put({ index: String(i) })));
      const found = await store.getMany(ids);
      assert.equal(found.size, count, `getMany found ${found.size} of ${count}`);
      ids.forEach((id, i) => {
        sameValues(found.get(id)!, { index: String(i) }, `getMany entry ${i}`);
      });
    },
  },
  {
    id: "C16",
    title: "getMany([a, missing, b]) leaves the missing id out and keeps the input order",
    group: "read",
    notApplicable: needsReads,
    async run({ store, put, newId }) {
      const a = await put({ name: "a" });
      const b = await put({ name: "b" });
      const missing = newId();
      const found = await store.getMany([b, missing, a]);
      assert.deepEqual(orderOf(found), [b, a], "only the present ids, in the order asked");
      assert.equal(found.has(missing), false);
      sameValues(found.get(a)!, { name: "a" }, "getMany a");
      sameValues(found.get(b)!, { name: "b" }, "getMany b");
    },
  },
  {
    id: "C17",
    title: "getMany of an empty list returns an empty map; repeated ids appear once",
    group: "read",
    notApplicable: needsReads,
    async run({ store, put }) {
      assert.equal((await store.getMany([])).size, 0);
      const id = await put({ k: "fake" });
      assert.deepEqual(orderOf(await store.getMany([id, id, id])), [id]);
    },
  },
];
