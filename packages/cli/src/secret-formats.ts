/**
 * The four forms a secret's values are written in by `secret get --format` and `secret export`:
 * a JSON object, a YAML mapping, a dotenv file and shell `export` lines (env-formats.ts), and which
 * one a file name asks for.
 */
import path from "node:path";
import { stringify } from "yaml";
import { usageError } from "./cli-errors.js";
import { toDotenv, toShell, variablesFor } from "./env-formats.js";

export const VALUE_FORMATS = ["json", "yaml", "dotenv", "shell"] as const;
export type ValueFormat = (typeof VALUE_FORMATS)[number];

/** The format a file's ending names: .json, .yaml/.yml, .env (and a file named `.env`), .sh. */
const BY_ENDING: Record<string, ValueFormat> = {
  json: "json",
  yaml: "yaml",
  yml: "yaml",
  env: "dotenv",
  sh: "shell",
};

/** The file's ending, lower-cased, without the dot ("" when it has none). */
function endingOf(file: string): string {
  const base = path.basename(file);
  const dot = base.lastIndexOf(".");
  return dot === -1 ? "" : base.slice(dot + 1).toLowerCase();
}

/** The format `file`'s name promises, if it names one. */
export function formatOfName(file: string): ValueFormat | undefined {
  const ending = endingOf(file);
  return Object.hasOwn(BY_ENDING, ending) ? BY_ENDING[ending] : undefined;
}

/**
 * The format to write `file` in: `given` (--format) when the name agrees or names no format;
 * else by the name, YAML for a name without an ending. A name that promises another format than
 * --format, or an ending coffer does not write without --format (`db.txt`), is a usage error
 * rather than one format under a name that promises another.
 */
export function outputFormatFor(file: string, given: ValueFormat | undefined): ValueFormat {
  const base = path.basename(file);
  const named = formatOfName(file);
  if (given !== undefined) {
    if (named !== undefined && named !== given) {
      throw usageError(
        `-o ${base} names a ${named} file, and --format asks for ${given}.`,
        `Name the file for ${given} (${endingsOf(given)}), or leave out --format.`,
      );
    }
    return given;
  }
  if (named !== undefined) return named;
  if (endingOf(file) === "") return "yaml";
  throw usageError(
    `-o ${base}: coffer writes YAML (.yaml, .yml), JSON (.json), dotenv (.env) or shell (.sh), not .${endingOf(file)}.`,
    "Name the file with one of those endings, or say which with --format json|yaml|dotenv|shell.",
  );
}

function endingsOf(format: ValueFormat): string {
  const endings = Object.keys(BY_ENDING).filter((ending) => BY_ENDING[ending] === format);
  return endings.map((ending) => `.${ending}`).join(", ");
}

/** The ending a default file name gets for `format` (`db.env`). */
export function defaultEnding(format: ValueFormat): string {
  return format === "dotenv" ? "env" : format === "shell" ? "sh" : format;
}

/** `values` written in `format`; `allowed` are the variables --allow-env lets through. */
export function serializeValues(
  values: Readonly<Record<string, string>>,
  format: ValueFormat,
  allowed?: ReadonlySet<string>,
): string {
  switch (format) {
    case "json":
      return `${JSON.stringify(values, null, 2)}\n`;
    case "yaml":
      return stringify(values);
    case "dotenv":
      return toDotenv(variablesFor(values, format, allowed));
    case "shell":
      return toShell(variablesFor(values, format, allowed));
  }
}

/** --allow-env NAME,… (repeatable) as a set of names. */
export function allowedVariables(lists: readonly string[] | undefined): Set<string> {
  return new Set(
    (lists ?? [])
      .flatMap((list) => list.split(","))
      .map((name) => name.trim())
      .filter(Boolean),
  );
}
