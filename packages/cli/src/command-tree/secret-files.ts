/**
 * The `coffer secret …` commands that read or write files — export, import, validate, resolve,
 * register-missing — described as data (see spec.ts); secret.ts lists them after the others.
 */
import { allowEnv, ENV_FORMAT_HELP, FORMATS, selectPrivate } from "./secret-options.js";
import { type CommandSpec, help } from "./spec.js";

const files = () => import("../commands/secret-files.js");

export const SECRET_FILE_COMMANDS: readonly CommandSpec[] = [
  {
    path: ["secret", "export"],
    summary: "write a secret's values to a YAML, JSON, dotenv or shell file, in plain text, mode 0600",
    arguments: [{ name: "<name>", description: "the secret's name or id" }],
    options: [
      selectPrivate,
      {
        flags: "-o, --output <file>",
        description:
          "where to write (default: <name>.yaml, or .json, .env, .sh by --format; - for standard output)",
      },
      {
        flags: "--format <format>",
        description: "the file's format (default: by the -o name: .json, .yaml/.yml, .env, .sh; else YAML)",
        choices: FORMATS,
      },
      allowEnv,
      { flags: "-f, --force", description: "overwrite the file if it exists" },
    ],
    details: () => help`
      The file holds the values in plain text: keep it private and delete it when done. Re-import it
      with 'coffer secret create NAME --values @FILE' (a dotenv file's keys come back as the variable
      names). A name whose ending promises another format than --format is a usage error.
      ${ENV_FORMAT_HELP}`,
    examples: [
      "coffer secret export db -o db.yaml",
      "coffer secret export db -o db.json",
      "coffer secret export db -o .env",
      "coffer secret export db --format shell -o -",
      "coffer secret export db -o -",
    ],
    handler: async () => (await files()).exportSecret,
  },
  {
    path: ["secret", "import"],
    summary: "create (or replace) many secrets from a JSON, YAML or dotenv file",
    arguments: [{ name: "<file>", description: "a .json or .yaml file of secrets, or a .env file of one" }],
    options: [
      {
        flags: "--format <format>",
        description: "what the file holds (default: by its name: .env, .json, .yaml/.yml)",
        choices: ["dotenv", "json", "yaml"],
      },
      { flags: "--name <name>", description: "with a dotenv file: the secret's name" },
      {
        flags: "--on-conflict <policy>",
        description: "a secret that exists: fail (write nothing), skip it, or overwrite its values",
        choices: ["fail", "skip", "overwrite"],
        default: "fail",
      },
      { flags: "-p, --private", description: "import as your private secrets (default: public)" },
      {
        flags: "-n, --dry-run",
        description: "print the plan (create / update / skip per secret); write nothing",
      },
    ],
    details: () => help`
      A JSON or YAML file maps secret names to mappings of keys to text,
      {"db": {"username": "app", "password": "0587"}}, read with the rules of --values (text as
      written, no tags, no null or numbers, no key twice). A dotenv file is one secret (--name),
      its variable names the keys. The whole file is checked, and each secret looked up, before
      anything is written: a bad line, name or key (exit 5) or, with --on-conflict fail, a secret
      that exists (exit 4) writes nothing. overwrite replaces a secret's values with the file's
      (only if it has not changed since it was looked up). Secrets are then written one at a
      time: if a write fails, the message names those already written.`,
    examples: [
      "coffer secret import secrets.yaml --dry-run",
      "coffer secret import secrets.json --on-conflict skip",
      "coffer secret import .env --name app --private",
    ],
    handler: async () => (await import("../commands/secret-import.js")).importSecrets,
  },
  {
    path: ["secret", "validate"],
    summary: "check the {{name.key}} references in a YAML or JSON file against the store",
    arguments: [{ name: "<file>", description: "a YAML or JSON file" }],
    options: [
      {
        flags: "--level <level>",
        description:
          "how much to check (default: COFFER_SECRET_VALIDATION_LEVEL, else SECRET_AND_KEY_EXISTS)",
        choices: ["NONE", "SECRET_EXISTS", "SECRET_AND_KEY_EXISTS"],
      },
    ],
    details: () => help`
      A reference {{db.password}} is key 'password' of secret 'db'; quote names with dots or spaces:
      {{"api.example.com".token}}. Validation reads names and keys only, never values.`,
    examples: [
      "coffer secret validate app.yaml",
      "coffer secret validate app.json --level SECRET_EXISTS --json",
    ],
    handler: async () => (await files()).validate,
  },
  {
    path: ["secret", "resolve"],
    summary: "print a YAML or JSON file with its {{name.key}} references replaced by values",
    arguments: [{ name: "<file>", description: "a YAML or JSON file" }],
    options: [
      {
        flags: "-o, --output <file>",
        description: "write to this file (mode 0600) instead of standard output",
      },
      { flags: "-f, --force", description: "overwrite the output file if it exists" },
    ],
    examples: ["coffer secret resolve app.yaml", "coffer secret resolve app.yaml -o app.resolved.yaml"],
    handler: async () => (await files()).resolve,
  },
  {
    path: ["secret", "register-missing"],
    summary:
      "ask at the terminal for each secret and key a file's {{name.key}} references miss, and store them",
    arguments: [{ name: "<file>", description: "a YAML or JSON file" }],
    options: [
      {
        flags: "-n, --dry-run",
        description: "list the secrets and keys it would ask for; ask and write nothing",
      },
      { flags: "-p, --private", description: "create the missing secrets as private (default: public)" },
    ],
    details: () => help`
      Like ZenML's 'stack register-secrets'. For each secret with something missing it asks for the
      values of its missing keys (hidden as you type), then whether to create the secret, or add the
      keys to the one you have (the secret a reference reads: your private one first); it writes on
      yes, and goes on to the next secret. Ctrl-C or Ctrl-D stops at once (exit 130): the secrets
      you confirmed are kept, nothing else is written. A declined secret is left as it was (exit 11
      at the end). Needs a terminal, except with --dry-run.`,
    examples: [
      "coffer secret register-missing app.yaml --dry-run",
      "coffer secret register-missing app.yaml",
      "coffer secret register-missing app.json --private",
    ],
    handler: async () => (await import("../commands/secret-register.js")).registerMissing,
  },
];
