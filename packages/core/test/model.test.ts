import { describe, expect, it } from "vitest";
import {
  assertSecretId,
  isSecretId,
  newSecretId,
  serializedSize,
  ValidationError,
  validateSecretName,
  validateSecretValues,
} from "../src/index.js";

describe("secret names", () => {
  it.each(["db", "payments/stripe", "api.example.com", "日本語の秘密", "a".repeat(255), "with space inside"])(
    "accepts %j",
    (name) => {
      expect(validateSecretName(name)).toBe(name);
    },
  );

  it.each([
    ["", /empty/],
    ["a".repeat(256), /256 characters long; the limit is 255/],
    ["tab\there", /control character U\+0009/],
    ["new\nline", /control character U\+000A/],
    ["bell\u0007", /control character U\+0007/],
    ["c1\u0085", /control character U\+0085/],
    [" padded", /whitespace/],
    [42, /must be a string/],
    ["lone\udc00surrogate", /not well-formed Unicode/],
  ])("rejects %j with a message that says why", (name, message) => {
    expect(() => validateSecretName(name)).toThrow(ValidationError);
    expect(() => validateSecretName(name)).toThrow(message);
  });

  it("counts characters, not UTF-16 units: 255 emoji are allowed", () => {
    expect(validateSecretName("🔑".repeat(255))).toHaveLength(510);
    expect(() => validateSecretName("🔑".repeat(256))).toThrow(/256 characters/);
  });
});

describe("secret values", () => {
  it("accepts string values, including empty and falsy-looking ones", () => {
    expect(validateSecretValues({ a: "", b: "0", c: "false", d: "multi\nline" })).toEqual({
      a: "",
      b: "0",
      c: "false",
      d: "multi\nline",
    });
  });

  it("rejects a repeated key given as pairs, naming the key", () => {
    expect(() =>
      validateSecretValues([
        ["user", "fake-user"],
        ["user", "fake-user-2"],
      ]),
    ).toThrow(/key 'user' is given twice/);
  });

  it("rejects an empty key", () => {
    expect(() => validateSecretValues({ "": "x" })).toThrow(/key is empty/);
  });

  it("rejects a non-string value naming the key but never the value", () => {
    const attempt = () => validateSecretValues({ port: 5432 });
    expect(attempt).toThrow(/key 'port' is a number, not a string/);
    expect(attempt).not.toThrow(/5432/);
  });

  it("rejects values that are not well-formed Unicode, naming the key", () => {
    expect(() => validateSecretValues({ blob: "a\ud800b" })).toThrow(/key 'blob' is not well-formed Unicode/);
  });

  it("rejects values that are not an object", () => {
    expect(() => validateSecretValues("password")).toThrow(/not an object of key\/value pairs/);
    expect(() => validateSecretValues(null)).toThrow(/null/);
  });

  it("keeps a key named __proto__ as data", () => {
    const values = validateSecretValues(JSON.parse('{"__proto__": "fake"}'));
    expect(Object.keys(values)).toEqual(["__proto__"]);
    expect(Object.getOwnPropertyDescriptor(values, "__proto__")?.value).toBe("fake");
  });

  it("returns a copy: later changes to the input do not reach it", () => {
    const input = { a: "1" };
    const values = validateSecretValues(input);
    input.a = "2";
    expect(values.a).toBe("1");
  });
});

describe("size accounting", () => {
  it("counts UTF-8 bytes of the JSON encoding", () => {
    expect(serializedSize({})).toBe(2);
    expect(serializedSize({ a: "b" })).toBe(9);
    expect(serializedSize({ k: "é" })).toBe(10);
    expect(serializedSize({ k: 'quote"' })).toBe(15);
  });
});

describe("secret ids", () => {
  it("are lowercase UUIDs", () => {
    const id = newSecretId();
    expect(isSecretId(id)).toBe(true);
    expect(isSecretId(id.toUpperCase())).toBe(false);
    expect(() => assertSecretId("../etc/passwd")).toThrow(ValidationError);
  });
});
