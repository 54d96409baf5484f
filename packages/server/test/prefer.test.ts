// The Prefer header parser (RFC 7240) on its own: what counts as `return=minimal`, and that
// nothing a client sends there throws. The routes that honour it: prefer-minimal.test.ts.
import { describe, expect, it } from "vitest";
import { parsePrefer, prefersMinimal } from "../src/routes/prefer.js";

describe("Prefer (RFC 7240)", () => {
  it.each([
    ["return=minimal", true],
    ["Return=minimal", true], // names are case-insensitive
    ['return="minimal"', true], // a value may be a quoted string
    ["return = minimal", true], // BWS around "="
    ["respond-async, return=minimal; foo=bar", true],
    ['handling=lenient; note="a, b", return=minimal', true], // a comma inside quotes splits nothing
    ["wait=10,return=minimal", true],
    [["respond-async", "return=minimal"], true], // two header lines
    ["return=MINIMAL", false], // values are case-sensitive
    ["return=representation", false],
    ["return=representation, return=minimal", false], // only the first instance counts
    ["return=minimal, return=representation", true],
    ["return", false],
    ["return=", false],
    ['return=mini"mal', false],
    ['return="minimal', false],
    ["=minimal", false],
    ["re turn=minimal", false],
    ["minimal", false],
    ["", false],
    [",,,;;;", false],
    ['"""', false],
    ["return=minimal\u00ff\u0000", false],
    ["x".repeat(10_000), false],
  ] as Array<[string | string[], boolean]>)("%j → minimal: %s", (header, minimal) => {
    expect(prefersMinimal({ prefer: header })).toBe(minimal);
  });

  it("is absent without the header", () => {
    expect(prefersMinimal({})).toBe(false);
    expect(parsePrefer(undefined).size).toBe(0);
  });

  it("reads every preference by its lower-cased name, first instance first, escapes undone", () => {
    expect([...parsePrefer('Wait=10, respond-async, note="say \\"hi\\"", WAIT=20')]).toEqual([
      ["wait", "10"],
      ["respond-async", ""],
      ["note", 'say "hi"'],
    ]);
  });
});
