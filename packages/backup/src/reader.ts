/**
 * Reads an archive as a stream of records: decrypts with age chunk by chunk, splits lines, parses
 * each record and checks order, format version, checksum and counts. Memory holds one chunk and
 * one line.
 *
 * A reader yields secrets BEFORE it has seen the end of the archive: a consumer that writes as it
 * reads would write part of a damaged archive. Callers that write (restore) call verifyArchive
 * first, then read again; verifyArchive itself writes nothing.
 */
import { createHash } from "node:crypto";
import type { ArchiveDecryption } from "./encryption.js";
import { decrypterFor } from "./encryption.js";
import { ArchiveIntegrityError, ArchiveKeyError } from "./errors.js";
import {
  ARCHIVE_FORMAT,
  ARCHIVE_FORMAT_VERSION,
  type ArchiveCounts,
  type ArchivedSecret,
  type ArchiveHeader,
  type ArchiveSummary,
  countSecret,
  emptyCounts,
} from "./format.js";

export type ArchiveInput = AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>;

export type ArchiveRecord =
  | { kind: "header"; header: ArchiveHeader }
  | { kind: "secret"; secret: ArchivedSecret }
  | { kind: "end"; summary: ArchiveSummary };

/** A record larger than this is refused as malformed rather than buffered without bound. */
const MAX_LINE_BYTES = 64 * 1024 * 1024;

/**
 * Yields the header, then each secret, then the end (with the verified summary). Throws
 * ArchiveKeyError for a wrong passphrase/identity and ArchiveIntegrityError for anything damaged.
 */
export async function* readArchive(
  input: ArchiveInput,
  decryption: ArchiveDecryption,
): AsyncGenerator<ArchiveRecord> {
  const decrypter = decrypterFor(decryption);
  const ciphertext = input instanceof ReadableStream ? input : ReadableStream.from(input);
  let plaintext: ReadableStream<Uint8Array>;
  try {
    plaintext = await decrypter.decrypt(ciphertext);
  } catch (error) {
    throw headerError(error);
  }

  const hash = createHash("sha256");
  const counts = emptyCounts();
  let header: ArchiveHeader | undefined;
  let plaintextBytes = 0;
  let ended = false;

  for await (const line of lines(plaintext)) {
    if (ended) throw malformed("The archive has records after its end record.");
    const record = parseLine(line);
    if (header === undefined) {
      header = checkHeader(record);
      hash.update(line);
      plaintextBytes += line.length;
      yield { kind: "header", header };
      continue;
    }
    if (record.kind === "secret") {
      const secret = checkSecret(record);
      hash.update(line);
      plaintextBytes += line.length;
      countSecret(counts, secret);
      yield { kind: "secret", secret };
      continue;
    }
    if (record.kind === "end") {
      ended = true;
      const sha256 = hash.digest("hex");
      checkTrailer(record, counts, sha256);
      yield { kind: "end", summary: { header, counts, sha256, plaintextBytes } };
      continue;
    }
    throw malformed(`The archive has a record of unknown kind '${String(record.kind).slice(0, 40)}'.`);
  }
  if (header === undefined)
    throw new ArchiveIntegrityError("not-an-archive", "The file decrypts but holds no Coffer backup.");
  if (!ended) throw malformed("The archive ends without its end record.");
}

/** Reads the whole archive and checks it; writes nothing. Returns counts and checksum. */
export async function verifyArchive(
  input: ArchiveInput,
  decryption: ArchiveDecryption,
  onProgress?: (progress: { secrets: number }) => void,
): Promise<ArchiveSummary> {
  let secrets = 0;
  for await (const record of readArchive(input, decryption)) {
    if (record.kind === "secret") onProgress?.({ secrets: ++secrets });
    if (record.kind === "end") return record.summary;
  }
  throw malformed("The archive ends without its end record.");
}

