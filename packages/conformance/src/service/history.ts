/**
 * History cases (S60–S64): every version listed newest first with who made it and which keys it
 * added, removed or changed — never a value; an old version read back and rolled back to (a new
 * version, history kept); old versions as private as the secret was; history across a rename and
 * a visibility change; and a deleted secret's history gone with it.
 *
 * Whether the store keeps earlier values is not an option: on a store without `versions`, reading
 * an earlier version's values must be NotSupportedError (and rollback too), which the cases check
 * instead — the history itself is listed on every store.
 */
import {
  type CofferError,
  NotSupportedError,
  type SecretHistory,
  SecretNotFoundError,
  type SecretsSession,
  ValidationError,
  VersionConflictError,
} from "@coffer/core";
import { assert, rejectsWith, sameValues } from "../assertions.js";
import type { ServiceCase } from "./types.js";

/** Whether this deployment's store keeps earlier values: reading version 1 of `id` tells. */
async function keepsValues(session: SecretsSession, id: string): Promise<boolean> {
  try {
    await session.get({ id }, { version: 1 });
    return true;
  } catch (error) {
    if (error instanceof NotSupportedError) return false;
    throw error;
  }
}

function versionsOf(history: SecretHistory): number[] {
  return history.versions.map((each) => each.version);
}

function entry(history: SecretHistory, version: number) {
  const found = history.versions.find((each) => each.version === version);
  assert.ok(found, `version ${version} is in the history`);
  return found;
}

