/**
 * A backup file (@coffer/backup's archive) as one side of `coffer diff`: its secrets' names,
 * owners, visibility, versions and per-key keyed hashes, streamed from the archive (values are
 * hashed as they are read and never kept). A damaged or truncated archive fails the diff with the
 * archive's INTEGRITY error once the reader reaches the damage.
 */
import { createReadStream, readFileSync } from "node:fs";
import { Readable } from "node:stream";
import { type ArchiveDecryption, readArchive } from "@coffer/backup";
import type { SnapshotSource } from "@coffer/service";
import { CliError } from "../cli-errors.js";

export interface BackupKeyOptions {
  passphraseFile?: string;
  identity?: string;
}

/** Whether `argument` names a backup file rather than a configuration file or a database URL. */
export function isBackupArgument(argument: string): boolean {
  return !/\.ya?ml$/i.test(argument) && !/^[a-z][a-z0-9+.-]*:\/\//i.test(argument);
}

export function backupSnapshot(file: string, options: BackupKeyOptions): SnapshotSource {
  const decryption = decryptionFor(options);
  return {
    label: file,
    async *entries(hash) {
      const input = Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>;
      for await (const record of readArchive(input, decryption)) {
        if (record.kind !== "secret") continue;
        const { secret } = record;
        yield {
          name: secret.name,
          owner: secret.owner,
          private: secret.private,
          version: secret.version,
          keys: hash.perKey(secret.values),
        };
      }
    },
  };
}

function decryptionFor(options: BackupKeyOptions): ArchiveDecryption {
  if (options.passphraseFile) {
    return { passphrase: readFileSync(options.passphraseFile, "utf8").replace(/\r?\n$/, "") };
  }
  if (options.identity) {
    const identities = readFileSync(options.identity, "utf8")
      .split(/\r?\n/)
      .filter((line) => line.startsWith("AGE-SECRET-KEY-"));
    return { identities };
  }
  throw new CliError(
    "usage",
    "A backup file needs its key.",
    "Give --passphrase-file FILE (the passphrase it was written with) or --identity FILE (an age identity).",
  );
}
