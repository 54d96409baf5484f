/**
 * `coffer backup`, `coffer backup verify` and `coffer restore`, described as data (see spec.ts):
 * encrypted archives of every secret (@coffer/backup), for operators.
 */
import { type CommandSpec, collect, type GroupSpec, help } from "./spec.js";

export const BACKUP_GROUP: GroupSpec = {
  name: "backup",
  summary: "an encrypted archive of every secret (coffer backup -o FILE), and checking one",
};

const backup = () => import("../commands/backup.js");

const passphraseFile = {
  flags: "--passphrase-file <file>",
  description: "read the passphrase from this file's first line (else it is asked at the terminal)",
};
const identityFile = {
  flags: "--identity-file <file>",
  description: "open an archive made with --recipient: a file of AGE-SECRET-KEY-1… identities",
};

export const BACKUP_COMMANDS: readonly CommandSpec[] = [
  {
    path: ["backup", "create"],
    isDefault: true,
    summary: "write every secret (metadata, values, optionally history) to an encrypted archive",
    options: [
      {
        flags: "-o, --output <file>",
        description: "the archive to write (refused if it exists)",
        required: true,
      },
      passphraseFile,
      {
        flags: "--recipient <key>",
        description: "encrypt to this age public key instead of a passphrase (repeatable)",
        parse: collect,
      },
      { flags: "--with-history", description: "also keep each secret's older versions and their values" },
    ],
    details: () => help`
      The archive is an age file (age-encryption.org): open it with Coffer, or with age itself.
      Memory stays flat however many secrets there are. On a terminal a progress bar shows count,
      bytes, rate and time left; otherwise plain progress lines (JSON lines with --json) go to
      standard error. It ends with the counts and the archive's SHA-256 checksum. "coffer backup
      -o FILE" is short for "coffer backup create -o FILE". Against a server: admin only.`,
    examples: [
      "coffer backup -o coffer.age",
      "coffer backup -o coffer.age --passphrase-file pass.txt --with-history",
      "coffer backup -o coffer.age --recipient age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p",
    ],
    handler: async () => (await backup()).create,
  },
  {
    path: ["backup", "verify"],
    summary: "check an archive without restoring it: decrypt, checksum, counts",
    arguments: [{ name: "<file>", description: "the archive" }],
    options: [passphraseFile, identityFile],
    examples: ["coffer backup verify coffer.age --passphrase-file pass.txt"],
    handler: async () => (await backup()).verify,
  },
];

export const RESTORE_COMMAND: CommandSpec = {
  path: ["restore"],
  summary: "restore an archive made by coffer backup into this deployment",
  arguments: [{ name: "<file>", description: "the archive" }],
  options: [
    passphraseFile,
    identityFile,
    {
      flags: "--on-conflict <policy>",
      description:
        "a secret that exists with other values or owner: skip, overwrite or fail (nothing written)",
      choices: ["skip", "overwrite", "fail"],
      default: "fail",
    },
    { flags: "--dry-run", description: "check the archive and show the plan; write nothing" },
  ],
  details: () => help`
    The archive is checked to its end before anything is written: a tampered or truncated one is
    refused (exit 10) with nothing restored. Each secret is written through the service as its
    owner, with its visibility; identical secrets already there are left alone, so running a restore
    again (after a crash, say) finishes it without duplicating anything. The counts at the end are
    read back from the deployment. Against a server: admin only.`,
  examples: [
    "coffer restore coffer.age --dry-run",
    "coffer restore coffer.age --on-conflict skip --passphrase-file pass.txt",
  ],
  handler: async () => (await backup()).restore,
};
