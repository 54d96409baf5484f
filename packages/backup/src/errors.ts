/**
 * Typed errors for archives. Both are IntegrityError (code INTEGRITY), so the server maps them to
 * one status and the remote client rebuilds them; `details.reason` says which check failed.
 * Messages never carry values.
 */
import { IntegrityError } from "@coffer/core";

export type ArchiveProblem =
  /** Not an age file, or not a Coffer archive inside. */
  | "not-an-archive"
  /** A format version this reader does not know. */
  | "unsupported-version"
  /** An age chunk failed authentication, or the stream ends early: tampered with or truncated. */
  | "damaged"
  /** The records decrypt but are malformed, out of order, or the end record is missing. */
  | "malformed"
  /** The end record's checksum or counts disagree with the records. */
  | "checksum-mismatch";

export class ArchiveIntegrityError extends IntegrityError {
  readonly reason: ArchiveProblem;
  constructor(reason: ArchiveProblem, message: string, cause?: unknown) {
    super(message, {
      hint: "Nothing was restored from it. Use another copy of the backup, or take a new one with `coffer backup`.",
      details: { reason },
      cause,
    });
    this.reason = reason;
  }
}

/** The passphrase or identity does not open the archive. */
export class ArchiveKeyError extends IntegrityError {
  readonly reason = "wrong-key";
  constructor(message: string, cause?: unknown) {
    super(message, {
      hint: "Give the passphrase (--passphrase-file) or the identity (--identity-file) the backup was encrypted to.",
      details: { reason: "wrong-key" },
      cause,
    });
  }
}
