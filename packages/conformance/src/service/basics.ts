/**
 * Service basics (S01–S09): create, get by name and by id, update (merge, remove, replace),
 * rename, visibility, check-and-set and delete through a SecretsSession, with invalid input
 * refused as a typed error that writes nothing.
 */
import {
  PermissionDeniedError,
  SecretExistsError,
  SecretNotFoundError,
  type SecretsSession,
  ValidationError,
  VersionConflictError,
} from "@coffer/core";
import { assert, rejectsWith, sameValues } from "../assertions.js";
import { prototypeKeys, sameOwnKeys } from "../cases/fidelity.js";
import { listAll } from "./listing.js";
import type { ServiceCase } from "./types.js";

/** Every name `session` can list, sorted. */
async function everyName(session: SecretsSession): Promise<string[]> {
  return (await listAll(session, {})).items.map((item) => item.name).sort();
}

export const basicCases: ServiceCase[] = [
  {
    id: "S01",
    title: "create, then get by name and by id: same values, version 1, owner, keys and timestamps",
    async run({ alice, name }) {
      const before = Date.now();
      const created = await alice.create({
        name: name("db"),
        values: { username: "fake-user", password: "fake-pw-1" },
      });
      assert.equal(created.version, 1);
      assert.equal(created.owner, "alice");
      assert.equal(created.private, false);
      assert.deepEqual([...created.keys].sort(), ["password", "username"]);
      assert.ok(
        created.createdAt.getTime() >= before - 1000 && created.createdAt.getTime() <= Date.now() + 1000,
      );
      const byName = await alice.get({ name: name("db") });
      const byId = await alice.get({ id: created.id });
      sameValues(byName.values, { username: "fake-user", password: "fake-pw-1" }, "get by name");
      sameValues(byId.values, byName.values, "get by id");
      assert.equal(byId.name, name("db"));
      const metadata = await alice.getMetadata({ name: name("db") });
      assert.equal(metadata.id, created.id);
      assert.equal((metadata as { values?: unknown }).values, undefined, "metadata carries no values");
    },
  },
  {
    id: "S01.1",
    title:
      "keys named __proto__, constructor, prototype, hasOwnProperty, toString are stored and read back as own keys",
    async run({ alice, name }) {
      const created = await alice.create({ name: name("proto"), values: prototypeKeys });
      assert.deepEqual([...created.keys].sort(), Object.keys(prototypeKeys).sort(), "the created keys");
      sameOwnKeys((await alice.get({ name: name("proto") })).values, prototypeKeys, "get");
      sameOwnKeys((await alice.get({ id: created.id })).values, prototypeKeys, "get by id");
    },
  },
  {
    id: "S02",
    title: "a second public secret of the same name is SecretExistsError and writes nothing",
    async run({ alice, bob, name }) {
      await alice.create({ name: name("dup"), values: { v: "first" } });
      await rejectsWith(
        bob.create({ name: name("dup"), values: { v: "second" } }),
        SecretExistsError,
        "a duplicate public name",
      );
      sameValues((await bob.get({ name: name("dup") })).values, { v: "first" }, "the original");
    },
  },
  {
    id: "S03",
    title: "invalid names and values are ValidationError and write nothing",
    async run({ alice, name, prefix }) {
      const bad: Array<[string, unknown]> = [
        ["an empty name", { name: "", values: { k: "v" } }],
        ["a name over 255 characters", { name: `${prefix}${"x".repeat(256)}`, values: { k: "v" } }],
        ["a name with a newline", { name: `${prefix}a\nb`, values: { k: "v" } }],
        ["a name with a tab", { name: `${prefix}a\tb`, values: { k: "v" } }],
        ["a non-string value", { name: name("bad-1"), values: { port: 5432 } }],
        ["an empty key", { name: name("bad-2"), values: { "": "v" } }],
        ["values that are not an object", { name: name("bad-3"), values: "fake" }],
        ["a visibility that is not a boolean", { name: name("bad-4"), values: { k: "v" }, private: "yes" }],
      ];
      // Some bad names ("") do not start with the prefix: compare everything alice can see.
      const before = await everyName(alice);
      for (const [what, input] of bad) {
        await rejectsWith(alice.create(input as never), ValidationError, what);
      }
      assert.deepEqual(await everyName(alice), before, "nothing was written, under any name");
    },
  },
  {
    id: "S04",
    title: "update merges by default, a null removes a key, replace replaces; every change bumps the version",
    async run({ alice, name }) {
      const ref = { name: name("app") };
      await alice.create({ name: name("app"), values: { a: "1", b: "2" } });
      let meta = await alice.update(ref, { values: { b: "20", c: "30" } });
      assert.equal(meta.version, 2);
      sameValues((await alice.get(ref)).values, { a: "1", b: "20", c: "30" }, "after merge");
      meta = await alice.update(ref, { values: { a: null } });
      assert.equal(meta.version, 3);
      sameValues((await alice.get(ref)).values, { b: "20", c: "30" }, "after removing a");
      meta = await alice.update(ref, { removeKeys: ["b"] });
      sameValues((await alice.get(ref)).values, { c: "30" }, "after removeKeys");
      meta = await alice.update(ref, { values: { only: "this" }, mode: "replace" });
      assert.equal(meta.version, 5);
      sameValues((await alice.get(ref)).values, { only: "this" }, "after replace");
      assert.deepEqual(meta.keys, ["only"]);
      assert.ok(meta.updatedAt.getTime() >= meta.createdAt.getTime());
    },
  },
  {
    id: "S04.1",
    title:
      "keys named __proto__, constructor, prototype stay own keys through a merging update, null and removeKeys removal, and replace",
    async run({ alice, name }) {
      // Built from entries, never literals: `{ __proto__: … }` sets the prototype, adds no key.
      const ref = { name: name("proto") };
      await alice.create({ name: name("proto"), values: prototypeKeys });
      const change = Object.fromEntries([
        ["__proto__", "fake-proto-2"],
        ["constructor", "fake-constructor-2"],
      ]);
      await alice.update(ref, { values: change });
      let expected = Object.fromEntries([...Object.entries(prototypeKeys), ...Object.entries(change)]);
      sameOwnKeys((await alice.get(ref)).values, expected, "after a merging update");
      await alice.update(ref, { values: Object.fromEntries([["__proto__", null]]) });
      expected = Object.fromEntries(Object.entries(expected).filter(([key]) => key !== "__proto__"));
      sameOwnKeys((await alice.get(ref)).values, expected, "after removing __proto__ with null");
      await alice.update(ref, { removeKeys: ["constructor", "prototype"] });
      expected = Object.fromEntries(
        Object.entries(expected).filter(([key]) => key !== "constructor" && key !== "prototype"),
      );
      sameOwnKeys((await alice.get(ref)).values, expected, "after removeKeys");
      const replaced = Object.fromEntries([["__proto__", "fake-replaced"]]);
      const meta = await alice.update(ref, { values: replaced, mode: "replace" });
      assert.deepEqual(meta.keys, ["__proto__"], "the keys after replace");
      sameOwnKeys((await alice.get(ref)).values, replaced, "after replace");
    },
  },
  {
    id: "S05",
    title: "rename and visibility changes are versioned, keep the values, and respect name uniqueness",
    async run({ alice, name }) {
      const created = await alice.create({ name: name("old"), values: { k: "fake" } });
      let meta = await alice.rename({ id: created.id }, name("new"));
      assert.equal(meta.version, 2);
      assert.equal(meta.name, name("new"));
      await rejectsWith(alice.get({ name: name("old") }), SecretNotFoundError, "the old name");
      sameValues((await alice.get({ name: name("new") })).values, { k: "fake" }, "after rename");
      await alice.create({ name: name("taken"), values: { k: "x" } });
      await rejectsWith(
        alice.rename({ id: created.id }, name("taken")),
        SecretExistsError,
        "renaming onto a taken name",
      );
      meta = await alice.setVisibility({ id: created.id }, true);
      assert.equal(meta.private, true);
      assert.equal(meta.version, 3);
      assert.equal(
        (await alice.getMetadata({ id: created.id })).version,
        3,
        "a refused rename changed nothing",
      );
    },
  },
  {
    id: "S06",
    title: "only the owner may change a secret's visibility",
    async run({ alice, bob, name }) {
      const created = await alice.create({ name: name("shared"), values: { k: "fake" } });
      await rejectsWith(
        bob.setVisibility({ id: created.id }, true),
        PermissionDeniedError,
        "bob making alice's secret private",
      );
      assert.equal((await alice.getMetadata({ id: created.id })).private, false);
    },
  },
  {
    id: "S07",
    title:
      "check-and-set: a stale expected version is VersionConflictError; put with expected version 0 only creates",
    async run({ alice, name }) {
      const ref = { name: name("cas") };
      await alice.create({ name: name("cas"), values: { v: "1" } });
      await alice.update(ref, { values: { v: "2" } }, { expectedVersion: 1 });
      await rejectsWith(
        alice.update(ref, { values: { v: "stale" } }, { expectedVersion: 1 }),
        VersionConflictError,
        "a stale update",
      );
      await rejectsWith(alice.delete(ref, { expectedVersion: 1 }), VersionConflictError, "a stale delete");
      sameValues((await alice.get(ref)).values, { v: "2" }, "after the refused writes");
      const created = await alice.put(name("only-new"), { v: "a" }, { expectedVersion: 0 });
      assert.equal(created.version, 1);
      await rejectsWith(
        alice.put(name("only-new"), { v: "b" }, { expectedVersion: 0 }),
        VersionConflictError,
        "put with 0 on an existing secret",
      );
      const replaced = await alice.put(name("only-new"), { v: "c" }, { expectedVersion: 1 });
      assert.equal(replaced.version, 2);
      sameValues((await alice.get({ name: name("only-new") })).values, { v: "c" }, "after put");
      await rejectsWith(
        alice.update(ref, { values: { v: "x" } }, { expectedVersion: -1 }),
        ValidationError,
        "a negative version",
      );
    },
  },
  {
    id: "S08",
    title:
      "delete removes the secret; a second delete and a delete of an unknown name are SecretNotFoundError",
    async run({ alice, name }) {
      const created = await alice.create({ name: name("gone"), values: { k: "fake" } });
      await alice.delete({ id: created.id });
      await rejectsWith(alice.get({ id: created.id }), SecretNotFoundError, "get after delete");
      await rejectsWith(alice.delete({ id: created.id }), SecretNotFoundError, "a second delete");
      await rejectsWith(
        alice.delete({ name: name("never") }),
        SecretNotFoundError,
        "delete of an unknown name",
      );
      await alice.create({ name: name("gone"), values: { k: "again" } });
      sameValues((await alice.get({ name: name("gone") })).values, { k: "again" }, "the name is free again");
    },
  },
  {
    id: "S09",
    title: "bad updates are typed errors and write nothing",
    async run({ alice, name }) {
      const ref = { name: name("stable") };
      await alice.create({ name: name("stable"), values: { a: "1" } });
      const attempts: Array<[string, () => Promise<unknown>]> = [
        ["removing a key that does not exist", () => alice.update(ref, { removeKeys: ["nope"] })],
        [
          "setting and removing the same key",
          () => alice.update(ref, { values: { a: "2" }, removeKeys: ["a"] }),
        ],
        ["an update that changes nothing", () => alice.update(ref, {})],
        ["a null in replace mode", () => alice.update(ref, { values: { a: null }, mode: "replace" })],
        ["an unknown mode", () => alice.update(ref, { values: { a: "2" }, mode: "upsert" as never })],
        ["an invalid new name", () => alice.rename(ref, "")],
        ["a non-string value", () => alice.update(ref, { values: { a: 1 as never } })],
      ];
      // Each attempt starts only when awaited: a rejection nobody waits for yet is an unhandled one.
      for (const [what, attempt] of attempts) await rejectsWith(attempt(), ValidationError, what);
      const after = await alice.get(ref);
      assert.equal(after.version, 1);
      sameValues(after.values, { a: "1" }, "after the refused updates");
    },
  },
];
