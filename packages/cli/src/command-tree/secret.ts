/**
 * The `coffer secret …` commands, described as data (see spec.ts): what each takes, its help, and
 * the handler it imports when it runs. Those that read or write files (export, import, validate,
 * resolve, register-missing) are in secret-files.ts; options several share in secret-options.ts.
 */

import { SECRET_FILE_COMMANDS } from "./secret-files.js";
import { allowEnv, ENV_FORMAT_HELP, FORMATS, selectPrivate } from "./secret-options.js";
import {
  type CommandSpec,
  collect,
  type GroupSpec,
  help,
  type OptionSpec,
  parseBoolean,
  parseCount,
  parseTime,
  parseWholeNumber,
} from "./spec.js";

/**
 * Words that are an option of `create` / `update` (or of every command), so `--WORD=VALUE` cannot
 * name a key: such keys go in --values. The help lists them from here, and so cannot forget one.
 */
export const CREATE_RESERVED_KEYS = [
  "values",
  "values-format",
  "interactive",
  "private",
  "json",
  "debug",
  "config",
  "help",
  "version",
];
export const UPDATE_RESERVED_KEYS = [...CREATE_RESERVED_KEYS, "remove-keys", "replace", "expected-version"];

export const SECRET_GROUP: GroupSpec = {
  name: "secret",
  summary: "create, read, list, change and remove secrets",
};

/** create's and update's --values-format: how to read every --values (default: by the file's name). */
const valuesFormat: OptionSpec = {
  flags: "--values-format <format>",
  description: "read --values as dotenv, json or yaml (default: dotenv for a .env file, else JSON or YAML)",
  choices: ["dotenv", "json", "yaml"],
};

const write = () => import("../commands/secret-write.js");
const read = () => import("../commands/secret-read.js");
const versions = () => import("../commands/secret-history.js");
const watching = () => import("../commands/secret-watch.js");

/**
 * create's --private: alone it means true; `--private true|false` and `--private=true|false` as
 * for get, list and update. Commander gives an optional value the next word, so a word other than
 * true/false (`create --private db …`) is handed on as it is: the handler takes it as the name.
 */
function parsePrivateFlag(value: string): boolean | string {
  const normalized = value.trim().toLowerCase();
  if (normalized === "true" || normalized === "false") return normalized === "true";
  return value;
}

