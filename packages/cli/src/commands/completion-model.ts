/**
 * What shell completion needs to know about coffer, read from the command tree (command-tree/):
 * the words at each level, each command's options (which take a value, and what completes that
 * value) and its arguments. The bash, zsh and fish scripts are written from this, so a command or
 * an option added to the tree completes without anyone touching the scripts.
 */
import { Option } from "commander";
import { COMMAND_SPECS, type CommandSpec, GROUPS, type OptionSpec, PROGRAM } from "../command-tree/index.js";

/**
 * How a word completes: not at all (free text), one of a few values, a file path, a value that
 * may be `@file`, a secret's name, or a command to run (then its arguments: files).
 */
export type ValueKind =
  | { kind: "none" }
  | { kind: "choice"; values: readonly string[] }
  | { kind: "file" }
  | { kind: "at-file" }
  | { kind: "secret" }
  | { kind: "command" };

export interface CompletionOption {
  /** As typed: `-s`, `--secret`. */
  names: string[];
  description: string;
  /** `none`: a flag; `required`: the next word is its value; `optional`: only `--flag=value`. */
  takes: "none" | "required" | "optional";
  value: ValueKind;
}

export interface CompletionWord {
  name: string;
  summary: string;
}

export interface CompletionCommand {
  /** `["secret", "get"]`; `[]` is coffer itself, `["secret"]` a group. */
  path: readonly string[];
  /** The words that may come next: a group's commands, or coffer's commands and groups. */
  words: CompletionWord[];
  options: CompletionOption[];
  /** How each positional argument completes, in order; the last repeats when it is variadic. */
  arguments: ValueKind[];
}

const HELP: CompletionOption = {
  names: ["-h", "--help"],
  description: "show help for a command",
  takes: "none",
  value: { kind: "none" },
};
const VERSION: CompletionOption = {
  names: ["-V", "--version"],
  description: "print the version",
  takes: "none",
  value: { kind: "none" },
};

/** Every level of coffer's command tree, coffer itself first, then groups and commands in order. */
export function completionTree(): CompletionCommand[] {
  const top: CompletionWord[] = [];
  const groupWords = new Map<string, CompletionWord[]>();
  for (const spec of COMMAND_SPECS) {
    const [first, second] = spec.path;
    if (second === undefined) {
      top.push({ name: first, summary: spec.summary });
      continue;
    }
    if (!groupWords.has(first)) {
      const group = GROUPS.find((candidate) => candidate.name === first);
      top.push({ name: first, summary: group?.summary ?? "" });
      groupWords.set(first, []);
    }
    groupWords.get(first)!.push({ name: second, summary: spec.summary });
  }
  const programOptions = PROGRAM.options.map(toCompletionOption);
  return [
    { path: [], words: top, options: [...programOptions, VERSION, HELP], arguments: [] },
    ...[...groupWords].map(([name, words]) => ({
      path: [name],
      words,
      options: [HELP],
      arguments: [],
    })),
    ...COMMAND_SPECS.map((spec) => ({
      path: spec.path,
      words: [],
      // As program.ts defines them: the command's own, coffer's, then help.
      options: [...(spec.options ?? []), ...PROGRAM.options].map(toCompletionOption).concat(HELP),
      arguments: (spec.arguments ?? []).map((argument) => argumentKind(spec, argument)),
    })),
  ];
}

function toCompletionOption(spec: OptionSpec): CompletionOption {
  // Commander's own reading of the flags: `-s, --secret <names>`, `--no-generate`, `[true|false]`.
  const option = new Option(spec.flags, spec.description);
  const names = [option.short, option.long].filter((name): name is string => name !== undefined);
  const takes = option.required ? "required" : option.optional ? "optional" : "none";
  const placeholder = /[<[]([^>\]]+)[>\]]/.exec(spec.flags)?.[1] ?? "";
  return { names, description: spec.description, takes, value: valueKind(placeholder, spec.choices) };
}

/**
 * What completes an option's value, from its choices or its placeholder: `<file>` a path,
 * `<json|yaml|@file>` a path after `@`, `<true|false>` those words; anything else is free text.
 */
function valueKind(placeholder: string, choices?: readonly string[]): ValueKind {
  if (choices) return { kind: "choice", values: choices };
  if (placeholder.includes("@file")) return { kind: "at-file" };
  if (/\bfile\b/.test(placeholder)) return { kind: "file" };
  if (/^[\w-]+(\|[\w-]+)+$/.test(placeholder)) return { kind: "choice", values: placeholder.split("|") };
  return { kind: "none" };
}

/**
 * An argument: its choices; `<file>` a path; `<command...>` a program; `<name>` of a secret
 * command other than `create` (whose name is new) an existing secret's name.
 */
function argumentKind(spec: CommandSpec, argument: { name: string; choices?: readonly string[] }): ValueKind {
  if (argument.choices) return { kind: "choice", values: argument.choices };
  const placeholder = argument.name.replace(/[<>[\].]/g, "");
  if (placeholder === "file") return { kind: "file" };
  if (placeholder === "command") return { kind: "command" };
  if (placeholder === "name" && spec.path[0] === "secret" && spec.path[1] !== "create") {
    return { kind: "secret" };
  }
  return { kind: "none" };
}

// --- for the bash and zsh scripts, which share the quoting and the `case` syntax -----------------

/** `text` as one bash or zsh word: single-quoted, a `'` inside written `'\''`. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** How a value completes, as the scripts' functions pass it around: `choice a b`, `file`, … */
export function kindWord(value: ValueKind): string {
  return value.kind === "choice" ? ["choice", ...value.values].join(" ") : value.kind;
}

/** One arm of a `case`: `'a'|'b') body ;;`. */
export function caseArm(patterns: string[], body: string): string {
  return `    ${patterns.map(shellQuote).join("|")}) ${body} ;;`;
}

/** `secret get|--key`: the key the scripts look an option's value up by (`|` is in no word). */
export function optionKey(path: readonly string[], name: string | number): string {
  return `${path.join(" ")}|${name}`;
}
