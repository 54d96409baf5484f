/**
 * The wire format of the REST API, as zod schemas. Fastify validates requests against them and
 * @fastify/swagger turns them into the OpenAPI document, so the document cannot drift from the
 * code. Every object is strict: an unknown field is a 400 naming it, never silently ignored.
 */
import { SECRET_VALIDATION_LEVELS, z } from "@coffer/core";
import { nullableStringValues, queryText, stringValues, tokenId, userName } from "./input/fields.js";
import { ROLES } from "./roles.js";

const values = stringValues("Key/value pairs; values are strings.");

export const secretSchema = z
  .object({
    id: z.string().describe("The secret's id (a UUID)."),
    name: z.string(),
    private: z.boolean().describe("Private secrets are visible to their owner only."),
    owner: z.string().describe("The owner's user name (their id when the owner was deleted)."),
    ownerId: z.string().describe("The owner's immutable user id."),
    version: z.number().int().describe("Starts at 1 and goes up with every change; also sent as the ETag."),
    keys: z.array(z.string()),
    createdAt: z.string(),
    updatedAt: z.string(),
    values: values
      .optional()
      .describe(
        "Present when the caller may read values; never in the reply to a write sent with `Prefer: return=minimal`.",
      ),
  })
  .strict();

export const pageSchema = z
  .object({
    items: z.array(secretSchema),
    nextCursor: z
      .string()
      .optional()
      .describe("Pass as `cursor` for the next page; absent on the last page."),
  })
  .strict();

export const errorSchema = z
  .object({
    error: z
      .object({
        code: z.string(),
        message: z.string(),
        hint: z.string().optional(),
        details: z.record(z.string(), z.unknown()).optional(),
        retryable: z.boolean().optional(),
      })
      .strict(),
  })
  .strict();

export const createSecretBody = z
  .object({ name: queryText(), values, private: z.boolean().optional() })
  .strict();

export const replaceSecretBody = z
  .object({ values, name: queryText().optional(), private: z.boolean().optional() })
  .strict()
  .describe("Replaces all values (and optionally the name and visibility).");

export const patchSecretBody = z
  .object({
    values: nullableStringValues("Merged into the values; null removes a key.").optional(),
    removeKeys: z.array(queryText()).optional(),
    name: queryText().optional(),
    private: z.boolean().optional(),
  })
  .strict();

export const putByNameBody = z.object({ values }).strict();

export const renameBody = z.object({ name: queryText() }).strict();
export const visibilityBody = z.object({ private: z.boolean() }).strict();

export const idParams = z.object({ id: queryText() }).strict();

const booleanText = z.enum(["true", "false"]).transform((text) => text === "true");

const includeValues = booleanText
  .optional()
  .describe(
    "false: metadata only, without reading the backend (default true where the caller may read values).",
  );

export const byNameQuery = z
  .object({
    name: queryText().describe("The secret's name."),
    private: booleanText
      .optional()
      .describe("Only the private (true) or the public (false) secret of that name."),
    values: includeValues,
  })
  .strict();

export const getByIdQuery = z.object({ values: includeValues }).strict();

export const putByNameQuery = z
  .object({
    name: queryText().describe("The secret's name."),
    private: booleanText
      .optional()
      .describe("Write the caller's private secret of that name (default: the public one)."),
  })
  .strict();

export const listQuery = z
  .object({
    name: queryText().optional().describe("Exact name."),
    name_contains: queryText().optional(),
    name_startswith: queryText().optional(),
    name_endswith: queryText().optional(),
    private: booleanText.optional(),
    owner: queryText().optional(),
    created_after: z.string().optional().describe("ISO 8601; inclusive."),
    created_before: z.string().optional().describe("ISO 8601; exclusive."),
    updated_after: z.string().optional(),
    updated_before: z.string().optional(),
    sort: z
      .enum(["name", "-name", "created", "-created", "updated", "-updated"])
      .optional()
      .describe("A leading '-' sorts descending."),
    limit: z.coerce.number().int().optional(),
    cursor: queryText().optional(),
  })
  .strict();

export const referencesBody = z
  .object({
    document: z.unknown().describe("Any JSON value; every string in it may hold {{name.key}} references."),
    level: z.enum(SECRET_VALIDATION_LEVELS).optional(),
  })
  .strict();

export const problemsSchema = z
  .object({
    problems: z.array(
      z
        .object({
          path: z.string(),
          reference: z.string(),
          problem: z.enum(["secret-missing", "key-missing"]),
          message: z.string(),
        })
        .strict(),
    ),
  })
  .strict();

export const resolvedSchema = z.object({ document: z.unknown() }).strict();

export const userSchema = z
  .object({
    id: z
      .string()
      .describe("Immutable: the owner id of the user's secrets; a re-created user gets a new one."),
    name: z.string(),
    role: z.enum(ROLES),
    createdAt: z.string(),
  })
  .strict();
export const createUserBody = z.object({ name: userName(), role: z.enum(ROLES) }).strict();
export const setRoleBody = z.object({ role: z.enum(ROLES) }).strict();
export const userParams = z.object({ name: userName() }).strict();

