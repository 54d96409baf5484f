// The editor's paste reader (src/documents.ts): dotenv and JSON into pairs, strict refusals that
// name the line and never echo its text.
import { describe, expect, it } from "vitest";
import { parseDocument } from "../src/documents.js";

describe("a pasted document", () => {
  it("reads a dotenv file: export, comments, quotes, escapes, multi-line values", () => {
    const text = [
      "# a comment",
      "",
      "export DB_USER=app",
      "DB_PASS = fake-pass # trailing comment",
      "SINGLE='kept \\n as is'",
      'DOUBLE="line\\nnext \\"quoted\\""',
      'MULTI="first',
      'second"',
      "EMPTY=",
    ].join("\r\n");
    expect(parseDocument(text)).toEqual([
      ["DB_USER", "app"],
      ["DB_PASS", "fake-pass"],
      ["SINGLE", "kept \\n as is"],
      ["DOUBLE", 'line\nnext "quoted"'],
      ["MULTI", "first\nsecond"],
      ["EMPTY", ""],
    ]);
  });

  it("reads a JSON object of strings (numbers and booleans as their text)", () => {
    expect(parseDocument('{"A": "x", "PORT": 5432, "ON": true}')).toEqual([
      ["A", "x"],
      ["PORT", "5432"],
      ["ON", "true"],
    ]);
  });

  it.each([
    ["A=1\nthis line is fake-secret-text", /Line 2 .* not NAME=value/],
    ["A=1\nA=2", /Line 2: A is given twice/],
    ['A="never closed', /Line 1: the quoted value is never closed/],
    ['A="x" fake-secret-text', /Line 1: text follows the closing quote/],
    ["A=p#ss", /Line 1: an unquoted value holds a #/],
    ["# only a comment", /holds no key/],
    ['{"A": {"nested": "fake-secret-text"}}', /key A is not a string/],
    ['{"A": ', /not valid JSON/],
    ["[1, 2]", /Line 1/],
  ])("refuses %j, saying where and never echoing the text", (text, message) => {
    const refusal = (() => {
      try {
        parseDocument(text);
      } catch (error) {
        return error as Error & { hint?: string };
      }
      throw new Error("not refused");
    })();
    expect(refusal.message).toMatch(message);
    expect(`${refusal.message} ${refusal.hint}`).not.toContain("fake-secret-text");
  });
});
