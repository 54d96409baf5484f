/**
 * Listing cases (S20–S25, S65): filters, sorts, date ranges, paging with cursors, no values in lists,
 * and bad queries as ValidationError; `listAll` follows the cursors for the other suites too.
 */
import { type SecretMetadata, type SecretsSession, ValidationError } from "@coffer/core";
import { assert, rejectsWith } from "../assertions.js";
import type { ServiceCase } from "./types.js";

/** Every item of a listing, following cursors. */
export async function listAll(session: SecretsSession, query: Parameters<SecretsSession["list"]>[0] = {}) {
  const items: SecretMetadata[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await session.list({ ...query, ...(cursor ? { cursor } : {}) });
    items.push(...page.items);
    cursor = page.nextCursor;
    pages++;
    assert.ok(pages < 10_000, "the listing does not end");
  } while (cursor);
  return { items, pages };
}

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export const listingCases: ServiceCase[] = [
  {
    id: "S20",
    title: "list filters on name (equals, contains, startsWith, endsWith; case-sensitive), private and owner",
    async run({ alice, bob, name, prefix }) {
      for (const base of ["api-key", "API-KEY", "db-main", "db-replica", "cache"]) {
        await alice.create({ name: name(base), values: { k: "fake" } });
      }
      await alice.create({ name: name("db-private"), values: { k: "fake" }, private: true });
      await bob.create({ name: name("db-bob"), values: { k: "fake" } });
      const names = async (query: Parameters<SecretsSession["list"]>[0]) =>
        (await listAll(alice, query)).items.map((item) => item.name.slice(prefix.length)).sort();

      assert.deepEqual(await names({ name: name("db-main") }), ["db-main"]);
      assert.deepEqual(await names({ name: { equals: name("cache") } }), ["cache"]);
      assert.deepEqual(await names({ name: { startsWith: name("db-") } }), [
        "db-bob",
        "db-main",
        "db-private",
        "db-replica",
      ]);
      assert.deepEqual(await names({ name: { startsWith: prefix }, private: true }), ["db-private"]);
      assert.deepEqual(await names({ name: { startsWith: prefix }, owner: "bob" }), ["db-bob"]);
      const contains = await names({ name: { contains: "key" } });
      assert.ok(contains.includes("api-key") && !contains.includes("API-KEY"), "contains is case-sensitive");
      const endsWith = await names({ name: { endsWith: "-KEY" } });
      assert.ok(endsWith.includes("API-KEY") && !endsWith.includes("api-key"), "endsWith is case-sensitive");
      assert.deepEqual(await names({ name: { contains: "%" } }), [], "no wildcard meaning for %");
    },
  },
  {
    id: "S21",
    title: "list sorts by name, created or updated, either way, and pages through everything exactly once",
    async run({ alice, name, prefix }) {
      const bases = ["m", "b", "x", "a", "k", "c", "z"];
      for (const base of bases) await alice.create({ name: name(base), values: { k: "fake" } });
      await alice.update({ name: name("a") }, { values: { k: "newer" } });
      const expected = bases.map((base) => name(base)).sort(byCodePoint);

      const asc = await listAll(alice, { name: { startsWith: prefix }, sort: { by: "name" }, limit: 2 });
      assert.deepEqual(
        asc.items.map((item) => item.name),
        expected,
      );
      assert.equal(asc.pages, 4);
      const desc = await listAll(alice, {
        name: { startsWith: prefix },
        sort: { by: "name", direction: "desc" },
        limit: 3,
      });
      assert.deepEqual(
        desc.items.map((item) => item.name),
        [...expected].reverse(),
      );

      const created = await listAll(alice, {
        name: { startsWith: prefix },
        sort: { by: "created" },
        limit: 2,
      });
      const times = created.items.map((item) => item.createdAt.getTime());
      assert.deepEqual(
        times,
        [...times].sort((a, b) => a - b),
      );
      assert.equal(new Set(created.items.map((item) => item.id)).size, bases.length);
      const updated = await listAll(alice, {
        name: { startsWith: prefix },
        sort: { by: "updated", direction: "desc" },
      });
      assert.equal(updated.items[0]!.name, name("a"), "the most recently updated comes first");
    },
  },
  {
    id: "S22",
    title: "list filters on created and updated ranges (after is inclusive, before exclusive)",
    async run({ alice, name, prefix }) {
      const first = await alice.create({ name: name("early"), values: { k: "fake" } });
      await new Promise((resolve) => setTimeout(resolve, 25));
      const second = await alice.create({ name: name("late"), values: { k: "fake" } });
      const cut = second.createdAt;
      const after = await listAll(alice, { name: { startsWith: prefix }, created: { after: cut } });
      assert.deepEqual(
        after.items.map((item) => item.id),
        [second.id],
      );
      const before = await listAll(alice, {
        name: { startsWith: prefix },
        created: { before: cut.toISOString() },
      });
      assert.deepEqual(
        before.items.map((item) => item.id),
        [first.id],
      );
      const updated = await listAll(alice, {
        name: { startsWith: prefix },
        updated: { after: new Date(0), before: new Date(Date.now() + 60_000) },
      });
      assert.equal(updated.items.length, 2);
    },
  },
  {
    id: "S23",
    title: "list never carries values",
    async run({ alice, name }) {
      await alice.create({ name: name("valuable"), values: { password: "fake-listed-value" } });
      const page = await alice.list({ name: name("valuable") });
      assert.equal(page.items.length, 1);
      assert.ok(!JSON.stringify(page).includes("fake-listed-value"), "a value appears in the listing");
      assert.deepEqual(page.items[0]!.keys, ["password"]);
    },
  },
  {
    id: "S24",
    title: "unknown filter fields, bad sort fields, bad page sizes and bad cursors are ValidationError",
    async run({ alice, name }) {
      await alice.create({ name: name("one"), values: { k: "fake" } });
      await alice.create({ name: name("two"), values: { k: "fake" } });
      const attempts: Array<[string, unknown]> = [
        ["an unknown filter field", { colour: "red" }],
        ["an unknown name operator", { name: { like: "x%" } }],
        ["an unknown sort field", { sort: { by: "size" } }],
        ["a page size of 0", { limit: 0 }],
        ["a page size of 5000", { limit: 5000 }],
        ["a cursor that is not one", { cursor: "not-a-cursor" }],
        ["a bad timestamp", { created: { after: "yesterday" } }],
      ];
      for (const [what, query] of attempts)
        await rejectsWith(alice.list(query as never), ValidationError, what);
      const page = await alice.list({ name: { startsWith: name("") }, limit: 1 });
      assert.ok(page.nextCursor, "a first page with more to come");
      await rejectsWith(
        alice.list({ name: { startsWith: name("o") }, limit: 1, cursor: page.nextCursor! }),
        ValidationError,
        "a cursor from another query",
      );
    },
  },
  {
    id: "S25",
    title: "unicode names are stored, found and sorted by code point",
    async run({ alice, name, prefix }) {
      const bases = ["Ärger", "zebra", "Zürich", "日本", "émoji-🔑", "a b c", "ß"];
      for (const base of bases) await alice.create({ name: name(base), values: { k: "fake" } });
      const listed = (await listAll(alice, { name: { startsWith: prefix }, limit: 3 })).items.map(
        (item) => item.name,
      );
      assert.deepEqual(listed, bases.map((base) => name(base)).sort(byCodePoint));
      assert.equal((await alice.getMetadata({ name: name("日本") })).name, name("日本"));
      assert.deepEqual(
        (await listAll(alice, { name: { contains: "🔑" } })).items.map((item) => item.name),
        [name("émoji-🔑")],
      );
      // Other cases' secrets may end the same way: only this case's count.
      const endsWith = (await listAll(alice, { name: { endsWith: "rich" } })).items
        .map((item) => item.name)
        .filter((each) => each.startsWith(prefix));
      assert.deepEqual(endsWith, [name("Zürich")]);
    },
  },
  {
    id: "S65",
    title:
      "list pages through public secrets and the caller's own private ones interleaved (one name in both), in order, each once, never another user's private ones",
    async run({ alice, bob, carol, name, prefix }) {
      // Names interleave across visibility and owners, so every page mixes them.
      const seen: string[] = [];
      for (let i = 0; i < 12; i++) {
        const base = `mix-${String(i).padStart(2, "0")}`;
        if (i % 3 === 0) await alice.create({ name: name(base), values: { k: "fake" }, private: true });
        else if (i % 3 === 1) await carol.create({ name: name(base), values: { k: "fake" } });
        else await bob.create({ name: name(base), values: { k: "fake" }, private: true });
        if (i % 3 !== 2) seen.push(base);
      }
      // The same name public (bob's) and private (alice's): alice sees both.
      await bob.create({ name: name("mix-both"), values: { k: "fake" } });
      await alice.create({ name: name("mix-both"), values: { k: "fake" }, private: true });
      seen.push("mix-both", "mix-both");
      const expected = seen.sort(byCodePoint);
      for (const [direction, limit] of [
        ["asc", 1],
        ["asc", 3],
        ["desc", 2],
      ] as const) {
        const listed = await listAll(alice, {
          name: { startsWith: prefix },
          sort: { by: "name", direction },
          limit,
        });
        const names = listed.items.map((item) => item.name.slice(prefix.length));
        assert.deepEqual(
          names,
          direction === "asc" ? expected : [...expected].reverse(),
          `${direction}, ${limit} a page`,
        );
        assert.equal(new Set(listed.items.map((item) => item.id)).size, expected.length, "each exactly once");
      }
      const byCreated = await listAll(alice, {
        name: { startsWith: prefix },
        sort: { by: "created" },
        limit: 4,
      });
      assert.equal(byCreated.items.length, expected.length);
      const times = byCreated.items.map((item) => item.createdAt.getTime());
      assert.deepEqual(
        times,
        [...times].sort((a, b) => a - b),
      );
      const bobs = await listAll(bob, { name: { startsWith: prefix }, private: true, limit: 2 });
      assert.deepEqual(
        bobs.items.map((item) => item.name.slice(prefix.length)),
        ["mix-02", "mix-05", "mix-08", "mix-11"],
        "private: true lists only the caller's own",
      );
    },
  },
];
