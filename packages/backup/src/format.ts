/**
 * The archive's plaintext: newline-delimited JSON records, one per line, inside one age file.
 *
 *   {"kind":"header", ...ArchiveHeader}         exactly one, first
 *   {"kind":"secret", ...ArchivedSecret}         zero or more
 *   {"kind":"end", counts, sha256}               exactly one, last
 *
 * `sha256` is the hex SHA-256 of every plaintext byte before the end record (header and secret
 * lines with their newlines). age already authenticates every 64 KiB chunk and the end of the
 * stream; the checksum and counts add a check of the records themselves, an identity for the
 * archive's content (the restore journal is keyed by it) and a number people can compare.
 *
 * Counts live in the end record, not the header, because the writer streams: it does not know
 * them until it has written the last secret.
 */

export const ARCHIVE_FORMAT = "coffer-backup";
/** Bumped on any change a version-1 reader could misread. Readers refuse versions they do not know. */
export const ARCHIVE_FORMAT_VERSION = 1;

export interface ArchiveHeader {
  format: typeof ARCHIVE_FORMAT;
  formatVersion: number;
  /** ISO time the backup started. */
  createdAt: string;
  /** Where it came from: the store type (`sql`, `memory`, `aws`, …) and the deployment id. */
  source: { storeType: string; deploymentId?: string };
  /** Whether each secret carries its older versions. */
  withHistory: boolean;
}

/** One older version of a secret, with its values as they were then. */
export interface ArchivedVersion {
  version: number;
  /** ISO time. */
  created: string;
  createdBy: string;
  action: string;
  name: string;
  private: boolean;
  values: Record<string, string>;
}

export interface ArchivedSecret {
  /** The id in the source deployment (informational; a restore gives new ids). */
  id: string;
  name: string;
  owner: string;
  private: boolean;
  version: number;
  /** ISO times. */
  createdAt: string;
  updatedAt: string;
  values: Record<string, string>;
  /** Older versions, oldest first, when the archive was written with history. */
  history?: ArchivedVersion[];
}

export interface ArchiveCounts {
  secrets: number;
  /** Key/value pairs of the current versions. */
  values: number;
  /** Older versions carried as history. */
  historyVersions: number;
}

export interface ArchiveTrailer {
  counts: ArchiveCounts;
  sha256: string;
}

/** What a writer or a verifier reports at the end. */
export interface ArchiveSummary extends ArchiveTrailer {
  header: ArchiveHeader;
  /** Plaintext bytes (the records), and encrypted bytes when known. */
  plaintextBytes: number;
  encryptedBytes?: number;
}

export function emptyCounts(): ArchiveCounts {
  return { secrets: 0, values: 0, historyVersions: 0 };
}

export function countSecret(counts: ArchiveCounts, secret: ArchivedSecret): void {
  counts.secrets += 1;
  counts.values += Object.keys(secret.values).length;
  counts.historyVersions += secret.history?.length ?? 0;
}
