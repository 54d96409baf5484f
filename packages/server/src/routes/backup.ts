/**
 * /api/v1/admin/backup, /restore and /diff (registered under the admin prefix), for admins: the
 * whole deployment as one age-encrypted archive (@coffer/backup), streamed out; such an archive
 * streamed in and restored through the service; and such an archive compared with the live
 * deployment (the service's diff: names, keys, versions, values by keyed hash under a key made
 * for the request — never a value in the reply).
 *
 * The archive key never travels in a URL: the backup's passphrase or recipients are in the JSON
 * body, the restore's and diff's passphrase or identities in headers (the body is the archive,
 * read by archive-upload.ts within the server's archive limit). A restore reads its archive three
 * times (verify, plan, apply), so the upload is spooled to a private temporary file first, removed
 * when the restore ends; a diff reads it once, as it arrives.
 */
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ArchiveEncryption } from "@coffer/backup";
import { ValidationError, z } from "@coffer/core";
import { archiveSnapshot } from "@coffer/service";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import {
  ARCHIVE_TYPE,
  ArchiveUpload,
  archiveKeyHeaders,
  closingOnFailure,
  DEFAULT_ARCHIVE_LIMIT_BYTES,
  decryptionFrom,
} from "./archive-upload.js";
import type { AppContext } from "./context.js";
import { archiveErrorReplies, errorReplies as errors } from "./responses.js";

const tags = ["operations"];

export const backupBody = z
  .object({
    passphrase: z.string().min(1).max(1024).optional().describe("Encrypt to this passphrase (age scrypt)."),
    recipients: z
      .array(z.string().min(1).max(2048))
      .min(1)
      .max(64)
      .optional()
      .describe("Or encrypt to these age public keys (age1…)."),
    withHistory: z.boolean().optional().describe("Also keep each secret's older versions and their values."),
  })
  .strict();

const countsSchema = z
  .object({ secrets: z.number().int(), values: z.number().int(), historyVersions: z.number().int() })
  .strict();

export const restoreQuery = z
  .object({
    onConflict: z
      .enum(["skip", "overwrite", "fail"])
      .optional()
      .describe("Default fail: nothing is written when any secret conflicts."),
    dryRun: z.enum(["true", "false"]).optional().describe("Only check the archive and return the plan."),
  })
  .strict();

export const restoreSchema = z
  .object({
    dryRun: z.boolean(),
    onConflict: z.enum(["skip", "overwrite", "fail"]),
    archive: z
      .object({
        sha256: z.string(),
        createdAt: z.string(),
        storeType: z.string(),
        withHistory: z.boolean(),
        counts: countsSchema,
      })
      .strict(),
    plan: z
      .object({
        secrets: z.number().int(),
        create: z.number().int(),
        identical: z.number().int(),
        alreadyRestored: z.number().int(),
        resume: z.number().int(),
        conflicts: z.number().int(),
        conflictList: z.array(
          z.object({ name: z.string(), owner: z.string(), private: z.boolean() }).strict(),
        ),
      })
      .strict(),
    created: z.number().int(),
    overwritten: z.number().int(),
    skipped: z.number().int(),
    identical: z.number().int(),
    alreadyRestored: z.number().int(),
    verified: z.number().int(),
    historyVersions: z.number().int(),
  })
  .strict();

const changedSecret = z.object({ name: z.string(), owner: z.string().optional() });

export const diffSchema = z
  .object({
    a: z.string().describe("The uploaded archive."),
    b: z.string().describe("The live deployment."),
    equal: z.boolean(),
    counts: z
      .object({
        a: z.number().int(),
        b: z.number().int(),
        added: z.number().int(),
        removed: z.number().int(),
        changed: z.number().int(),
        same: z.number().int(),
      })
      .strict(),
    added: z
      .array(changedSecret.extend({ version: z.number().int(), keys: z.array(z.string()) }).strict())
      .describe("In the deployment, not in the archive."),
    removed: z
      .array(changedSecret.extend({ version: z.number().int(), keys: z.array(z.string()) }).strict())
      .describe("In the archive, not in the deployment."),
    changed: z.array(
      changedSecret
        .extend({
          version: z.object({ from: z.number().int(), to: z.number().int() }).strict().optional(),
          keysAdded: z.array(z.string()),
          keysRemoved: z.array(z.string()),
          keysChanged: z.array(z.string()).describe("Keys whose values differ (by keyed hash)."),
        })
        .strict(),
    ),
  })
  .strict();

/** What the backup routes are given: the app's parts and the largest archive to read from a request. */
export interface BackupRouteOptions extends AppContext {
  archiveLimitBytes?: number;
}

