/** `coffer migrate` and `coffer diff`, described as data (see spec.ts): moving and comparing deployments. */
import { type CommandSpec, help, parseWholeNumber } from "./spec.js";

export const MIGRATE_COMMAND: CommandSpec = {
  path: ["migrate"],
  summary: "move every value to another store, online (the metadata database stays)",
  options: [
    {
      flags: "--to <file>",
      description: "a Coffer YAML configuration file whose store: section is the target",
      required: true,
    },
    {
      flags: "--dry-run",
      description: "show the plan (counts, target, what is already there); copy nothing",
    },
    {
      flags: "--batch-size <n>",
      description: "secrets per batch (default 100)",
      parse: parseWholeNumber(1, 1000),
    },
    {
      flags: "--concurrency <n>",
      description: "writes to the target in flight at once (default 8; mind the provider's quota)",
      parse: parseWholeNumber(1, 64),
    },
  ],
  details: () => help`
    Copies with progress while Coffer keeps serving: writes made through this command's process go
    to both stores, and a last pass copies again what changed meanwhile. Servers that keep writing
    should have the target as their backup store (COFFER_BACKUP_STORE_*) while it runs. Each copy is
    read back and compared by keyed hash (a random key per run; values are never shown). Killed, it
    resumes where it stopped when run again (a journal in the metadata database). At the end it
    lists copied / already there / failed ids and says which settings to switch.`,
  examples: ["coffer migrate --to aws.yaml --dry-run", "coffer migrate --to aws.yaml"],
  handler: async () => (await import("../commands/migrate.js")).migrate,
};

export const DIFF_COMMAND: CommandSpec = {
  path: ["diff"],
  summary: "compare two deployments: names, keys, versions and values (by keyed hash)",
  arguments: [
    { name: "<a>", description: "a backup file, a configuration file (.yaml) or a metadata database URL" },
    { name: "[b]", description: "the same; default: the current deployment" },
  ],
  options: [
    { flags: "--passphrase-file <file>", description: "a backup file's passphrase (its first line)" },
    { flags: "--identity <file>", description: "a backup file's age identity (AGE-SECRET-KEY-…)" },
  ],
  details: () => help`
    Values are compared by HMAC under a key made for this run and never shown. A database URL is
    opened with the current store settings (a SQLite file's directory as its data directory).
    Against a server (remote mode), a backup file is uploaded and compared with the server's
    deployment (admin only). Exit 0 when equal, 20 when they differ (the differences on standard
    output).`,
  examples: [
    "coffer diff staging.yaml production.yaml",
    "coffer diff backup.age --passphrase-file pass.txt",
    "coffer diff sqlite:///backups/coffer.db",
  ],
  handler: async () => (await import("../commands/diff.js")).diff,
};