export const tokenSchema = z
  .object({
    id: z.string(),
    user: z.string(),
    userId: z.string(),
    kind: z
      .enum(["api", "enrollment"])
      .describe("enrollment: good only for its user to make their own token, once."),
    description: z.string(),
    createdBy: z
      .string()
      .nullable()
      .describe("Who made the token (null: the bootstrap token, or not recorded)."),
    createdById: z.string().nullable(),
    createdAt: z.string(),
    expiresAt: z.string().nullable(),
    revoked: z.boolean(),
    token: z.string().optional().describe("The token itself: returned once, when it is made."),
  })
  .strict();
export const createTokenBody = z
  .object({
    user: userName()
      .optional()
      .describe(
        "Default: the caller. Another user (admins only, for a user who has never had a token): an enrollment token, which only lets that user make their own token, once.",
      ),
    description: queryText().max(255).optional(),
    expiresInDays: z
      .number()
      .int()
      .min(1)
      .max(3650)
      .optional()
      .describe("Whole days, 1 to 3650. Default: no expiry; for an enrollment token 1 (at most 7)."),
  })
  .strict();
export const tokenParams = z.object({ id: tokenId() }).strict();

export const userListSchema = z.object({ users: z.array(userSchema) }).strict();
export const tokenListSchema = z.object({ tokens: z.array(tokenSchema) }).strict();

export const meSchema = z
  .object({
    user: z.string(),
    userId: z.string(),
    role: z.enum(ROLES),
    enrollment: z.boolean().optional().describe("true: an enrollment token (it can only make a token)."),
  })
  .strict();

/** What /ready tells a caller without an admin token: the status only. */
export const readinessSchema = z.object({ status: z.enum(["ready", "error"]) }).strict();

export const healthSchema = z
  .object({
    status: z.enum(["ready", "error"]),
    metadata: z.object({
      status: z.enum(["ready", "error"]),
      latencyMs: z.number(),
      message: z.string().optional(),
    }),
    store: z.object({
      type: z.string(),
      status: z.enum(["ready", "error", "unknown"]),
      latencyMs: z.number(),
      message: z.string().optional(),
      errorCode: z.string().optional(),
    }),
  })
  .strict();

export const reconcileSchema = z
  .object({
    completedCreates: z.array(z.string()),
    rolledBackCreates: z.array(z.string()),
    completedUpdates: z.array(z.string()),
    completedDeletes: z.array(z.string()),
    failed: z.array(z.object({ id: z.string(), code: z.string() })),
  })
  .strict();

const healthReportSchema = z
  .object({
    status: z.enum(["ready", "error", "unknown"]),
    latencyMs: z.number(),
    message: z.string().optional(),
    errorCode: z.string().optional(),
  })
  .strict();

export const storeInfoSchema = z
  .object({
    deploymentId: z.string(),
    status: z.enum(["ready", "error"]),
    store: z
      .object({
        type: z.string(),
        capabilities: z.object({
          access: z.enum(["read-write", "read-only", "write-only"]),
          maxValueBytes: z.number(),
          batchGetMax: z.number(),
          versions: z.boolean(),
          cas: z.boolean(),
          softDelete: z.boolean(),
        }),
        keyRotation: z.boolean(),
        health: healthReportSchema,
        keys: z
          .object({
            source: z.string(),
            activeKeyId: z.string(),
            keyCount: z.number(),
            missing: z.number(),
            rows: z.number().describe("Stored values (current ones), under any key."),
            rowsOnActiveKey: z
              .number()
              .describe(
                "Of those, the ones under the active key: a rotation's progress, read while it runs.",
              ),
          })
          .strict()
          .optional()
          .describe("Admins only: where the encryption keys come from."),
      })
      .strict(),
    backup: z.object({ type: z.string(), health: healthReportSchema }).strict().optional(),
    metadata: z.object({ status: z.enum(["ready", "error"]), latencyMs: z.number() }).strict(),
  })
  .strict();

export const rotateKeyBody = z.object({ batchSize: z.number().int().min(1).max(10_000).optional() }).strict();
export const rotateKeySchema = z
  .object({
    activeKeyId: z.string(),
    previousKeyId: z.string(),
    generated: z.boolean(),
    reencrypted: z.number(),
    skipped: z.number(),
    unreadable: z.array(z.object({ id: z.string(), keyId: z.string() })),
    remaining: z.number(),
    batches: z.number(),
    history: z
      .object({ reencrypted: z.number(), unreadable: z.number(), remaining: z.number() })
      .strict()
      .optional()
      .describe("Earlier revisions kept by the store, moved onto the active key after the current values."),
  })
  .strict();

export const copyValuesBody = z.object({ direction: z.enum(["to-backup", "to-primary"]) }).strict();
export const copyValuesSchema = z
  .object({
    copied: z.number(),
    missing: z.array(z.string()),
    failed: z.array(z.object({ id: z.string(), code: z.string() })),
  })
  .strict();
