/**
 * Fidelity cases (C40–C46): values and keys come back byte for byte (unicode, PEM, CRLF, empty
 * strings, keys named like Object.prototype members), and the declared size limit holds exactly.
 * The tricky fixtures are exported for other suites to reuse.
 */
import { SecretNotFoundError, type SecretValues, ValueTooLargeError } from "@coffer/core";
import { assert, assertNoValueIn, rejectsWith, sameValues, valuesOfSize } from "../assertions.js";
import type { ConformanceCase, StoreConformanceOptions } from "../types.js";
import { needsWrites } from "./write.js";

/** Fidelity cases read what they stored: with get, or through readBack on a write-only store. */
const needsReading = (options: StoreConformanceOptions) =>
  options.capabilities.access === "write-only" && !options.readBack
    ? "the store is write-only and no readBack hook was given"
    : undefined;

/**
 * Keys that name Object.prototype members. Written in an object literal, `__proto__` would set
 * the prototype instead of adding a key, so the fixture is parsed from JSON: every key is an own
 * property, as it is when a secret arrives over the API.
 */
export const prototypeKeys: SecretValues = JSON.parse(
  JSON.stringify({
    proto: "fake-proto",
    constructor: "fake-constructor",
    prototype: "fake-prototype",
    hasOwnProperty: "fake-has-own-property",
    toString: "fake-to-string",
    plain: "fake-plain",
  }).replace('"proto"', '"__proto__"'),
);

/** Every key of `expected` is an own property of `actual` with its value, and nothing else is. */
export function sameOwnKeys(actual: SecretValues, expected: SecretValues, what: string): void {
  assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), `${what}: the keys`);
  for (const key of Object.keys(expected)) {
    assert.ok(Object.hasOwn(actual, key), `${what}: '${key}' is not an own key`);
    assert.equal(Object.getOwnPropertyDescriptor(actual, key)?.value, expected[key], `${what}: '${key}'`);
  }
}

const PEM = [
  "-----BEGIN PRIVATE KEY-----",
  "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7fakefakefake",
  "fakeFAKEfakeFAKEfakeFAKEfakeFAKEfakeFAKEfakeFAKEfakeFAKEfake==",
  "-----END PRIVATE KEY-----",
  "",
].join("\n");

export const tricky: SecretValues = {
  unicode: "héllo wörld · 日本語 · שלום · Ελληνικά · e\u0301 · 👩‍👩‍👧 · 🔑",
  quotes: `it's "quoted" and \`ticked\``,
  pem: PEM,
  crlf: "line one\r\nline two\r\n",
  json: '{"auths":{"registry.example.com":{"auth":"ZmFrZTpmYWtl"}},"n":[1,2.5,null,true]}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell syntax, kept literally on purpose.
  shell: "$HOME ${PATH} $(whoami) `id` %s %d \\n \\\\",
  whitespace: "  leading and trailing  \t",
  nul: "before\u0000after",
  windows: "C:\\Users\\fake\\path",
  html: "<script>alert('fake')</script>&amp;",
};

