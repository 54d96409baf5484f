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