export const historyCases: ServiceCase[] = [
  {
    id: "S60",
    title:
      "history lists every version newest first: who, when, keys added / removed / changed, never values",
    async run({ alice, bob, name }) {
      const created = await alice.create({ name: name("h"), values: { a: "fake-h-1", b: "fake-h-2" } });
      await bob.update({ id: created.id }, { values: { b: "fake-h-3", c: "fake-h-4" } });
      await alice.update({ id: created.id }, { removeKeys: ["a"] });
      await alice.update({ id: created.id }, { values: { c: "fake-h-4" } }); // the same value again
      const history = await alice.history({ name: name("h") });
      assert.equal(history.id, created.id);
      assert.equal(history.version, 4);
      assert.deepEqual(versionsOf(history), [4, 3, 2, 1], "newest first");
      const [v4, v3, v2, v1] = [entry(history, 4), entry(history, 3), entry(history, 2), entry(history, 1)];
      assert.equal(v1.action, "create");
      assert.deepEqual(v1.changes, { added: ["a", "b"], removed: [], changed: [] });
      assert.deepEqual(v2.changes, { added: ["c"], removed: [], changed: ["b"] }, "bob's merge");
      assert.deepEqual(v3.changes, { added: [], removed: ["a"], changed: [] }, "a key removed");
      assert.deepEqual(
        v4.changes,
        { added: [], removed: [], changed: [] },
        "a value written again unchanged",
      );
      assert.deepEqual(v3.keys, ["b", "c"]);
      assert.equal(v1.createdBy, v3.createdBy, "alice made versions 1 and 3");
      assert.notEqual(v1.createdBy, v2.createdBy, "bob made version 2");
      assert.ok(v1.created instanceof Date && !Number.isNaN(v1.created.getTime()), "created is a date");
      assert.ok(v4.created.getTime() >= v1.created.getTime(), "later versions are not older");
      assert.ok(!JSON.stringify(history).includes("fake-h-"), "no value in the history");
      assert.deepEqual(versionsOf(await bob.history({ id: created.id })), [4, 3, 2, 1], "bob sees it too");
    },
  },
  {
    id: "S61",
    title: "get with a version reads it; rollback writes a new version with its values and keeps history",
    async run({ alice, name }) {
      const created = await alice.create({ name: name("r"), values: { password: "fake-r-1" } });
      await alice.update({ id: created.id }, { values: { password: "fake-r-2", extra: "fake-r-x" } });
      await alice.update({ id: created.id }, { values: { password: "fake-r-3" } });
      await rejectsWith(alice.get({ id: created.id }, { version: 0 }), ValidationError, "version 0");
      await rejectsWith(alice.get({ id: created.id }, { version: 1.5 }), ValidationError, "version 1.5");
      await rejectsWith(
        alice.get({ id: created.id }, { version: 4 }),
        SecretNotFoundError,
        "a future version",
      );
      sameValues(
        (await alice.get({ id: created.id }, { version: 3 })).values,
        { password: "fake-r-3", extra: "fake-r-x" },
        "the current version by number",
      );
      if (!(await keepsValues(alice, created.id))) {
        await rejectsWith(
          alice.rollback({ id: created.id }, 1),
          NotSupportedError,
          "rollback without versions",
        );
        assert.deepEqual(
          versionsOf(await alice.history({ id: created.id })),
          [3, 2, 1],
          "history still listed",
        );
        sameValues(
          (await alice.get({ id: created.id })).values,
          { password: "fake-r-3", extra: "fake-r-x" },
          "nothing changed",
        );
        return;
      }
      const v1 = await alice.get({ name: name("r") }, { version: 1 });
      assert.equal(v1.version, 1);
      sameValues(v1.values, { password: "fake-r-1" }, "version 1");
      sameValues(
        (await alice.get({ id: created.id }, { version: 2 })).values,
        { password: "fake-r-2", extra: "fake-r-x" },
        "version 2",
      );
      await rejectsWith(
        alice.rollback({ id: created.id }, 1, { expectedVersion: 2 }),
        VersionConflictError,
        "a rollback at a stale version",
      );
      const rolled = await alice.rollback({ id: created.id }, 1, { expectedVersion: 3 });
      assert.equal(rolled.version, 4, "a rollback is a new version");
      assert.deepEqual(rolled.keys, ["password"]);
      sameValues(
        (await alice.get({ id: created.id })).values,
        { password: "fake-r-1" },
        "values after rollback",
      );
      const history = await alice.history({ id: created.id });
      assert.deepEqual(versionsOf(history), [4, 3, 2, 1], "nothing rewritten");
      const v4 = entry(history, 4);
      assert.equal(v4.action, "rollback");
      assert.equal(v4.rolledBackTo, 1);
      assert.deepEqual(v4.changes, { added: [], removed: ["extra"], changed: ["password"] });
      sameValues(
        (await alice.get({ id: created.id }, { version: 3 })).values,
        { password: "fake-r-3", extra: "fake-r-x" },
        "version 3 still readable",
      );
      await rejectsWith(
        alice.rollback({ id: created.id }, 9),
        SecretNotFoundError,
        "rollback to a version that never was",
      );
      await rejectsWith(alice.rollback({ id: created.id }, -1), ValidationError, "rollback to version -1");
      assert.equal(
        (await alice.getMetadata({ id: created.id })).version,
        4,
        "refused rollbacks wrote nothing",
      );
    },
  },
  {
    id: "S62",
    title:
      "old versions are as private as the secret was: others get the same not-found as for a missing secret",
    async run({ alice, bob, name }) {
      const secret = await alice.create({ name: name("p"), values: { k: "fake-p-1" }, private: true });
      await alice.update({ id: secret.id }, { values: { k: "fake-p-2" } });
      const missing = await rejectsWith<CofferError>(
        bob.get({ id: "00000000-0000-4000-8000-000000000000" }, { version: 1 }),
        SecretNotFoundError,
        "a secret that does not exist, version 1",
      );
      const hidden = await rejectsWith<CofferError>(
        bob.get({ id: secret.id }, { version: 1 }),
        SecretNotFoundError,
        "bob reading version 1 of alice's private secret",
      );
      assert.equal(hidden.code, missing.code);
      await rejectsWith(bob.history({ id: secret.id }), SecretNotFoundError, "bob's history of it");
      await rejectsWith(bob.history({ name: name("p") }), SecretNotFoundError, "bob's history by name");
      await rejectsWith(bob.rollback({ id: secret.id }, 1), SecretNotFoundError, "bob's rollback of it");
      // Made public: the versions written while it was private stay alice's alone.
      await alice.setVisibility({ id: secret.id }, false);
      assert.deepEqual(
        versionsOf(await bob.history({ id: secret.id })),
        [3],
        "bob sees only the public version",
      );
      assert.deepEqual(versionsOf(await alice.history({ id: secret.id })), [3, 2, 1], "alice sees all");
      const olderHidden = await rejectsWith<CofferError>(
        bob.get({ id: secret.id }, { version: 1 }),
        SecretNotFoundError,
        "bob reading a version from when it was private",
      );
      const never = await rejectsWith<CofferError>(
        bob.get({ id: secret.id }, { version: 7 }),
        SecretNotFoundError,
        "bob reading a version that never was",
      );
      assert.equal(olderHidden.code, never.code);
      await rejectsWith(
        bob.rollback({ id: secret.id }, 2),
        SecretNotFoundError,
        "bob rolling back to a private version",
      );
      sameValues(
        (await bob.get({ id: secret.id }, { version: 3 })).values,
        { k: "fake-p-2" },
        "the public version",
      );
    },
  },
  {
    id: "S63",
    title: "history after a rename and a visibility change: each is a version, the values stay readable",
    async run({ alice, bob, name }) {
      const secret = await alice.create({ name: name("before"), values: { k: "fake-n-1" } });
      await alice.rename({ id: secret.id }, name("after"));
      await alice.setVisibility({ id: secret.id }, true);
      const history = await alice.history({ name: name("after") });
      assert.deepEqual(versionsOf(history), [3, 2, 1]);
      const [v3, v2, v1] = [entry(history, 3), entry(history, 2), entry(history, 1)];
      assert.equal(v1.name, name("before"));
      assert.equal(v2.action, "rename");
      assert.equal(v2.name, name("after"));
      assert.equal(v2.changes.renamedFrom, name("before"));
      assert.deepEqual([v2.changes.added, v2.changes.removed, v2.changes.changed], [[], [], []]);
      assert.equal(v3.action, "visibility");
      assert.equal(v3.private, true);
      assert.equal(v3.changes.private, true);
      // Only metadata changed since version 1: its values are the current ones, on any store.
      sameValues(
        (await alice.get({ name: name("after") }, { version: 1 })).values,
        { k: "fake-n-1" },
        "version 1 after the rename",
      );
      await rejectsWith(
        bob.history({ name: name("after") }),
        SecretNotFoundError,
        "now private: bob sees nothing",
      );
      await rejectsWith(alice.history({ name: name("before") }), SecretNotFoundError, "the old name");
    },
  },
  {
    id: "S64",
    title: "deleting a secret deletes its history; a new secret of that name starts at version 1",
    async run({ alice, name }) {
      const old = await alice.create({ name: name("d"), values: { k: "fake-d-1" } });
      await alice.update({ id: old.id }, { values: { k: "fake-d-2" } });
      await alice.delete({ id: old.id });
      await rejectsWith(alice.history({ id: old.id }), SecretNotFoundError, "history of the deleted secret");
      await rejectsWith(
        alice.get({ id: old.id }, { version: 1 }),
        SecretNotFoundError,
        "version 1 of the deleted secret",
      );
      const again = await alice.create({ name: name("d"), values: { k: "fake-d-new" } });
      const history = await alice.history({ name: name("d") });
      assert.equal(history.id, again.id);
      assert.deepEqual(versionsOf(history), [1]);
      assert.deepEqual(history.versions[0]!.changes, { added: ["k"], removed: [], changed: [] });
    },
  },
];