export const SECRET_COMMANDS: readonly CommandSpec[] = [
  {
    path: ["secret", "create"],
    summary: "create a secret from --KEY=VALUE pairs, --values (JSON or YAML), or answers at a prompt",
    arguments: [{ name: "<name>", description: "the secret's name (1-255 characters)" }],
    options: [
      {
        flags: "-v, --values <json|yaml|@file>",
        description:
          "keys and values as a JSON object or YAML mapping, or a dotenv file (@file.env); @file reads a file, @- stdin (repeatable)",
        parse: collect,
      },
      valuesFormat,
      { flags: "-i, --interactive", description: "ask for keys and values at the terminal (values hidden)" },
      {
        flags: "-p, --private [true|false]",
        description:
          "visible to you only (--private, --private true); --private false is public, the default",
        parse: parsePrivateFlag,
      },
    ],
    passThrough: true,
    details: () => help`
      Each --KEY=VALUE sets one key. A value @path is read from a file (one trailing newline dropped),
      @- from standard input; write @@ for a value that starts with a literal @. Keys named like an
      option of this command (${CREATE_RESERVED_KEYS.join(", ")}) go in --values.
      --values may be given more than once: the keys of every source add up, and a key given twice
      is an error (exit 5). Values are text as written: YAML 'port: 0587' stays 0587, a YAML tag
      (!!binary, !!timestamp, !!int) is refused, and so is a JSON number, boolean or null (quote it).
      A .env file (or --values-format dotenv) is read as coffer run --dotenv reads one, its variable
      names becoming the keys as written; a line it cannot read is an error naming the file and the
      line (exit 5), and a name given twice too.`,
    examples: [
      "coffer secret create db --username=app --password=@password.txt",
      `coffer secret create stripe --values '{"key": "sk_test_…", "webhook": "whsec_…"}'`,
      "coffer secret create tls --values @tls.yaml --private",
      "coffer secret create app --values @.env",
      "coffer secret create api -i",
    ],
    handler: async () => (await write()).create,
  },
  {
    path: ["secret", "get"],
    summary: "show a secret's values (this is the command that prints values)",
    arguments: [{ name: "<name>", description: "the secret's name or id" }],
    options: [
      selectPrivate,
      {
        flags: "-k, --key <key>",
        description: "print only this key's value, then a newline (for scripts: $(…) drops it)",
      },
      { flags: "--no-newline", description: "with --key: exactly the value, no newline after it" },
      {
        flags: "--version <n>",
        description: "the values as they were at this version (see `coffer secret history`)",
        parse: parseWholeNumber(1, Number.MAX_SAFE_INTEGER),
      },
      {
        flags: "--format <format>",
        description: "print the values alone as a JSON object, YAML, dotenv lines or shell export lines",
        choices: FORMATS,
      },
      allowEnv,
    ],
    details: () => help`
      Without --format, a table (or with --json the secret and its values).
      ${ENV_FORMAT_HELP}`,
    examples: [
      "coffer secret get db",
      'eval "$(coffer secret get db --format shell)"',
      "coffer secret get db --format dotenv > .env",
      "coffer secret get db --version 3",
      "coffer secret get db --key password",
      "coffer secret get tls --key cert --no-newline > cert.pem",
      "coffer secret get db --private false --json",
    ],
    handler: async () => (await read()).get,
  },
  {
    path: ["secret", "list"],
    summary: "list the secrets you can see (names, keys and owners; never values)",
    options: [
      {
        flags: "--name <name>",
        description:
          "exactly this name; or as ZenML writes filters: contains:TEXT, startswith:TEXT, endswith:TEXT, equals:NAME",
      },
      { flags: "--name-contains <text>", description: "names containing this text" },
      { flags: "--name-starts-with <text>", description: "names starting with this text" },
      { flags: "--name-ends-with <text>", description: "names ending with this text" },
      {
        flags: "-p, --private <true|false>",
        description: "only private (true) or only public (false) secrets",
        parse: parseBoolean,
      },
      { flags: "--owner <user>", description: "only secrets this user created" },
      {
        flags: "--created-after <time>",
        description: "created at or after this date (YYYY-MM-DD, UTC) or ISO time",
        parse: parseTime,
      },
      {
        flags: "--created-before <time>",
        description: "created before this date (YYYY-MM-DD, UTC) or ISO time",
        parse: parseTime,
      },
      {
        flags: "--updated-after <time>",
        description: "changed at or after this date (YYYY-MM-DD, UTC) or ISO time",
        parse: parseTime,
      },
      {
        flags: "--updated-before <time>",
        description: "changed before this date (YYYY-MM-DD, UTC) or ISO time",
        parse: parseTime,
      },
      {
        flags: "--sort <field>",
        description: "sort by",
        choices: ["name", "created", "updated"],
        default: "name",
      },
      { flags: "--desc", description: "sort in descending order" },
      {
        flags: "--limit <n>",
        description: "secrets per page, 1-1000",
        parse: parseWholeNumber(1, 1000),
        default: 50,
      },
      { flags: "--cursor <cursor>", description: "the page after the one that printed this cursor" },
      { flags: "--all", description: "every page, not just the first" },
    ],
    examples: [
      "coffer secret list",
      "coffer secret list --name-starts-with payments/ --sort updated --desc",
      "coffer secret list --private true --all --json",
    ],
    handler: async () => (await read()).list,
  },
  {
    path: ["secret", "update"],
    summary: "change values (merged into the current ones), remove keys, or change visibility",
    arguments: [
      {
        name: "<name>",
        description: "the secret's name or id (your private one first, then the public one)",
      },
    ],
    options: [
      {
        flags: "-v, --values <json|yaml|@file>",
        description: "keys and values to set, as for create (repeatable)",
        parse: collect,
      },
      valuesFormat,
      {
        flags: "-i, --interactive",
        description: "ask for keys and values to set at the terminal (values hidden)",
      },
      {
        flags: "-r, --remove-keys <keys>",
        description: "keys to remove, comma-separated (repeatable)",
        parse: collect,
      },
      { flags: "--replace", description: "the given values replace all current ones instead of merging" },
      {
        flags: "-p, --private <true|false>",
        description: "make the secret private (true) or public (false)",
        parse: parseBoolean,
      },
      {
        flags: "--expected-version <n>",
        description: "change it only if it is still at this version",
        parse: parseCount,
      },
    ],
    passThrough: true,
    details: () => help`
      Values are given as for create (--KEY=VALUE, @file, --values, -i); keys named like an option
      (${UPDATE_RESERVED_KEYS.join(", ")}) go in --values. To change the public secret
      when you also have a private one of the same name, give its id.`,
    examples: [
      "coffer secret update db --password=@new-password.txt",
      "coffer secret update db --remove-keys old_token,legacy",
      "coffer secret update db --private true",
    ],
    handler: async () => (await write()).update,
  },
  {
    path: ["secret", "rename"],
    summary: "give a secret a new name",
    arguments: [
      { name: "<name>", description: "the secret's name or id" },
      { name: "<new-name>", description: "its new name" },
    ],
    options: [selectPrivate],
    examples: ["coffer secret rename db db-primary"],
    handler: async () => (await write()).rename,
  },
  {
    path: ["secret", "delete"],
    summary: "delete a secret (asks first unless -y)",
    arguments: [{ name: "<name>", description: "the secret's name or id" }],
    options: [selectPrivate, { flags: "-y, --yes", description: "do not ask for confirmation" }],
    examples: ["coffer secret delete db", "coffer secret delete db --private true -y"],
    handler: async () => (await write()).remove,
  },
  {
    path: ["secret", "history"],
    summary: "list a secret's versions: who changed which keys, and when (never values)",
    arguments: [{ name: "<name>", description: "the secret's name or id" }],
    options: [selectPrivate],
    details: () => help`
      Newest first. CHANGES names keys added (+), changed (~) and removed (-) at each version, found
      by comparing keyed digests kept in the metadata: no old value is read. Versions written while
      the secret was private are listed for its owner only.`,
    examples: ["coffer secret history db", "coffer secret history db --json"],
    handler: async () => (await versions()).history,
  },
  {
    path: ["secret", "watch"],
    summary: "print each change of a secret as it happens (never values), until Ctrl-C",
    arguments: [{ name: "<name>", description: "the secret's name" }],
    options: [
      {
        flags: "--since <id>",
        description: "start after this event id (from an earlier watch) instead of now",
        parse: parseCount,
      },
      {
        flags: "--count <n>",
        description: "stop after n events",
        parse: parseWholeNumber(1, Number.MAX_SAFE_INTEGER),
      },
    ],
    details: () => help`
      One line per change: time, event id, action (create, update, rollback, rename, visibility,
      delete; hidden when a public secret became private), name, version, visibility and owner.
      With --json, one JSON object per line. Against a server the watch reconnects and resumes
      from the last event id by itself; 'reset' means events were missed.`,
    examples: ["coffer secret watch db", "coffer secret watch db --json --count 1"],
    handler: async () => (await watching()).watch,
  },
  {
    path: ["secret", "rollback"],
    summary: "write a new version with the values an earlier version had (history is kept)",
    arguments: [{ name: "<name>", description: "the secret's name or id" }],
    options: [
      {
        flags: "--to <n>",
        description: "the version whose values to bring back",
        parse: parseWholeNumber(1, Number.MAX_SAFE_INTEGER),
        required: true,
      },
      selectPrivate,
      {
        flags: "--expected-version <n>",
        description: "roll back only if the secret is still at this version",
        parse: parseCount,
      },
    ],
    details: () => help`
      The store must keep earlier values (capability 'versions'; the sql and memory stores keep the
      last maxVersions, 10 by default). A rollback is itself a new version: run it again with
      --to to undo it.`,
    examples: ["coffer secret rollback db --to 3", "coffer secret rollback db --to 3 --expected-version 5"],
    handler: async () => (await versions()).rollback,
  },
  ...SECRET_FILE_COMMANDS,
];
