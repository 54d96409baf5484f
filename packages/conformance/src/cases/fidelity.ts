import { SecretNotFoundError, type SecretValues, ValueTooLargeError } from "@coffer/core";
import { assert, assertNoValueIn, rejectsWith, sameValues, valuesOfSize } from "../assertions.js";
import type { ConformanceCase } from "../types.js";
import { needsReads } from "./read.js";
import { needsReadWrite } from "./write.js";

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
    notApplicable: needsReads,
    async run({ store, put }) {
      const id = await put(tricky);
      const read = await store.get(id);
      for (const [key, value] of Object.entries(tricky)) {
        assert.equal(
          Buffer.from(read[key] ?? "").toString("base64"),
          Buffer.from(value).toString("base64"),
          `value '${key}'`,
        );
      }
      sameValues(read, tricky, "tricky values");
    },
  },
  {
    id: "C41",
    title:
      'empty and falsy-looking values ("", "0", "false", "null") round-trip and are not treated as missing',
    group: "fidelity",
    notApplicable: needsReads,
    async run({ store, put }) {
      const values = { empty: "", zero: "0", no: "false", nothing: "null", undef: "undefined", space: " " };
      sameValues(await store.get(await put(values)), values, "falsy values");
      sameValues(await store.get(await put({})), {}, "a secret with no keys");
    },
  },
  {
    id: "C43",
    title:
      "keys with dots, slashes, dashes, spaces, case and unicode are stored as given, and keys differing in case stay apart",
    group: "fidelity",
    notApplicable: needsReads,
    async run({ store, put }) {
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
        __proto__: "fake-proto",
      };
      const stored = JSON.parse(JSON.stringify(values)) as SecretValues;
      sameValues(await store.get(await put(stored)), stored, "unusual keys");
    },
  },
  {
    id: "C44",
    title: "keys with quotes and backslashes are stored as-is",
    group: "fidelity",
    notApplicable: needsReads,
    async run({ store, put }) {
      const values = { "it's": "fake-1", 'say "hi"': "fake-2", "back\\slash": "fake-3" };
      sameValues(await store.get(await put(values)), values, "quoted keys");
    },
  },
  {
    id: "C45",
    title: "a secret of exactly the declared maximum size round-trips",
    group: "fidelity",
    notApplicable: needsReadWrite,
    async run({ store, newId, capabilities }) {
      const values = valuesOfSize(capabilities.maxValueBytes);
      const id = newId();
      await store.create(id, values);
      sameValues(await store.get(id), values, `a ${capabilities.maxValueBytes}-byte secret`);
      await store.update(id, values);
      sameValues(await store.get(id), values, `a ${capabilities.maxValueBytes}-byte update`);
    },
  },
  {
    id: "C46",
    title: "one byte over the maximum throws ValueTooLargeError, says by how much, and writes nothing",
    group: "fidelity",
    notApplicable: needsReadWrite,
    async run({ store, newId, capabilities }) {
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
      await rejectsWith(store.get(id), SecretNotFoundError, "get after the refused create");

      await store.create(id, { small: "fake" });
      await rejectsWith(store.update(id, over), ValueTooLargeError, "an oversize update");
      sameValues(await store.get(id), { small: "fake" }, "after the refused update");
    },
  },
];
