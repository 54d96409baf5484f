/**
 * Reads a dotenv file (`coffer run --dotenv FILE`) strictly: every line is a comment, blank, or
 * an assignment, and anything else is a ValidationError naming the file and the line — never its
 * text, which may hold a secret — so that a typo is not silently dropped and the program run
 * without the variable.
 *
 * Why not a library: `dotenv` (npm's) and Node's own `util.parseEnv` are lenient by design. Both
 * skip a line they do not understand without a word, keep an unclosed quote as part of the value
 * (`A="abc` gives `"abc`), and cut `p#ss` to `p`; Node's also ends `"a\"b"` at the escaped quote.
 * The format read here is theirs (test/dotenv.test.ts checks that both read every accepted
 * example the same way), with those cases refused instead:
 *
 * - `NAME=value`, optionally `export NAME=value`, spaces allowed around `=`; NAME is a portable
 *   variable name (`[A-Za-z_][A-Za-z0-9_]*`). A name given twice: the later line wins (as dotenv).
 * - Unquoted values are trimmed and end at a ` #` comment; a `#` inside one (`p#ss`) is refused,
 *   since other tools would read a comment there: quote the value.
 * - `'single'` and `` `backtick` `` quotes keep their text exactly; `"double"` quotes turn `\n`,
 *   `\r`, `\t`, `\"` and `\\` into what they stand for (any other backslash stays). Quoted values
 *   may span lines. After the closing quote only spaces and a `# comment` may follow.
 * - `$` is plain text: `$HOME` stays `$HOME` (no expansion, as in dotenv without dotenv-expand).
 * - Blank lines and lines starting with `#` are skipped; a leading byte-order mark is dropped;
 *   `\r\n` line ends are read as `\n`.
 */
import { ValidationError } from "@coffer/core";

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ASSIGNMENT = /^\s*(?:export\s+)?([^=\s]+)\s*=[ \t]*/;
const DOUBLE_QUOTE_ESCAPES: Record<string, string> = { n: "\n", r: "\r", t: "\t", '"': '"', "\\": "\\" };

export interface DotenvReading {
  /** What the error says did not happen: "nothing was run" (coffer run), "nothing was written". */
  consequence?: string;
  /**
   * Refuse a name given twice, naming its second line, instead of letting the later line win:
   * for secrets read from a file (`--values @.env`, `secret import`), where a key given twice is
   * an error everywhere else too.
   */
  refuseRepeats?: boolean;
}

/** Parses the text of a dotenv file; `file` names it in errors. Entries are in file order. */
export function parseDotenv(text: string, file: string, reading: DotenvReading = {}): Map<string, string> {
  const consequence = reading.consequence ?? "nothing was run";
  const lines = text
    .replace(/^\uFEFF/, "")
    .replace(/\r\n?/g, "\n")
    .split("\n");
  const variables = new Map<string, string>();
  let index = 0;
  const fail = (line: number, problem: string, hint: string): never => {
    throw new ValidationError(`${file}, line ${line}: ${problem}; ${consequence}.`, {
      hint,
      details: { field: "dotenv", file, line },
    });
  };

  while (index < lines.length) {
    const lineNumber = index + 1;
    const line = lines[index]!;
    index++;
    if (/^\s*(#|$)/.test(line)) continue;
    const assignment = ASSIGNMENT.exec(line);
    if (!assignment) {
      fail(lineNumber, "the line is not NAME=value", "Write NAME=value, or start a comment with #.");
    }
    const name = assignment![1]!;
    if (!NAME.test(name)) {
      fail(
        lineNumber,
        `'${name.slice(0, 40)}' is not a variable name`,
        "Use letters, digits and _, not starting with a digit.",
      );
    }
    if (reading.refuseRepeats && variables.has(name)) {
      fail(lineNumber, `${name} is given a second time`, "Give each name once.");
    }
    let rest = line.slice(assignment![0].length);
    const quote = rest[0];
    if (quote === '"' || quote === "'" || quote === "`") {
      // Find the closing quote, taking in further lines while it is missing.
      let body = rest.slice(1);
      let close = closingQuote(body, quote);
      while (close < 0 && index < lines.length) {
        body += `\n${lines[index]!}`;
        index++;
        close = closingQuote(body, quote);
      }
      if (close < 0) {
        fail(
          lineNumber,
          `the value of ${name} opens a ${quoteName(quote)} quote that is never closed`,
          "Close the quote (a quoted value may span lines).",
        );
      }
      const after = body.slice(close + 1);
      if (!/^\s*(#.*)?$/.test(after)) {
        fail(
          index,
          `text follows the closing quote of ${name}'s value`,
          "Put the whole value inside the quotes; only a # comment may follow them.",
        );
      }
      const raw = body.slice(0, close);
      variables.set(name, quote === '"' ? unescapeDoubleQuoted(raw) : raw);
      continue;
    }
    // Unquoted: up to a comment that whitespace sets apart, trimmed.
    const comment = /(^|\s)#/.exec(rest);
    if (comment) rest = rest.slice(0, comment.index);
    const value = rest.trim();
    if (value.includes("#")) {
      fail(
        lineNumber,
        `the unquoted value of ${name} holds a '#', which other dotenv readers take for a comment`,
        `Quote the value: ${name}='…'.`,
      );
    }
    variables.set(name, value);
  }
  return variables;
}

/** Where `quote` closes `body` (a double quote escaped by a backslash does not), or -1. */
function closingQuote(body: string, quote: string): number {
  for (let i = 0; i < body.length; i++) {
    if (quote === '"' && body[i] === "\\") {
      i++;
      continue;
    }
    if (body[i] === quote) return i;
  }
  return -1;
}

function unescapeDoubleQuoted(raw: string): string {
  return raw.replace(/\\(.)/gs, (whole, char: string) => DOUBLE_QUOTE_ESCAPES[char] ?? whole);
}

function quoteName(quote: string): string {
  return quote === '"' ? "double" : quote === "'" ? "single" : "backtick";
}
