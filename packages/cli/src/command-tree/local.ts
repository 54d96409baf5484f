/**
 * `coffer run`, `coffer store …` and `coffer reconcile`, described as data (see spec.ts): running a
 * program with secrets, and looking after the store.
 */
import { describeRefusedVariables } from "../env-guard.js";
import { type CommandSpec, collect, type GroupSpec, help, parseCount, wrapList } from "./spec.js";

export const RUN_COMMAND: CommandSpec = {
  path: ["run"],
  summary: "run a command with secrets as environment variables",
  arguments: [{ name: "<command...>", description: "the command and its arguments (after --)" }],
  options: [
    {
      flags: "-s, --secret <names>",
      description: "secrets to load, comma-separated (repeatable)",
      parse: collect,
    },
    {
      // Not --env-file: Node reads an argument of that name itself, even after the script's path,
      // and applies the NODE_OPTIONS in the file to coffer's own process (nodejs/node#54232).
      flags: "--dotenv <file>",
      description: "also load a dotenv (.env) file's variables; secrets win over them (repeatable)",
      parse: collect,
    },
    { flags: "--prefix", description: "name each variable <SECRET>_<KEY> instead of <KEY>" },
    {
      flags: "--allow-env <names>",
      description:
        "let the secrets (or dotenv files) set these refused variables, e.g. NODE_OPTIONS (comma-separated, repeatable)",
      parse: collect,
    },
    {
      flags: "--watch",
      description: "keep watching the secrets and restart the command (or signal it) when one changes",
    },
    {
      flags: "--on-change <action>",
      description: "with --watch: restart (default), or a signal to send instead, e.g. SIGHUP",
    },
    {
      flags: "--debounce <ms>",
      description: "with --watch: wait this long after a change for more before acting (default 500)",
      parse: parseCount,
    },
  ],
  details: () => help`
    Each key becomes a variable: upper-cased, with every character other than A-Z, 0-9 and _
    turned into _ (and a leading _ before a digit): password -> PASSWORD, smtp.host -> SMTP_HOST.
    With --prefix the secret's name goes in front the same way: db + password -> DB_PASSWORD. Two
    keys that map to the same variable are an error (exit 5); secrets win over variables already set.
    Local overrides (COFFER_LOCAL_SECRET_<NAME>) apply. The command's exit code is coffer's; signals
    are passed on to it. A name containing a comma is written with \\, (backslash-comma).

    --dotenv reads NAME=value lines (dotenv: 'single', "double" with \\n escapes, and backtick
    quotes, multi-line quoted values, # comments, no $ expansion); a line it cannot read is an
    error (exit 5, nothing run). Precedence, lowest first: coffer's own environment, the dotenv files
    (a later one over an earlier one), the secrets.

    Whoever may write a secret must not choose the code its readers run, so variables that change how
    programs are found, loaded or started are refused (exit 5, nothing run) unless named with
    --allow-env:
    ${wrapList(describeRefusedVariables())}.

    --watch follows the secrets' changes (another program's write, another replica's) and, once
    --debounce has passed without another, restarts the command with the new values (SIGTERM, then
    SIGKILL after 10 s) — or, with --on-change SIGNAL, sends it that signal for a program that reads
    its secrets itself. If the new values cannot be read the command keeps running. coffer stays as
    the command's parent and exits as the command does.`,
  examples: [
    "coffer run -s db -- ./start-server --port 8080",
    "coffer run -s db,stripe --prefix -- env",
    "coffer run -s tooling --allow-env NODE_OPTIONS -- node app.js",
    "coffer run --dotenv .env -s db -- ./start-server",
    "coffer run --watch -s db -- ./start-server",
    "coffer run --watch --on-change SIGHUP -s db -- ./reloading-server",
  ],
  handler: async () => (await import("../commands/run.js")).run,
};

export const STORE_GROUP: GroupSpec = { name: "store", summary: "the store behind Coffer" };

const store = () => import("../commands/store.js");

export const STORE_COMMANDS: readonly CommandSpec[] = [
  {
    path: ["store", "info"],
    summary: "which store, where it keeps values, and whether it answers",
    examples: ["coffer store info", "coffer store info --json"],
    handler: async () => (await store()).info,
  },
  {
    path: ["store", "rotate-key"],
    summary: "re-encrypt every secret under a new key (stores with managed keys: sql)",
    options: [
      { flags: "--batch-size <n>", description: "secrets per transaction", parse: parseCount },
      {
        flags: "--no-generate",
        description: "do not make a new key; finish moving secrets onto the active one",
      },
    ],
    examples: ["coffer store rotate-key", "coffer store rotate-key --no-generate"],
    handler: async () => (await store()).rotateKey,
  },
];

export const RECONCILE_COMMAND: CommandSpec = {
  path: ["reconcile"],
  summary: "finish writes that a crash or an outage left half-done",
  options: [
    {
      flags: "--older-than <seconds>",
      description: "only writes stuck for longer than this (default: the 30 s lease)",
      parse: parseCount,
    },
  ],
  examples: ["coffer reconcile", "coffer reconcile --json"],
  handler: async () => (await store()).reconcile,
};
