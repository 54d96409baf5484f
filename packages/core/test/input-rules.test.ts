// Input rules of the secret model that every front end shares (issue 12): names are NFC, strings
// that reach a query hold no NUL or lone surrogate, non-string values are refused with a hint to
// quote them, and reference documents have a bounded depth.
import { describe, expect, it } from "vitest";
import {
  findReferences,
  MAX_DOCUMENT_DEPTH,
  substituteReferences,
  ValidationError,
  validateQueryText,
  validateSecretName,
  validateSecretValues,
} from "../src/index.js";

describe("names are normalised to NFC", () => {
  it("returns the NFC form of an NFD name, so both spellings of café are one name", () => {
    expect(validateSecretName("cafe\u0301")).toBe("caf\u00e9");
    expect(validateSecretName("caf\u00e9")).toBe("caf\u00e9");
  });
});

describe("text that reaches a query", () => {
  it.each([
    ["a\u0000b", /NUL/],
    ["\ud800", /lone surrogate/],
    [7, /must be a string/],
  ])("refuses %j", (text, message) => {
    expect(() => validateQueryText(text, "owner")).toThrow(message);
    expect(() => validateQueryText(text, "owner")).toThrow(ValidationError);
  });

  it("accepts ordinary text as it is", () => {
    expect(validateQueryText("ünï 😀 db", "owner")).toBe("ünï 😀 db");
  });
});

describe("values are strings", () => {
  it.each([
    [1234, '"8080"'],
    [true, '"true"'],
    [null, '"null"'],
  ])("refuses %j with a hint to quote it, without echoing the value", (value, quoted) => {
    let caught: unknown;
    try {
      validateSecretValues({ port: value });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).message).toMatch(/'port' is .*not a string/);
    expect((caught as ValidationError).hint).toContain(quoted);
    expect(JSON.stringify(caught)).not.toContain("1234");
  });

  it("keeps __proto__ and constructor as own keys", () => {
    const values = validateSecretValues(JSON.parse('{"__proto__":"fake-1","constructor":"fake-2"}'));
    expect(Object.getPrototypeOf(values)).toBe(Object.prototype);
    expect(Object.entries(values)).toEqual([
      ["__proto__", "fake-1"],
      ["constructor", "fake-2"],
    ]);
  });
});

describe("reference documents have a bounded depth", () => {
  function nested(depth: number): unknown {
    let value: unknown = "{{db.user}}";
    for (let i = 0; i < depth; i++) value = i % 2 ? { a: value } : [value];
    return value;
  }

  it("finds and substitutes references at the deepest allowed level", () => {
    const document = nested(MAX_DOCUMENT_DEPTH);
    expect(findReferences(document)).toHaveLength(1);
    expect(JSON.stringify(substituteReferences(document, () => "fake"))).toContain('"fake"');
  });

  it("refuses a document nested 20,000 deep with a typed error, not a stack overflow", () => {
    const document = nested(20_000);
    expect(() => findReferences(document)).toThrow(/nests deeper than 256 levels/);
    expect(() => substituteReferences(document, () => "fake")).toThrow(ValidationError);
  });
});
