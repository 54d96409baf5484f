/**
 * Writes an archive: records are made one at a time from the source's async iterable and pulled
 * through age's streaming encrypter, so memory holds one 64 KiB chunk and one record, whatever
 * the number of secrets.
 */
import { createHash } from "node:crypto";
import type { Writable } from "node:stream";
import { type ArchiveEncryption, encrypterFor } from "./encryption.js";
import {
  ARCHIVE_FORMAT,
  ARCHIVE_FORMAT_VERSION,
  type ArchivedSecret,
  type ArchiveHeader,
  type ArchiveSummary,
  countSecret,
  emptyCounts,
} from "./format.js";

export interface ArchiveSource {
  /** Header fields the source knows; format, version and (by default) createdAt are filled in. */
  header: { source: ArchiveHeader["source"]; withHistory: boolean; createdAt?: string };
  /** Every secret, in any order, pulled one at a time. */
  secrets: AsyncIterable<ArchivedSecret>;
}

export interface WriteProgress {
  secrets: number;
  /** Plaintext bytes so far. */
  bytes: number;
}

export interface WriteOptions {
  /** Called after each secret is encoded (cheap; throttle display in the caller). */
  onProgress?: (progress: WriteProgress) => void;
}

const encoder = new TextEncoder();

/** Encrypts `source` to `output` and returns counts and checksum. Does not end `output`'s owner. */
export async function writeArchive(
  source: ArchiveSource,
  output: Writable,
  encryption: ArchiveEncryption,
  options: WriteOptions = {},
): Promise<ArchiveSummary> {
  const header: ArchiveHeader = {
    format: ARCHIVE_FORMAT,
    formatVersion: ARCHIVE_FORMAT_VERSION,
    createdAt: source.header.createdAt ?? new Date().toISOString(),
    source: source.header.source,
    withHistory: source.header.withHistory,
  };
  const counts = emptyCounts();
  const hash = createHash("sha256");
  let plaintextBytes = 0;
  let encryptedBytes = 0;
  let sha256: string | undefined;

  const iterator = source.secrets[Symbol.asyncIterator]();
  let headerSent = false;
  const line = (record: object): Uint8Array => encoder.encode(`${JSON.stringify(record)}\n`);
  const records = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!headerSent) {
          headerSent = true;
          const bytes = line({ kind: "header", ...header });
          hash.update(bytes);
          plaintextBytes += bytes.length;
          controller.enqueue(bytes);
          return;
        }
        const next = await iterator.next();
        if (next.done) {
          sha256 = hash.digest("hex");
          controller.enqueue(line({ kind: "end", counts, sha256 }));
          controller.close();
          return;
        }
        const bytes = line({ kind: "secret", ...next.value });
        hash.update(bytes);
        plaintextBytes += bytes.length;
        countSecret(counts, next.value);
        controller.enqueue(bytes);
        options.onProgress?.({ secrets: counts.secrets, bytes: plaintextBytes });
      },
      async cancel() {
        await iterator.return?.();
      },
    },
    // One record at a time: the source is only pulled when age wants more plaintext.
    { highWaterMark: 1 },
  );

  const encrypted = await encrypterFor(encryption).encrypt(records);
  for await (const chunk of encrypted) {
    encryptedBytes += chunk.length;
    if (!output.write(chunk)) await waitForDrain(output);
  }
  if (sha256 === undefined) throw new Error("archive stream ended before its end record");
  return { header, counts, sha256, plaintextBytes, encryptedBytes };
}

function waitForDrain(output: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: Error) => {
      output.off("drain", onDrain);
      output.off("error", done);
      output.off("close", onClose);
      if (error) reject(error);
      else resolve();
    };
    const onDrain = () => done();
    const onClose = () => done(new Error("the archive output closed before the backup finished"));
    output.once("drain", onDrain);
    output.once("error", done);
    output.once("close", onClose);
  });
}
