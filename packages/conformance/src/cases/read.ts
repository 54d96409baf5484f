/**
 * Read cases (C10–C17): get and getMany return each secret's own values, missing ids are
 * SecretNotFoundError or left out, and getMany keeps the order asked across several batches.
 */
import { SecretNotFoundError, type SecretValues } from "@coffer/core";
import { assert, orderOf, rejectsWith, sameValues } from "../assertions.js";
import type { ConformanceCase, StoreConformanceOptions } from "../types.js";

export const needsReads = (options: StoreConformanceOptions) =>
  options.capabilities.access === "write-only" ? "the store is write-only" : undefined;

/** The default bound on the secrets C15 writes (see StoreConformanceOptions.maxBatchFixtures). */
export const DEFAULT_BATCH_FIXTURES = 61;

/**
 * Which of `count` positions C15 fills with a written secret: all of them when `limit` allows,
 * else the first and last position of every batch, then evenly spread ones up to `limit`.
 */
export function fixturePositions(count: number, batch: number, limit: number): Set<number> {
  if (count <= limit) return new Set(Array.from({ length: count }, (_, i) => i));
  const positions = new Set<number>();
  for (let start = 0; start < count; start += batch) {
    positions.add(start);
    positions.add(Math.min(start + batch, count) - 1);
  }
  const spread = Math.max(1, limit - positions.size);
  for (let i = 0; i < spread && positions.size < limit; i++) {
    positions.add(Math.round((i * (count - 1)) / Math.max(1, spread - 1)));
  }
  return positions;
}

export const readCases: ConformanceCase[] = [
  {
    id: "C10",
    title: "get and getMany return exactly the values stored under each id, never another secret's",
    group: "read",
    notApplicable: needsReads,
    async run({ store, put }) {
      // Several secrets with the same keys and different values: a store that answers with the
      // wrong secret's values (the latest written, say) cannot pass by luck.
      const fixtures: SecretValues[] = [
        { username: "fake-user-1", password: "fake-password-1", port: "5432" },
        { username: "fake-user-2", password: "fake-password-2", port: "5433" },
        { username: "fake-user-3", password: "fake-password-3" },
      ];
      const ids: string[] = [];
      for (const values of fixtures) ids.push(await put(values));
      for (const index of [0, 2, 1]) {
        sameValues(await store.get(ids[index]!), fixtures[index]!, `get of secret ${index + 1} of 3`);
      }
      const found = await store.getMany([ids[1]!, ids[0]!, ids[2]!]);
      assert.deepEqual(orderOf(found), [ids[1], ids[0], ids[2]], "getMany keeps the order asked");
      ids.forEach((id, index) => {
        sameValues(found.get(id)!, fixtures[index]!, `getMany of secret ${index + 1} of 3`);
      });
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
    title:
      "getMany returns every stored secret it is asked for, with its own values, across at least three batches",
    group: "read",
    notApplicable: needsReads,
    async run({ store, put, newId, capabilities, options }) {
      const batch = capabilities.batchGetMax;
      const count = batch * 2 + 1;
      const written = fixturePositions(count, batch, options.maxBatchFixtures ?? DEFAULT_BATCH_FIXTURES);
      const ids = Array.from({ length: count }, () => "");
      await Promise.all(
        Array.from({ length: count }, async (_, i) => {
          ids[i] = written.has(i) ? await put({ index: String(i) }) : newId();
        }),
      );
      const found = await store.getMany(ids);
      const expected = ids.filter((_, i) => written.has(i));
      assert.equal(
        found.size,
        expected.length,
        `getMany of ${count} ids found ${found.size} of ${expected.length}`,
      );
      assert.deepEqual(orderOf(found), expected, "getMany keeps the order asked");
      for (const i of written) sameValues(found.get(ids[i]!)!, { index: String(i) }, `getMany entry ${i}`);
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
