// The editor's paste reader (src/documents.ts): dotenv and JSON into pairs, strict refusals that
// name the line and never echo its text.
import { describe, expect, it } from "vitest";
import { parseDocument } from "../src/documents.js";

describe("a pasted document", () => {
  it("reads a dotenv file: export, comments, quotes, escapes, multi-line values", async () => {
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
    expect(await parseDocument(text)).toEqual([
      ["DB_USER", "app"],
      ["DB_PASS", "fake-pass"],
      ["SINGLE", "kept \\n as is"],
      ["DOUBLE", 'line\nnext "quoted"'],
      ["MULTI", "first\nsecond"],
      ["EMPTY", ""],
    ]);
  });

  it("reads a JSON object of strings (numbers and booleans as their text)", async () => {
    expect(await parseDocument('{"A": "x", "PORT": 5432, "ON": true}')).toEqual([
      ["A", "x"],
      ["PORT", "5432"],
      ["ON", "true"],
    ]);
  });

  it("reads a YAML mapping: quotes, block scalars, numbers as written, comments", async () => {
    const text = [
      "# a comment",
      "DB_USER: app",
      'DB_PASS: "fake: pass # not a comment"',
      "PORT: 05432",
      "RATE: 1.50",
      "ON: true",
      "CERT: |",
      "  fake-line-1",
      "  fake-line-2",
      "__proto__: fake-proto",
    ].join("\n");
    expect(await parseDocument(text)).toEqual([
      ["DB_USER", "app"],
      ["DB_PASS", "fake: pass # not a comment"],
      ["PORT", "05432"],
      ["RATE", "1.50"],
      ["ON", "true"],
      ["CERT", "fake-line-1\nfake-line-2\n"],
      ["__proto__", "fake-proto"],
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
    ["db:\n  nested: fake-secret-text", /key db is not a string/],
    ["A: 1\nA: fake-secret-text", /Line 2 of the pasted YAML gives a key twice/],
    ["A: [fake-secret-text", /Line 1 of the pasted YAML is not valid YAML/],
    ["A: ok\nB:", /key B is not a string/],
  ])("refuses %j, saying where and never echoing the text", async (text, message) => {
    const refusal = await parseDocument(text).then(
      () => {
        throw new Error("not refused");
      },
      (error: unknown) => error as Error & { hint?: string },
    );
    expect(refusal.message).toMatch(message);
    expect(`${refusal.message} ${refusal.hint}`).not.toContain("fake-secret-text");
  });
});
