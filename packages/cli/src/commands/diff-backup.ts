/**
 * A backup file (@coffer/backup's archive) as one side of `coffer diff`: the file and the key to
 * open it with (--passphrase-file or --identity). Reading it as a diff source — names, owners,
 * visibility, versions and per-key keyed hashes, values never kept — is the service's
 * archiveSnapshot, the same code the server's admin diff endpoint runs over an upload.
 */
import { createReadStream, readFileSync } from "node:fs";
import { Readable } from "node:stream";
import type { ArchiveDecryption, ArchiveInput } from "@coffer/backup";
import { archiveSnapshot, type SnapshotSource } from "@coffer/service";
import { CliError } from "../cli-errors.js";

export interface BackupKeyOptions {
  passphraseFile?: string;
  identity?: string;
}

/** Whether `argument` names a backup file rather than a configuration file or a database URL. */
export function isBackupArgument(argument: string): boolean {
  return !/\.ya?ml$/i.test(argument) && !/^[a-z][a-z0-9+.-]*:\/\//i.test(argument);
}

/** The file's bytes, afresh on each call. */
export function openBackupFile(file: string): () => ArchiveInput {
  return () => Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>;
}

export function backupSnapshot(file: string, options: BackupKeyOptions): SnapshotSource {
  return archiveSnapshot(file, openBackupFile(file), backupDecryption(options));
}

export function backupDecryption(options: BackupKeyOptions): ArchiveDecryption {
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
