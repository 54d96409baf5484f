/**
 * An archive uploaded to the admin restore and diff endpoints (routes/backup.ts): the body as a
 * raw stream, counted against the server's archive limit, and the archive's key from the request
 * headers (never the URL). Whatever is wrong with an upload is the caller's fault and answered
 * with a typed 4xx: no body or not a stream 400 VALIDATION; over the limit 413 VALUE_TOO_LARGE;
 * not an archive, damaged, truncated or a wrong key 422 with the archive's INTEGRITY error (the
 * 502 an INTEGRITY error otherwise gets says the backend's data is damaged, which it is not).
 */
import { type Readable, Transform, type TransformCallback } from "node:stream";
import { type ArchiveDecryption, ArchiveIntegrityError, ArchiveKeyError } from "@coffer/backup";
import { ValidationError, ValueTooLargeError, z } from "@coffer/core";
import { asCallerFault } from "../http-errors.js";

export const ARCHIVE_TYPE = "application/octet-stream";

/** The largest archive the server reads from a request by default (COFFER_SERVER_ARCHIVE_LIMIT_BYTES). */
export const DEFAULT_ARCHIVE_LIMIT_BYTES = 1024 * 1024 * 1024;

export const archiveKeyHeaders = z
  .object({
    "x-coffer-backup-passphrase": z.string().optional().describe("The archive's passphrase."),
    "x-coffer-backup-identity": z
      .string()
      .optional()
      .describe("Or its age identities, comma-separated AGE-SECRET-KEY-1… values."),
  })
  .passthrough();

/** The request body as a stream that fails once more than `limitBytes` have arrived. */
export class ArchiveUpload {
  readonly stream: Readable;
  #tooLarge = false;

  constructor(
    body: unknown,
    headers: Record<string, string | string[] | undefined>,
    readonly limitBytes: number,
  ) {
    const source = body as Readable | undefined;
    if (!source || typeof source.pipe !== "function") {
      throw new ValidationError(`Send the archive as the request body with Content-Type: ${ARCHIVE_TYPE}.`, {
        details: { field: "body" },
      });
    }
    const declared = Number(headers["content-length"]);
    if (Number.isFinite(declared) && declared > limitBytes) throw this.#overLimit();
    let received = 0;
    this.stream = source.pipe(
      new Transform({
        transform: (chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) => {
          received += chunk.length;
          if (received > limitBytes) {
            this.#tooLarge = true;
            done(this.#overLimit());
            return;
          }
          done(null, chunk);
        },
      }),
    );
    // A failure of the request itself (the client went away) ends the count too.
    source.once("error", (error) => this.stream.destroy(error));
    // Its errors reach whoever reads it (the archive reader, the spooling pipeline); this listener
    // only keeps one nobody reads any more (the reader stopped at the damage) from being unhandled.
    this.stream.on("error", () => {});
  }

  /**
   * Runs `work` over the upload and turns what the upload got wrong into the caller's errors:
   * over the limit (whatever the archive reader made of the cut stream) 413, an archive problem 422.
   */
  async read<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (this.#tooLarge) throw this.#overLimit();
      if (error instanceof ArchiveIntegrityError || error instanceof ArchiveKeyError) {
        throw asCallerFault(error);
      }
      throw error;
    }
  }

  #overLimit(): ValueTooLargeError {
    return new ValueTooLargeError(
      `The archive is larger than this server accepts (${this.limitBytes} bytes).`,
      {
        hint: "Raise COFFER_SERVER_ARCHIVE_LIMIT_BYTES on the server, or run the command locally against the deployment.",
        details: { limitBytes: this.limitBytes },
      },
    );
  }
}

/**
 * Runs a handler that reads an upload. When it fails, the connection is closed after the error
 * reply: the rest of the body, left unread, must not be parsed as the next request on it.
 */
export async function closingOnFailure<T>(
  reply: { header(name: string, value: string): unknown },
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    reply.header("connection", "close");
    throw error;
  }
}

/** The archive's key: a passphrase, or age identities. */
export function decryptionFrom(headers: Record<string, string | string[] | undefined>): ArchiveDecryption {
  const passphrase = headers["x-coffer-backup-passphrase"];
  const identity = headers["x-coffer-backup-identity"];
  if (typeof passphrase === "string" && passphrase !== "") return { passphrase };
  if (typeof identity === "string" && identity !== "") {
    return {
      identities: identity
        .split(",")
        .map((part) => part.trim())
        .filter(Boolean),
    };
  }
  throw new ValidationError(
    "Give the archive's key in X-Coffer-Backup-Passphrase or X-Coffer-Backup-Identity.",
    {
      details: { field: "x-coffer-backup-passphrase" },
    },
  );
}
