/**
 * Where `secret create` and `secret update` get keys and values from:
 *
 *   --KEY=VALUE          one value; KEY is everything between `--` and the first `=`
 *   --KEY=@path          the value is the file's contents (one trailing newline dropped)
 *   --KEY=@-             the value is standard input
 *   --KEY=@@text         the value is `@text` (a leading @@ stands for a literal @)
 *   --values TEXT        a JSON object or a YAML mapping of keys to values
 *   --values @path       the same, read from a file (@- for standard input)
 *   -i                   asked at the terminal, values hidden
 *
 * The sources add up; a key given twice (in one source or across them) is an error. Nothing in
 * an error message ever quotes a value: messages name keys, files, lines and columns only.
 *
 * Values are text, and are kept as the text written:
 *   - YAML is read with the failsafe schema and without the YAML 1.1 "known tags": `port: 0587`
 *     is "0587" and `version: 1.50` stays "1.50" (the core schema would make them numbers). A
 *     value or key with an explicit tag other than `!!str` (`!!binary`, `!!timestamp`, `!!int`,
 *     a local `!tag`) is refused: a tag asks for a conversion Coffer does not make, and applying
 *     it (the yaml library decodes !!binary, turns !!timestamp into a date) would store other
 *     text than the one written.
 *   - JSON values must be strings: a number, boolean or null is refused with a hint to quote it
 *     (JSON.parse has already turned `1.50` into 1.5, so the text written cannot be kept). The
 *     server refuses them the same way.
 */
import { readFileSync } from "node:fs";
import { ValidationError } from "@coffer/core";
import { type Document, isAlias, isMap, isScalar, parseDocument, type YAMLMap } from "yaml";
import { usageError } from "./cli-errors.js";

export interface Assignment {
  key: string;
  /** The text after `=`, before any @file is read. */
  raw: string;
}

export interface SplitArguments {
  positionals: string[];
  assignments: Assignment[];
}

/**
 * Sorts the arguments commander did not recognise into positionals and --KEY=VALUE assignments.
 * `reserved` are the command's own long options: `--private=x` is a mistake, not a key.
 */
export function splitArguments(
  args: readonly string[],
  reserved: readonly string[],
  command: string,
): SplitArguments {
  const positionals: string[] = [];
  const assignments: Assignment[] = [];
  let operandsOnly = false;
  for (const arg of args) {
    if (operandsOnly || arg === "-" || !arg.startsWith("-")) {
      positionals.push(arg);
    } else if (arg === "--") {
      operandsOnly = true;
    } else if (arg.startsWith("--") && arg.includes("=")) {
      const key = arg.slice(2, arg.indexOf("="));
      if (key === "")
        throw usageError(`'${arg.slice(0, 20)}' has no key before the '='.`, "Write --KEY=VALUE.");
      if (reserved.includes(key)) {
        throw usageError(
          `--${key} is an option of '${command}', so it cannot name a key.`,
          `To store a key named '${key}', pass it in --values, e.g. --values '{"${key}": "…"}'.`,
        );
      }
      assignments.push({ key, raw: arg.slice(arg.indexOf("=") + 1) });
    } else if (arg.startsWith("--")) {
      throw usageError(
        `Unknown option '${arg}'.`,
        `To set the key '${arg.slice(2)}', write ${arg}=VALUE; run 'coffer ${command} --help' for the options.`,
      );
    } else {
      // Only the flag itself: `-s3cr3t` is -s with a value attached, and values are not echoed.
      throw usageError(
        `Unknown option '${arg.slice(0, 2)}'.`,
        `Run 'coffer ${command} --help' for the options.`,
      );
    }
  }
  return { positionals, assignments };
}

/** Reads standard input at most once per command. */
export class InputReader {
  #stdinUsedBy: string | undefined;

  /** The text behind a value: itself, a file's contents (`@path`), stdin (`@-`), or `@…` (`@@…`). */
  value(raw: string, what: string, options: { trimNewline: boolean }): string {
    if (raw.startsWith("@@")) return raw.slice(1);
    if (!raw.startsWith("@")) return raw;
    const file = raw.slice(1);
    if (file === "") {
      throw new ValidationError(`${what} is '@' with no file after it.`, {
        hint: "Write @path/to/file, @- for standard input, or @@ for a value that starts with a literal @.",
        details: { field: "values" },
      });
    }
    const text = file === "-" ? this.#stdin(what) : readInputFile(file, what);
    return options.trimNewline ? text.replace(/\r?\n$/, "") : text;
  }

