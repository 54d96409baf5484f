/**
 * The shape of a command described as data — its path, summary, arguments, options, help and the
 * handler it imports when it runs — and the small parsers and help-text helpers the descriptions
 * share. `program.ts` turns descriptions into commander commands.
 */
import { type Command, InvalidArgumentError } from "commander";
import type { Context } from "../context.js";

/** What runs a command: gets the context (printing, client) and commander's parsed command. */
export type Handler = (context: Context, command: Command) => Promise<void>;

/** Turns an option's text into its value; gets the previous value for repeatable options. */
export type ArgumentParser = (value: string, previous: never) => unknown;

export interface ArgumentSpec {
  /** As commander writes it: `<name>`, `<command...>`. */
  name: string;
  description: string;
  /** The only values accepted (commander checks them before the command runs: exit 2). */
  choices?: readonly string[];
}

export interface OptionSpec {
  /** As commander writes them: `-p, --private <true|false>`, `--no-generate`. */
  flags: string;
  description: string;
  /** Parses the value (a message for a bad one: commander's InvalidArgumentError). */
  parse?: ArgumentParser;
  /** The only values accepted (commander checks them; not together with `parse`). */
  choices?: readonly string[];
  default?: unknown;
  /** The command refuses to run without it. */
  required?: boolean;
}

export interface CommandSpec {
  /** The words that name it: `["secret", "create"]`, `["run"]`. At most two. */
  path: readonly [string] | readonly [string, string];
  /** The one line shown in lists and at the top of its help. */
  summary: string;
  arguments?: readonly ArgumentSpec[];
  options?: readonly OptionSpec[];
  /** The group's default: `coffer backup -o f` runs `coffer backup create -o f`. */
  isDefault?: boolean;
  /** Takes `--KEY=VALUE` options of the caller's own, and the words that come with them. */
  passThrough?: boolean;
  /** Paragraphs shown after the options, before the examples (a function: built only when shown). */
  details?: () => string;
  /** Command lines shown under "Examples:" in its help. */
  examples: readonly string[];
  /** Imports the code that runs it, when it runs (never at start-up). */
  handler: () => Promise<Handler>;
}

/** A word that holds commands (`secret`), with the line shown for it in `coffer --help`. */
export interface GroupSpec {
  name: string;
  summary: string;
}

export function parseBoolean(value: string): boolean {
  const normalized = value.trim().toLowerCase();
  if (normalized === "true") return true;
  if (normalized === "false") return false;
  throw new InvalidArgumentError("Use true or false.");
}

export function parseCount(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) throw new InvalidArgumentError("Use a whole number.");
  return number;
}

/** A whole number from `min` to `max`: the message for any other gives the range. */
export function parseWholeNumber(min: number, max: number): (value: string) => number {
  return (value) => {
    const number = Number(value.trim());
    if (value.trim() === "" || !Number.isInteger(number) || number < min || number > max) {
      throw new InvalidArgumentError(`Use a whole number from ${min} to ${max}.`);
    }
    return number;
  };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * A point in time for the list filters: a date (YYYY-MM-DD, midnight UTC) or an ISO 8601 timestamp
 * with its offset (2026-12-04T09:30:00Z, …+01:00). Returned as the ISO timestamp the API takes.
 */
export function parseTime(value: string): string {
  const text = value.trim();
  const time = DATE.test(text)
    ? new Date(`${text}T00:00:00Z`)
    : TIMESTAMP.test(text)
      ? new Date(text)
      : undefined;
  // Date rolls 2026-02-30 over into March: a date that does not read back the same is refused.
  if (time === undefined || Number.isNaN(time.getTime()) || !realDate(text)) {
    throw new InvalidArgumentError(
      "Use a date (2026-12-04, midnight UTC) or an ISO 8601 time (2026-12-04T09:30:00Z).",
    );
  }
  return time.toISOString();
}

/** Whether the YYYY-MM-DD the text starts with is a day of the calendar. */
function realDate(text: string): boolean {
  const [year, month, day] = text.slice(0, 10).split("-").map(Number) as [number, number, number];
  const probe = new Date(Date.UTC(year, month - 1, day));
  return probe.getUTCDate() === day && probe.getUTCMonth() === month - 1;
}

/** For repeatable options: each use adds its value to a list. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** A template whose literal lines lose their indentation (so help text can sit indented in code). */
export function help(strings: TemplateStringsArray, ...values: string[]): string {
  return strings.reduce(
    (text, part, index) => text + part.replace(/\n[ \t]+/g, "\n") + (values[index] ?? ""),
    "",
  );
}

/** A long comma-separated list broken into help-text lines. */
export function wrapList(list: string, width = 96): string {
  const lines: string[] = [];
  let line = "";
  for (const word of list.split(" ")) {
    if (line !== "" && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  if (line !== "") lines.push(line);
  return lines.join("\n");
}
