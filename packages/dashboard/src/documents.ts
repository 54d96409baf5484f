/**
 * Reading a pasted document into key/value pairs for the editor: a JSON object, a YAML mapping
 * (yaml-document.ts, loaded when first needed), or a dotenv file.
 * Strict, like the CLI's `--values @.env` (packages/cli/src/dotenv.ts): a line that is neither a
 * comment, blank, nor `NAME=value` is refused with its line number — never its text, which may
 * hold a secret — and so is a key given twice, instead of silently keeping one.
 *
 * dotenv: `NAME=value` or `export NAME=value`; unquoted values are trimmed and end at ` #`;
 * 'single' and `backtick` quotes keep their text; "double" quotes read \n, \r, \t, \" and \\.
 * Quoted values may span lines. JSON: an object whose values are strings (numbers and booleans
 * are kept as their text).
 */
import { refused } from "./document-errors.js";

const ASSIGNMENT = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=[ \t]*/;
const ESCAPES: Record<string, string> = { n: "\n", r: "\r", t: "\t", '"': '"', "\\": "\\" };

/** A first line `key: value` (a colon before any `=`) is YAML; `KEY=value` is dotenv. */
const YAML_FIRST_LINE = /^(?:---\s*$|[^=#\s][^=]*:(?:\s|$))/;

export async function parseDocument(text: string): Promise<Array<[string, string]>> {
  const trimmed = text.replace(/^\uFEFF/, "").trim();
  if (trimmed.startsWith("{")) return parseJsonDocument(trimmed);
  const firstLine = trimmed
    .split(/\r?\n/)
    .find((line) => line.trim() !== "" && !line.trimStart().startsWith("#"));
  if (firstLine !== undefined && YAML_FIRST_LINE.test(firstLine)) {
    const { parseYamlDocument } = await import("./yaml-document.js");
    return parseYamlDocument(trimmed);
  }
  return parseDotenvDocument(trimmed);
}

function parseJsonDocument(text: string): Array<[string, string]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw refused("The pasted document is not valid JSON.", "Paste a JSON object, or a .env file.");
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw refused("The pasted JSON is not an object.", 'Paste {"KEY": "value", …}.');
  }
  return Object.entries(parsed).map(([key, value]) => {
    if (typeof value === "string") return [key, value];
    if (typeof value === "number" || typeof value === "boolean") return [key, String(value)];
    throw refused(
      `The pasted JSON's key ${key} is not a string.`,
      "Values are strings; nested objects are not.",
    );
  });
}

function parseDotenvDocument(text: string): Array<[string, string]> {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  const pairs: Array<[string, string]> = [];
  const seen = new Set<string>();
  let index = 0;
  while (index < lines.length) {
    const lineNumber = index + 1;
    const line = lines[index++] as string;
    if (line.trim() === "" || line.trimStart().startsWith("#")) continue;
    const assignment = ASSIGNMENT.exec(line);
    if (!assignment) {
      throw refused(
        `Line ${lineNumber} of the pasted document is not NAME=value.`,
        "Each line is NAME=value, a # comment, or blank.",
      );
    }
    const key = assignment[1] as string;
    let rest = line.slice(assignment[0].length);
    let value: string;
    const quote = rest[0];
    if (quote === '"' || quote === "'" || quote === "`") {
      // The value runs to the closing quote, across lines if need be.
      let body = rest.slice(1);
      let end = closing(body, quote);
      while (end < 0 && index < lines.length) {
        body += `\n${lines[index++]}`;
        end = closing(body, quote);
      }
      if (end < 0)
        throw refused(`Line ${lineNumber}: the quoted value is never closed.`, `Close it with ${quote}.`);
      const after = body.slice(end + 1).trim();
      if (after !== "" && !after.startsWith("#")) {
        throw refused(
          `Line ${lineNumber}: text follows the closing quote.`,
          "Only a # comment may follow it.",
        );
      }
      value = body.slice(0, end);
      if (quote === '"')
        value = value.replace(/\\([nrt"\\])/g, (_, letter: string) => ESCAPES[letter] ?? letter);
    } else {
      const comment = rest.search(/\s#/);
      if (comment >= 0) rest = rest.slice(0, comment);
      value = rest.trim();
      if (value.includes("#")) {
        throw refused(
          `Line ${lineNumber}: an unquoted value holds a #.`,
          "Quote the value: other tools read a comment there.",
        );
      }
    }
    if (seen.has(key)) throw refused(`Line ${lineNumber}: ${key} is given twice.`, "Give each key once.");
    seen.add(key);
    pairs.push([key, value]);
  }
  if (pairs.length === 0)
    throw refused("The pasted document holds no key.", "Paste NAME=value lines or a JSON object.");
  return pairs;
}

/** Where `quote` closes `body` (a double quote escaped by a backslash does not), or -1. */
function closing(body: string, quote: string): number {
  for (let i = 0; i < body.length; i++) {
    if (quote === '"' && body[i] === "\\") {
      i++;
      continue;
    }
    if (body[i] === quote) return i;
  }
  return -1;
}