  #stdin(what: string): string {
    if (this.#stdinUsedBy) {
      throw usageError(
        `${what} and ${this.#stdinUsedBy} both read standard input, which can be read only once.`,
        "Read one of them from a file instead.",
      );
    }
    this.#stdinUsedBy = what;
    try {
      return readFileSync(0, "utf8");
    } catch (error) {
      throw new ValidationError(`Standard input cannot be read (${(error as NodeJS.ErrnoException).code}).`, {
        hint: "Pipe the value in, or give it from a file with @path.",
        details: { field: "values" },
      });
    }
  }
}

/** A file's text; `what` names who asked (`--password`), for the message. */
export function readInputFile(file: string, what?: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    const reason =
      code === "ENOENT"
        ? "does not exist"
        : code === "EISDIR"
          ? "is a directory"
          : `cannot be read (${code})`;
    const message = what ? `${what} names the file ${file}, which ${reason}.` : `The file ${file} ${reason}.`;
    throw new ValidationError(message, {
      hint: "Check the path (relative paths start from the current directory).",
      details: { field: "values", file },
    });
  }
}

/**
 * Parses `--values` text into [key, value] pairs, in the order written. JSON is checked as JSON
 * (so that `{"a": }` is an error, not the empty string YAML would make of it); anything else is
 * read as YAML.
 */
export function parseValuesDocument(text: string, source: string): Array<[string, string]> {
  const looksLikeJson = text.trimStart().startsWith("{");
  if (looksLikeJson) checkJson(text, source);
  const document = parseDocument(text, {
    schema: "failsafe",
    // Known tags (!!binary, !!timestamp, !!set…) would otherwise be applied even under failsafe.
    resolveKnownTags: false,
    prettyErrors: false,
    uniqueKeys: false,
  });
  const first = document.errors[0];
  if (first) {
    throw new ValidationError(
      `${source} is malformed ${looksLikeJson ? "JSON" : "YAML"}${where(text, first.pos[0])}: ${describeYamlError(first.code)}.`,
      {
        hint: 'Give a JSON object or a YAML mapping of keys to text values, e.g. \'{"username": "app"}\'.',
        details: { field: "values" },
      },
    );
  }
  const contents = document.contents;
  if (contents === null || (isScalar(contents) && contents.value === "")) return [];
  if (!isMap(contents)) {
    throw new ValidationError(`${source} is not a mapping of keys to values.`, {
      hint: 'Write an object such as {"username": "app", "password": "…"}, or YAML lines such as "username: app".',
      details: { field: "values" },
    });
  }
  refuseTag(contents, `${source} as a whole`);
  return mappingPairs(contents, document, source);
}

/**
 * The [key, text] pairs of a YAML mapping, in the order written: keys and values plain text (a
 * tag other than !!str, a null, a nested mapping or list, a key given twice: refused, naming the
 * key and never the value). Also reads each secret's mapping in a `secret import` file.
 */
export function mappingPairs(contents: YAMLMap, document: Document, source: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  const seen = new Set<string>();
  for (const pair of contents.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
    if (isScalar(pair.key)) refuseTag(pair.key, `a key in ${source}`);
    if (key === undefined) {
      throw new ValidationError(`${source} has a key that is not plain text.`, {
        hint: "Keys are names such as 'password'.",
        details: { field: "values" },
      });
    }
    if (seen.has(key)) {
      throw new ValidationError(`The key '${key}' is given twice in ${source}.`, {
        hint: "Give each key once.",
        details: { field: "values", key },
      });
    }
    seen.add(key);
    // An alias (*name) of text is that text; of a mapping or list, a nested value like any other.
    const value = isAlias(pair.value) ? pair.value.resolve(document) : pair.value;
    if (value === null || value === undefined || (isScalar(value) && isYamlNull(value))) {
      // `key:` with nothing after it is YAML's null: refused as JSON's null is, not stored as "".
      throw new ValidationError(`The value of key '${key}' in ${source} is null, not text.`, {
        hint: NULL_HINT,
        details: { field: "values", key },
      });
    } else if (isScalar(value)) {
      refuseTag(value, `the value of key '${key}' in ${source}`, key);
      pairs.push([key, String(value.value)]);
    } else {
      throw new ValidationError(
        `The value of key '${key}' in ${source} is a nested mapping or list, not text.`,
        {
          hint: `Secret values are text; to store structured data, write it as JSON text, e.g. ${key}: '{"a": 1}'.`,
          details: { field: "values", key },
        },
      );
    }
  }
  return pairs;
}

