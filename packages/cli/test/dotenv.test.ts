// The dotenv reader of `coffer run --dotenv` (src/dotenv.ts): what it accepts, read as dotenv
// and Node's own util.parseEnv read it; what those two silently drop or cut, refused with the line.
import { parseEnv } from "node:util";
import { ValidationError } from "@coffer/core";
import { describe, expect, it } from "vitest";
import { parseDotenv } from "../src/dotenv.js";

const read = (text: string) => Object.fromEntries(parseDotenv(text, ".env"));

/** The error parseDotenv throws for `text`. */
function refusal(text: string): ValidationError {
  try {
    parseDotenv(text, ".env");
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error(`accepted: ${JSON.stringify(text)}`);
}

describe("parseDotenv", () => {
  it("reads quotes, $, unicode, comments, export and multi-line values", () => {
    const text = [
      "# a comment",
      "",
      "PLAIN=fake-plain-value",
      "SPACED =  padded value   # a comment after a space",
      "export EXPORTED=yes",
      "SINGLE='keeps \\n and $HOME as written'",
      'DOUBLE="line one\\nline two \\"quoted\\" back\\\\slash"',
      'BACKTICK=`it\'s "both"`',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${USER}, not expanded
      "DOLLAR=$HOME/${USER}",
      "UNICODE=clé-✓-日本-🙂",
      'MULTI="first',
      "second",
      'third" # after',
      "HASH_QUOTED='p#ss'",
      "EMPTY=",
      "EMPTY_QUOTED=''",
      "  INDENTED=yes",
    ].join("\r\n");
    expect(read(text)).toEqual({
      PLAIN: "fake-plain-value",
      SPACED: "padded value",
      EXPORTED: "yes",
      SINGLE: "keeps \\n and $HOME as written",
      DOUBLE: 'line one\nline two "quoted" back\\slash',
      BACKTICK: `it's "both"`,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${USER}, not expanded
      DOLLAR: "$HOME/${USER}",
      UNICODE: "clé-✓-日本-🙂",
      MULTI: "first\nsecond\nthird",
      HASH_QUOTED: "p#ss",
      EMPTY: "",
      EMPTY_QUOTED: "",
      INDENTED: "yes",
    });
  });

  it("reads every example it accepts as Node's util.parseEnv does (the dotenv format)", () => {
    const examples = [
      "A=plain",
      "A = spaced  ",
      "A=value # comment",
      "export A=1",
      "A='single $X \\n'",
      'A="double\\nnewline"',
      "A=`backtick`",
      'A="multi\nline"',
      "A=clé ✓",
      "A=",
      "# only a comment\nA=1\n\nB=2",
      "A=1\nA=2",
    ];
    for (const text of examples) expect(read(text), text).toEqual(parseEnv(text));
  });

  it("a later line for the same name wins", () => {
    expect(read("A=1\nA=2")).toEqual({ A: "2" });
  });

  it.each([
    ["not an assignment", "A=1\nthis is not an assignment\n", 2, "the line is not NAME=value"],
    ["a name alone", "A=1\nB\n", 2, "the line is not NAME=value"],
    ["no name", "=fake-value\n", 1, "the line is not NAME=value"],
    ["a name starting with a digit", "1A=x\n", 1, "'1A' is not a variable name"],
    ["a name with a dot", "a.b=x\n", 1, "'a.b' is not a variable name"],
    [
      "an unclosed double quote",
      'A=1\nB="fake-unclosed\nC=2\n',
      2,
      "the value of B opens a double quote that is never closed",
    ],
    [
      "an unclosed single quote",
      "B='fake-unclosed",
      1,
      "the value of B opens a single quote that is never closed",
    ],
    ["text after the closing quote", 'B="fake-a" fake-b\n', 1, "text follows the closing quote of B's value"],
    ["a # inside an unquoted value", "B=fake#secret\n", 1, "the unquoted value of B holds a '#'"],
  ])("refuses %s with the line, never the value", (_what, text, line, problem) => {
    const error = refusal(text);
    expect(error.message).toContain(`.env, line ${line}: ${problem}`);
    expect(error.message).toContain("nothing was run");
    expect(error.details).toMatchObject({ file: ".env", line });
    expect(`${error.message} ${error.hint}`).not.toMatch(/fake-|secret/);
  });
});
