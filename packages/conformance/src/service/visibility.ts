/**
 * Visibility cases (S10–S13): a private and a public secret may share a name, private secrets are
 * per owner and invisible to everyone else (not found, never forbidden), and making one public
 * respects name uniqueness.
 */
import { SecretExistsError, SecretNotFoundError, ValidationError } from "@coffer/core";
import { assert, rejectsWith, sameValues } from "../assertions.js";
import type { ServiceCase } from "./types.js";

export const visibilityCases: ServiceCase[] = [
  {
    id: "S10",
    title: "a private and a public secret may share a name; by name finds the private one first",
    async run({ alice, bob, name }) {
      await alice.create({ name: name("db"), values: { who: "public" } });
      await alice.create({ name: name("db"), values: { who: "alice-private" }, private: true });
      sameValues((await alice.get({ name: name("db") })).values, { who: "alice-private" }, "private first");
      sameValues(
        (await alice.get({ name: name("db"), private: false })).values,
        { who: "public" },
        "explicit public",
      );
      sameValues(
        (await alice.get({ name: name("db"), private: true })).values,
        { who: "alice-private" },
        "explicit private",
      );
      sameValues((await bob.get({ name: name("db") })).values, { who: "public" }, "bob sees the public one");
      await rejectsWith(
        alice.create({ name: name("db"), values: { x: "y" }, private: true }),
        SecretExistsError,
        "a second private 'db' for alice",
      );
    },
  },
  {
    id: "S11",
    title: "private secrets are per owner: bob may have his own private secret of the same name",
    async run({ alice, bob, name }) {
      await alice.create({ name: name("mine"), values: { who: "alice" }, private: true });
      await bob.create({ name: name("mine"), values: { who: "bob" }, private: true });
      sameValues((await alice.get({ name: name("mine") })).values, { who: "alice" }, "alice's");
      sameValues((await bob.get({ name: name("mine") })).values, { who: "bob" }, "bob's");
    },
  },
  {
    id: "S12",
    title:
      "another user's private secret does not exist for them: get, list, update, rename, delete and references all say not found",
    async run({ alice, bob, name }) {
      const secret = await alice.create({
        name: name("hidden"),
        values: { token: "fake-token" },
        private: true,
      });
      await rejectsWith(bob.get({ id: secret.id }), SecretNotFoundError, "bob get by id");
      await rejectsWith(bob.get({ name: name("hidden") }), SecretNotFoundError, "bob get by name");
      await rejectsWith(
        bob.get({ name: name("hidden"), private: true }),
        SecretNotFoundError,
        "bob get private by name",
      );
      await rejectsWith(bob.getMetadata({ id: secret.id }), SecretNotFoundError, "bob metadata");
      await rejectsWith(
        bob.update({ id: secret.id }, { values: { token: "x" } }),
        SecretNotFoundError,
        "bob update",
      );
      await rejectsWith(bob.rename({ id: secret.id }, name("stolen")), SecretNotFoundError, "bob rename");
      await rejectsWith(bob.delete({ id: secret.id }), SecretNotFoundError, "bob delete");
      const listed = await bob.list({ name: name("hidden") });
      assert.equal(listed.items.length, 0, "bob's list shows nothing");
      const problems = await bob.validateReferences({ t: `{{${name("hidden")}.token}}` }, "SECRET_EXISTS");
      assert.equal(problems.length, 1, "bob's reference does not validate");
      await rejectsWith(
        bob.resolveReferences({ t: `{{${name("hidden")}.token}}` }),
        ValidationError,
        "bob resolving it",
      );
      sameValues(
        (await alice.get({ id: secret.id })).values,
        { token: "fake-token" },
        "alice's secret is untouched",
      );
    },
  },
  {
    id: "S13",
    title: "making a private secret public fails if that public name is taken, and changes nothing",
    async run({ alice, bob, name }) {
      await bob.create({ name: name("clash"), values: { v: "bob-public" } });
      const mine = await alice.create({ name: name("clash"), values: { v: "alice-private" }, private: true });
      await rejectsWith(
        alice.setVisibility({ id: mine.id }, false),
        SecretExistsError,
        "going public onto a taken name",
      );
      const after = await alice.getMetadata({ id: mine.id });
      assert.equal(after.private, true);
      assert.equal(after.version, 1);
    },
  },
];