const NULL_HINT = 'Give it a value ("" for empty text), or leave the key out (update has --remove-keys).';

/** A value written as nothing at all (`key:`), which YAML reads as null (failsafe makes it ""). */
function isYamlNull(node: {
  value: unknown;
  type?: string | undefined;
  source?: string | undefined;
}): boolean {
  return node.value === "" && node.type === "PLAIN" && !node.source;
}

/** Tags that change nothing: `!!str` and the non-specific `!`. */
const TEXT_TAGS = new Set(["tag:yaml.org,2002:str", "!"]);

function refuseTag(node: { tag?: string | undefined }, what: string, key?: string): void {
  if (node.tag === undefined || TEXT_TAGS.has(node.tag)) return;
  const tag = node.tag.replace(/^tag:yaml\.org,2002:/, "!!");
  throw new ValidationError(
    `${what[0]!.toUpperCase()}${what.slice(1)} has the YAML tag ${tag}: values are kept as the text written, so tags are not applied.`,
    {
      hint: `Remove the tag${tag === "!!binary" ? " (the base64 text is then stored as it is)" : ""}.`,
      details: { field: "values", ...(key === undefined ? {} : { key }) },
    },
  );
}

function checkJson(text: string, source: string): void {
  const parsed = parseJson(text, source);
  if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) {
    checkJsonValues(parsed as Record<string, unknown>, source);
  }
}

/** JSON.parse, its error naming the line and column of `source`, never the text. */
export function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    // V8's message can quote the text; only the position is passed on.
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    throw new ValidationError(
      `${source} is malformed JSON${position === undefined ? "" : where(text, Number(position))}.`,
      {
        hint: 'Check quotes, commas and braces: {"username": "app", "password": "…"}.',
        details: { field: "values" },
      },
    );
  }
}

/** Refuses a JSON value that is not a string, naming its key (JSON.parse has lost the text). */
export function checkJsonValues(parsed: Record<string, unknown>, source: string): void {
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value === "number" || typeof value === "boolean") {
      // The value is not echoed (it may be a PIN); JSON.parse has lost its text already.
      throw new ValidationError(
        `The value of key '${key}' in ${source} is a JSON ${typeof value}, not text.`,
        {
          hint: `Values are strings: quote it, "${key}": "…".`,
          details: { field: "values", key },
        },
      );
    }
    if (value === null || typeof value === "object") {
      const what = value === null ? "null" : Array.isArray(value) ? "a list" : "an object";
      throw new ValidationError(`The value of key '${key}' in ${source} is ${what}, not text.`, {
        hint: value === null ? NULL_HINT : `Write structured data as JSON text: "${key}": "{\\"a\\": 1}".`,
        details: { field: "values", key },
      });
    }
  }
}

export function where(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - before.lastIndexOf("\n");
  return ` at line ${line}, column ${column}`;
}

const YAML_PROBLEMS: Record<string, string> = {
  MISSING_CHAR: "a closing quote or bracket is missing",
  // Also what an unclosed [ or { gives ('a: [1, 2'): the parser looks for the rest further in.
  BAD_INDENT: "a [ or { is not closed, or the indentation is wrong",
  BLOCK_AS_IMPLICIT_KEY: "a nested block cannot be a key",
  MULTILINE_IMPLICIT_KEY: "a key cannot span lines",
  UNEXPECTED_TOKEN: "unexpected text",
  TAB_AS_INDENT: "tabs cannot indent YAML; use spaces",
  BAD_ALIAS: "an alias is not valid",
  BAD_SCALAR_START: "a value cannot start with this character; quote it",
  MULTIPLE_DOCS: "it holds more than one document",
  MULTIPLE_ANCHORS: "a node has two anchors",
  TAG_RESOLVE_FAILED: "a tag cannot be resolved",
};

export function describeYamlError(code: string): string {
  return YAML_PROBLEMS[code] ?? code.toLowerCase().replace(/_/g, " ");
}