/** Splits decrypted bytes into lines, each returned WITH its newline (the checksum covers it). */
async function* lines(plaintext: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  try {
    for await (const chunk of plaintext) {
      let start = 0;
      for (let newline = chunk.indexOf(10, start); newline !== -1; newline = chunk.indexOf(10, start)) {
        const piece = chunk.subarray(start, newline + 1);
        yield pendingBytes === 0 ? piece : Buffer.concat([...pending, piece]);
        pending = [];
        pendingBytes = 0;
        start = newline + 1;
      }
      if (start < chunk.length) {
        pending.push(chunk.subarray(start));
        pendingBytes += chunk.length - start;
        if (pendingBytes > MAX_LINE_BYTES) throw malformed("The archive has a record larger than 64 MiB.");
      }
    }
  } catch (error) {
    if (error instanceof ArchiveIntegrityError) throw error;
    // age authenticates every chunk and marks the last one: a changed byte, a cut or a missing
    // chunk all fail here.
    throw new ArchiveIntegrityError(
      "damaged",
      "The archive is damaged: it was changed or cut short after it was written.",
      error,
    );
  }
  if (pendingBytes > 0) throw malformed("The archive's last record is cut short.");
}

function headerError(error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  if (/no identity matched|invalid header HMAC|incorrect passphrase|invalid tag/i.test(message)) {
    return new ArchiveKeyError("The passphrase or identity does not open this backup.", error);
  }
  if (error instanceof TypeError || error instanceof RangeError) throw error;
  return new ArchiveIntegrityError(
    "not-an-archive",
    "The file is not an age-encrypted Coffer backup, or its header is damaged.",
    error,
  );
}

function malformed(message: string): ArchiveIntegrityError {
  return new ArchiveIntegrityError("malformed", message);
}

const decoder = new TextDecoder("utf-8", { fatal: true });

function parseLine(line: Uint8Array): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(line));
  } catch {
    throw malformed("The archive has a record that is not JSON.");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw malformed("The archive has a record that is not an object.");
  return value as Record<string, unknown>;
}

function checkHeader(record: Record<string, unknown>): ArchiveHeader {
  if (record.kind !== "header" || record.format !== ARCHIVE_FORMAT) {
    throw new ArchiveIntegrityError("not-an-archive", "The file decrypts but is not a Coffer backup.");
  }
  if (record.formatVersion !== ARCHIVE_FORMAT_VERSION) {
    throw new ArchiveIntegrityError(
      "unsupported-version",
      `The backup has format version ${String(record.formatVersion)}; this Coffer reads version ${ARCHIVE_FORMAT_VERSION}.`,
    );
  }
  const source = record.source as { storeType?: unknown } | undefined;
  if (
    typeof record.createdAt !== "string" ||
    typeof source?.storeType !== "string" ||
    typeof record.withHistory !== "boolean"
  ) {
    throw malformed("The archive's header is incomplete.");
  }
  const { kind: _kind, ...header } = record;
  return header as unknown as ArchiveHeader;
}

function isStringMap(value: unknown): value is Record<string, string> {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((entry) => typeof entry === "string")
  );
}

function checkSecret(record: Record<string, unknown>): ArchivedSecret {
  const ok =
    typeof record.id === "string" &&
    typeof record.name === "string" &&
    typeof record.owner === "string" &&
    typeof record.private === "boolean" &&
    Number.isSafeInteger(record.version) &&
    typeof record.createdAt === "string" &&
    typeof record.updatedAt === "string" &&
    isStringMap(record.values) &&
    (record.history === undefined ||
      (Array.isArray(record.history) &&
        record.history.every(
          (version: Record<string, unknown>) =>
            Number.isSafeInteger(version?.version) &&
            typeof version.name === "string" &&
            typeof version.private === "boolean" &&
            isStringMap(version.values),
        )));
  if (!ok) throw malformed("The archive has a secret record with missing or mistyped fields.");
  const { kind: _kind, ...secret } = record;
  return secret as unknown as ArchivedSecret;
}

function checkTrailer(record: Record<string, unknown>, counts: ArchiveCounts, sha256: string): void {
  const claimed = record.counts as Partial<ArchiveCounts> | undefined;
  if (record.sha256 !== sha256) {
    throw new ArchiveIntegrityError(
      "checksum-mismatch",
      "The archive's checksum does not match its records.",
    );
  }
  if (
    claimed?.secrets !== counts.secrets ||
    claimed.values !== counts.values ||
    claimed.historyVersions !== counts.historyVersions
  ) {
    throw new ArchiveIntegrityError(
      "checksum-mismatch",
      `The archive claims ${String(claimed?.secrets)} secrets but holds ${counts.secrets}.`,
    );
  }
}
