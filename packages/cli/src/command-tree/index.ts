/**
 * Every coffer command in one ordered description — the one list that the command tree
 * (program.ts), the error messages' `coffer secret get` (main.ts) and the tests that go through
 * every command are derived from. Adding a command is adding its description here.
 */
import { ACCOUNT_COMMANDS, CONTEXT_COMMANDS, CONTEXT_GROUP } from "./account.js";
import { AUDIT_COMMANDS, AUDIT_GROUP } from "./audit.js";
import { BACKUP_COMMANDS, BACKUP_GROUP, RESTORE_COMMAND } from "./backup.js";
import { COMPLETION_COMMAND } from "./completion.js";
import { RECONCILE_COMMAND, RUN_COMMAND, STORE_COMMANDS, STORE_GROUP } from "./local.js";
import { DIFF_COMMAND, MIGRATE_COMMAND } from "./migrate.js";
import { SECRET_COMMANDS, SECRET_GROUP } from "./secret.js";
import {
  LOGIN_COMMANDS,
  SERVER_COMMANDS,
  SERVER_GROUP,
  TOKEN_COMMANDS,
  TOKEN_GROUP,
  USER_COMMANDS,
  USER_GROUP,
} from "./server.js";
import { type CommandSpec, type GroupSpec, help, type OptionSpec } from "./spec.js";

export type { CommandSpec, GroupSpec, Handler, OptionSpec } from "./spec.js";

/** `coffer` itself: its summary, the options every command takes, and its help. */
export const PROGRAM = {
  name: "coffer",
  summary: "Coffer keeps secrets — named groups of key/value pairs — in the store your deployment chose.",
  options: [
    { flags: "--json", description: "print results as JSON (errors too, on stderr)" },
    { flags: "--debug", description: "print debug logs, and a stack trace with an error" },
    {
      flags: "--config <file>",
      description: "a Coffer YAML configuration file (default: COFFER_CONFIG_FILE)",
    },
    {
      flags: "--insecure",
      description:
        "send the API token over plain http:// to a server not on this machine (default: COFFER_INSECURE)",
    },
  ] satisfies OptionSpec[],
  details: () => help`
    Local mode keeps secrets in ${dataDirectory()}, as the
    user COFFER_USER (default: your login name). Exit codes and settings: see the README.`,
  examples: [
    "coffer secret create db --username=app --password=@password.txt",
    "coffer secret get db --key password",
    "coffer run -s db -- ./start-server",
  ],
};

/** Where local mode keeps secrets, as the help shows it: COFFER_DATA_DIR when set. */
function dataDirectory(): string {
  const set = process.env.COFFER_DATA_DIR;
  if (set) return `${set} (COFFER_DATA_DIR)`;
  const fallback =
    process.platform === "darwin" ? "~/Library/Application Support/coffer" : "~/.local/share/coffer";
  return `${fallback} (default; COFFER_DATA_DIR changes it)`;
}

/** The words that hold commands (`coffer secret …`). */
export const GROUPS: readonly GroupSpec[] = [
  SECRET_GROUP,
  STORE_GROUP,
  BACKUP_GROUP,
  CONTEXT_GROUP,
  SERVER_GROUP,
  USER_GROUP,
  TOKEN_GROUP,
  AUDIT_GROUP,
];

/** Every command, in the order `coffer --help` lists them (a group where its first command is). */
export const COMMAND_SPECS: readonly CommandSpec[] = [
  ...SECRET_COMMANDS,
  RUN_COMMAND,
  ...STORE_COMMANDS,
  RECONCILE_COMMAND,
  MIGRATE_COMMAND,
  DIFF_COMMAND,
  ...BACKUP_COMMANDS,
  RESTORE_COMMAND,
  ...LOGIN_COMMANDS,
  ...ACCOUNT_COMMANDS,
  ...CONTEXT_COMMANDS,
  ...SERVER_COMMANDS,
  ...USER_COMMANDS,
  ...TOKEN_COMMANDS,
  COMPLETION_COMMAND,
  ...AUDIT_COMMANDS,
];

/** The commands by first word: `secret` → its subcommands, `run` → none. */
export const COMMANDS: Readonly<Record<string, readonly string[]>> = (() => {
  const table: Record<string, string[]> = {};
  for (const { path } of COMMAND_SPECS) {
    const [first, second] = path;
    table[first] ??= [];
    if (second !== undefined) table[first].push(second);
  }
  return table;
})();

/**
 * The words of argv that name a command, as far as they do: `["secret", "get"]`, `["run"]`,
 * `["secret"]` (a group without a known subcommand), or `[]`.
 */
export function commandWords(argv: readonly string[]): string[] {
  const [first, second] = argv.filter((word) => !word.startsWith("-"));
  if (first === undefined || !Object.hasOwn(COMMANDS, first)) return [];
  return second !== undefined && COMMANDS[first]!.includes(second) ? [first, second] : [first];
}

/**
 * The command argv names, when it plainly names one (`secret get …`) and asks for no help: then
 * only that command is defined, which saves defining (and parsing the help of) all the others.
 */
export function namedCommand(argv: readonly string[]): string[] | undefined {
  if (argv.some((arg) => arg === "-h" || arg === "--help")) return undefined;
  const words = commandWords(argv);
  if (words.length === 0) return undefined;
  return words.length === 2 || COMMANDS[words[0]!]!.length === 0 ? words : undefined;
}
