/**
 * /api/v1/admin/backup and /api/v1/admin/restore (registered under the admin prefix), for admins:
 * the whole deployment as one age-encrypted archive (@coffer/backup), streamed out, and such an
 * archive streamed in and restored through the service.
 *
 * The archive key never travels in a URL: the backup's passphrase or recipients are in the JSON
 * body, the restore's passphrase or identities in headers (the body is the archive). A restore
 * reads its archive three times (verify, plan, apply), so the upload is spooled to a private
 * temporary file first, removed when the restore ends.
 */
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ArchiveDecryption, ArchiveEncryption } from "@coffer/backup";
import { ValidationError, z } from "@coffer/core";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { AppContext } from "./context.js";
import { errorReplies as errors } from "./responses.js";

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

const ARCHIVE_TYPE = "application/octet-stream";

export const backupRoutes: FastifyPluginAsyncZod<AppContext> = async (api, { service }) => {
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
        "The body is the archive (application/octet-stream). Its key goes in X-Coffer-Backup-Passphrase or X-Coffer-Backup-Identity (comma-separated AGE-SECRET-KEY-1… values). A damaged archive is refused (409 INTEGRITY… see error code) with nothing written.",
      querystring: restoreQuery,
      headers: z
        .object({
          "x-coffer-backup-passphrase": z.string().optional(),
          "x-coffer-backup-identity": z.string().optional(),
        })
        .passthrough(),
      response: { 200: restoreSchema, ...errors },
    },
    handler: async (request) => {
      const body = request.body as Readable | undefined;
      if (!body || typeof (body as Readable).pipe !== "function") {
        throw new ValidationError(
          `Send the archive as the request body with Content-Type: ${ARCHIVE_TYPE}.`,
          {
            details: { field: "body" },
          },
        );
      }
      const decryption = decryptionFrom(request.headers);
      const spool = mkdtempSync(path.join(tmpdir(), "coffer-restore-"));
      const file = path.join(spool, "archive.age");
      try {
        await pipeline(body, createWriteStream(file, { mode: 0o600 }));
        return await service.restore(() => createReadStream(file), decryption, {
          ...(request.query.onConflict ? { onConflict: request.query.onConflict } : {}),
          dryRun: request.query.dryRun === "true",
          // Survives a crash of the server (not a reboot that clears the temporary directory).
          journalDir: path.join(tmpdir(), "coffer-restore-journals", service.deploymentId),
        });
      } finally {
        rmSync(spool, { recursive: true, force: true });
      }
    },
  });
};

function decryptionFrom(headers: Record<string, string | string[] | undefined>): ArchiveDecryption {
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
