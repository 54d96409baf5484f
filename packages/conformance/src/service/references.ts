/**
 * Reference cases (S30–S33): secret references in a configuration resolve (private first), the
 * validation levels check what they say, and missing or malformed references are ValidationError
 * naming where, never a value.
 */
import { formatReference, ValidationError } from "@coffer/core";
import { assert, rejectsWith } from "../assertions.js";
import type { ServiceCase } from "./types.js";

export const referenceCases: ServiceCase[] = [
  {
    id: "S30",
    title: "references resolve anywhere in a configuration, inside text too, private secrets first",
    async run({ alice, name }) {
      await alice.create({ name: name("db"), values: { username: "fake-user", password: "fake-pw" } });
      await alice.create({
        name: name("db"),
        values: { username: "fake-private-user", password: "fake-pw-2" },
        private: true,
      });
      await alice.create({ name: name("api.example.com"), values: { "token.v2": "fake-token" } });
      const config = {
        url: `postgres://${formatReference(name("db"), "username")}:${formatReference(name("db"), "password")}@localhost/app`,
        nested: { list: [formatReference(name("api.example.com"), "token.v2"), 42, true] },
        literal: "\\{{not.a.reference}}",
      };
      const resolved = await alice.resolveReferences(config);
      assert.deepEqual(resolved, {
        url: "postgres://fake-private-user:fake-pw-2@localhost/app",
        nested: { list: ["fake-token", 42, true] },
        literal: "{{not.a.reference}}",
      });
    },
  },
  {
    id: "S31",
    title:
      "validation levels: NONE checks nothing, SECRET_EXISTS checks names, SECRET_AND_KEY_EXISTS checks keys too",
    async run({ alice, name }) {
      await alice.create({ name: name("smtp"), values: { host: "fake-host" } });
      const config = {
        ok: formatReference(name("smtp"), "host"),
        wrongKey: formatReference(name("smtp"), "port"),
        missing: formatReference(name("nowhere"), "x"),
      };
      assert.deepEqual(await alice.validateReferences(config, "NONE"), []);
      const exists = await alice.validateReferences(config, "SECRET_EXISTS");
      assert.deepEqual(
        exists.map((problem) => [problem.path, problem.problem]),
        [["/missing", "secret-missing"]],
      );
      const keys = await alice.validateReferences(config, "SECRET_AND_KEY_EXISTS");
      assert.deepEqual(
        keys.map((problem) => [problem.path, problem.problem]),
        [
          ["/wrongKey", "key-missing"],
          ["/missing", "secret-missing"],
        ],
      );
      assert.match(keys[0]!.message, /has no key 'port' \(its keys: host\)/);
      assert.deepEqual(await alice.validateReferences(config), keys, "the default level is the strictest");
    },
  },
  {
    id: "S32",
    title:
      "resolving a configuration with a missing secret or key is a ValidationError naming every gap, and no value",
    async run({ alice, name }) {
      await alice.create({ name: name("mail"), values: { host: "fake-mail-host" } });
      const error = await rejectsWith<ValidationError>(
        alice.resolveReferences(
          { a: formatReference(name("mail"), "host"), b: formatReference(name("mail"), "nope") },
          "NONE",
        ),
        ValidationError,
        "resolving a missing key",
      );
      assert.match(error.message, /has no key 'nope'/);
      assert.ok(!JSON.stringify(error.toJSON()).includes("fake-mail-host"));
    },
  },
  {
    id: "S33",
    title: "malformed references are ValidationError, saying where",
    async run({ alice }) {
      const error = await rejectsWith<ValidationError>(
        alice.validateReferences({ service: { url: "x {{db}}" } }),
        ValidationError,
        "a malformed reference",
      );
      assert.match(error.message, /\/service\/url/);
    },
  },
];