export const fidelityCases: ConformanceCase[] = [
  {
    id: "C40",
    title: "unicode, quotes, PEM blocks, CRLF, JSON text and shell syntax round-trip byte for byte",
    group: "fidelity",
    notApplicable: needsReading,
    async run({ read, put }) {
      const id = await put(tricky);
      const values = await read(id);
      for (const [key, value] of Object.entries(tricky)) {
        assert.equal(
          Buffer.from(values[key] ?? "").toString("base64"),
          Buffer.from(value).toString("base64"),
          `value '${key}'`,
        );
      }
      sameValues(values, tricky, "tricky values");
    },
  },
  {
    id: "C41",
    title:
      'empty and falsy-looking values ("", "0", "false", "null") round-trip and are not treated as missing',
    group: "fidelity",
    notApplicable: needsReading,
    async run({ read, put }) {
      const values = { empty: "", zero: "0", no: "false", nothing: "null", undef: "undefined", space: " " };
      sameValues(await read(await put(values)), values, "falsy values");
      sameValues(await read(await put({})), {}, "a secret with no keys");
    },
  },
  {
    id: "C43",
    title:
      "keys with dots, slashes, dashes, spaces, case and unicode are stored as given, and keys differing in case stay apart",
    group: "fidelity",
    notApplicable: needsReading,
    async run({ read, put }) {
      const values = {
        "db.password": "fake-1",
        "path/to/key": "fake-2",
        "with-dash_and_underscore": "fake-3",
        "with space": "fake-4",
        Key: "fake-upper",
        key: "fake-lower",
        KEY: "fake-shout",
        "clé-ünïcode-鍵": "fake-5",
        "123": "fake-numeric",
      };
      sameValues(await read(await put(values)), values, "unusual keys");
    },
  },
  {
    id: "C43.1",
    title:
      "keys named like Object.prototype members (__proto__, constructor, prototype, hasOwnProperty, toString) are stored as own keys, through create, update, get and getMany",
    group: "fidelity",
    notApplicable: needsReading,
    async run({ store, put, read, options }) {
      assert.ok(Object.hasOwn(prototypeKeys, "__proto__"), "the fixture has an own __proto__ key");
      const id = await put(prototypeKeys);
      sameOwnKeys(await read(id), prototypeKeys, "get");
      const onlyProto: SecretValues = JSON.parse('{"__proto__":"fake-only-proto"}');
      sameOwnKeys(await read(await put(onlyProto)), onlyProto, "a secret whose only key is __proto__");
      if (options.capabilities.access !== "write-only") {
        sameOwnKeys((await store.getMany([id])).get(id) ?? {}, prototypeKeys, "getMany");
      }
      if (!needsWrites(options)) {
        const updated = await put({ plain: "fake-before" });
        await store.update(updated, prototypeKeys);
        sameOwnKeys(await read(updated), prototypeKeys, "after update");
      }
    },
  },
  {
    id: "C44",
    title: "keys with quotes and backslashes are stored as-is",
    group: "fidelity",
    notApplicable: needsReading,
    async run({ read, put }) {
      const values = { "it's": "fake-1", 'say "hi"': "fake-2", "back\\slash": "fake-3" };
      sameValues(await read(await put(values)), values, "quoted keys");
    },
  },
  {
    id: "C45",
    title: "a secret of exactly the declared maximum size round-trips",
    group: "fidelity",
    notApplicable: needsWrites,
    async run({ store, newId, capabilities, read }) {
      const values = valuesOfSize(capabilities.maxValueBytes);
      const id = newId();
      await store.create(id, values);
      sameValues(await read(id), values, `a ${capabilities.maxValueBytes}-byte secret`);
      await store.update(id, values);
      sameValues(await read(id), values, `a ${capabilities.maxValueBytes}-byte update`);
    },
  },
  {
    id: "C46",
    title: "one byte over the maximum throws ValueTooLargeError, says by how much, and writes nothing",
    group: "fidelity",
    notApplicable: needsWrites,
    async run({ store, newId, capabilities, read }) {
      const over = valuesOfSize(capabilities.maxValueBytes + 1);
      const id = newId();
      const error = await rejectsWith<ValueTooLargeError>(
        store.create(id, over),
        ValueTooLargeError,
        "an oversize create",
      );
      assert.equal(error.details.overBy, 1, "details.overBy must say the secret is 1 byte over");
      assert.equal(error.details.maxBytes, capabilities.maxValueBytes);
      assertNoValueIn(error, over.data!.slice(0, 64), "the oversize error");
      await rejectsWith(read(id), SecretNotFoundError, "get after the refused create");

      await store.create(id, { small: "fake" });
      await rejectsWith(store.update(id, over), ValueTooLargeError, "an oversize update");
      sameValues(await read(id), { small: "fake" }, "after the refused update");
    },
  },
];
