/**
 * Service limits (S40, S41): a secret over the store's size limit is refused before anything is
 * written, and awkward values (unicode, PEM, JSON, empty) round-trip through the service.
 */
import { serializedSize, ValueTooLargeError } from "@coffer/core";
import { assert, rejectsWith, sameValues, valuesOfSize } from "../assertions.js";
import type { ServiceCase } from "./types.js";

export const limitCases: ServiceCase[] = [
  {
    id: "S40",
    title: "a secret over the store's limit is refused before anything is written, saying by how much",
    async run({ alice, name, maxValueBytes }) {
      const over = valuesOfSize(maxValueBytes + 10);
      const error = await rejectsWith<ValueTooLargeError>(
        alice.create({ name: name("big"), values: over }),
        ValueTooLargeError,
        "an oversize create",
      );
      assert.equal(error.details.overBy, 10);
      assert.match(error.message, /10 over/);
      assert.equal((await alice.list({ name: name("big") })).items.length, 0, "nothing was written");

      const fits = valuesOfSize(maxValueBytes);
      await alice.create({ name: name("big"), values: fits });
      await rejectsWith(
        alice.update({ name: name("big") }, { values: { extra: "x" } }),
        ValueTooLargeError,
        "an update past the limit",
      );
      const after = await alice.get({ name: name("big") });
      assert.equal(after.version, 1);
      assert.equal(serializedSize(after.values), maxValueBytes);
    },
  },
  {
    id: "S41",
    title: "unicode, PEM, JSON and empty values round-trip through the service",
    async run({ alice, name }) {
      const values = {
        pem: "-----BEGIN CERTIFICATE-----\nMIIBfakefake\n-----END CERTIFICATE-----\n",
        unicode: "héllo · 日本 · 🔑",
        json: '{"a":[1,2,{"b":null}]}',
        empty: "",
        zero: "0",
      };
      await alice.create({ name: name("tricky"), values });
      sameValues((await alice.get({ name: name("tricky") })).values, values, "tricky values");
    },
  },
];
