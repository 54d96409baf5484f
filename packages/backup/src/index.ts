/**
 * @coffer/backup: Coffer's encrypted backup archive — the writer, the streaming reader and verify
 * (format.ts says what is inside; encryption.ts how it is sealed with age).
 */
export type { ArchiveDecryption, ArchiveEncryption } from "./encryption.js";
export { ArchiveIntegrityError, ArchiveKeyError, type ArchiveProblem } from "./errors.js";
export {
  ARCHIVE_FORMAT,
  ARCHIVE_FORMAT_VERSION,
  type ArchiveCounts,
  type ArchivedSecret,
  type ArchivedVersion,
  type ArchiveHeader,
  type ArchiveSummary,
  type ArchiveTrailer,
} from "./format.js";
export { generateArchiveIdentity } from "./keys.js";
export { type ArchiveInput, type ArchiveRecord, readArchive, verifyArchive } from "./reader.js";
export { type ArchiveSource, type WriteOptions, type WriteProgress, writeArchive } from "./writer.js";