export const backupRoutes: FastifyPluginAsyncZod<BackupRouteOptions> = async (api, options) => {
  const { service } = options;
  const limit = options.archiveLimitBytes ?? DEFAULT_ARCHIVE_LIMIT_BYTES;
  // The archive arrives as a raw stream: no buffering, no body limit (it is spooled to disk).
  api.addContentTypeParser(ARCHIVE_TYPE, (_request, payload, done) => done(null, payload));

  api.post("/backup", {
    config: { permission: "admin", action: "back up the deployment" },
    schema: {
      tags,
      summary: "Stream an encrypted archive of every secret (admin)",
      description: "The reply is an age file (application/octet-stream); `coffer backup verify` checks it.",
      body: backupBody,
      response: {
        200: z
          .unknown()
          .describe("The age-encrypted archive, streamed (Content-Type application/octet-stream)."),
        ...errors,
      },
    },
    handler: async (request, reply) => {
      const { passphrase, recipients, withHistory } = request.body;
      if ((passphrase === undefined) === (recipients === undefined)) {
        throw new ValidationError("Give either a passphrase or recipients to encrypt the backup to.", {
          details: { field: "passphrase" },
        });
      }
      const encryption: ArchiveEncryption =
        passphrase !== undefined ? { passphrase } : { recipients: recipients! };
      const archive = new PassThrough();
      const writing = service.backup(archive, encryption, { withHistory: withHistory === true });
      // Wait for the first bytes (or the first error: a bad recipient is a 400, not a cut stream).
      await Promise.race([
        new Promise((resolve) => archive.once("readable", resolve)),
        writing.then(() => undefined),
      ]);
      writing.then(
        () => archive.end(),
        (error: unknown) => {
          request.log.error({ err: error }, "backup stream failed");
          archive.destroy(error as Error);
        },
      );
      return reply
        .type(ARCHIVE_TYPE)
        .header(
          "content-disposition",
          `attachment; filename="coffer-${service.deploymentId.slice(0, 8)}.age"`,
        )
        .send(archive);
    },
  });

  api.post("/restore", {
    config: { permission: "admin", action: "restore backups" },
    schema: {
      tags,
      summary: "Restore an archive made by backup (admin)",
      description:
        "The body is the archive (application/octet-stream). Its key goes in X-Coffer-Backup-Passphrase or X-Coffer-Backup-Identity (comma-separated AGE-SECRET-KEY-1… values). A damaged or truncated archive, or a wrong key, is refused (422 INTEGRITY, `details.reason` says which check failed) with nothing written; one over the server's archive limit is 413.",
      querystring: restoreQuery,
      headers: archiveKeyHeaders,
      response: { 200: restoreSchema, ...archiveErrorReplies },
    },
    handler: (request, reply) =>
      closingOnFailure(reply, async () => {
        const upload = new ArchiveUpload(request.body, request.headers, limit);
        const decryption = decryptionFrom(request.headers);
        const spool = mkdtempSync(path.join(tmpdir(), "coffer-restore-"));
        const file = path.join(spool, "archive.age");
        try {
          return await upload.read(async () => {
            await pipeline(upload.stream, createWriteStream(file, { mode: 0o600 }));
            return service.restore(() => createReadStream(file), decryption, {
              ...(request.query.onConflict ? { onConflict: request.query.onConflict } : {}),
              dryRun: request.query.dryRun === "true",
              // Survives a crash of the server (not a reboot that clears the temporary directory).
              journalDir: path.join(tmpdir(), "coffer-restore-journals", service.deploymentId),
            });
          });
        } finally {
          rmSync(spool, { recursive: true, force: true });
        }
      }),
  });

  api.post("/diff", {
    config: { permission: "admin", action: "compare backups with the deployment" },
    schema: {
      tags,
      summary: "Compare an archive made by backup with the live deployment (admin)",
      description:
        "The body is the archive (application/octet-stream), its key in X-Coffer-Backup-Passphrase or X-Coffer-Backup-Identity. The reply lists secrets added (in the deployment only), removed (in the archive only) and changed — by name, owner for private secrets, keys and versions; values are compared by HMAC under a key made for this request and never returned. A damaged or truncated archive, or a wrong key, is 422 (INTEGRITY); one over the server's archive limit 413.",
      headers: archiveKeyHeaders,
      response: { 200: diffSchema, ...archiveErrorReplies },
    },
    handler: (request, reply) =>
      closingOnFailure(reply, async () => {
        const upload = new ArchiveUpload(request.body, request.headers, limit);
        const decryption = decryptionFrom(request.headers);
        const archive = archiveSnapshot("uploaded archive", () => upload.stream, decryption);
        return upload.read(() => service.diff(archive, { label: "deployment", against: "archive" }));
      }),
  });
};
