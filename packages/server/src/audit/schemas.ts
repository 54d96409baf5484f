/** The audit routes' request and reply schemas (the records are value-free by construction). */
import { AUDIT_ACTION_NAMES, MAX_LIST_LIMIT } from "@coffer/audit";
import { z } from "zod";

// No NUL: PostgreSQL refuses it in text, which would make a filter a 500 there and a plain miss
// on SQLite and MySQL; refused here, it is the same 400 on every database.
const text = () =>
  z
    .string()
    .min(1)
    .max(255)
    .refine((value) => !value.includes("\0"), { message: "must not contain a NUL character" });

export const auditQuery = z
  .object({
    actor: text().optional().describe("A user id or name."),
    secret: text().optional().describe("A secret name or id."),
    action: z.enum(AUDIT_ACTION_NAMES as [string, ...string[]]).optional(),
    outcome: text().optional().describe("`ok`, `started`, or an error code such as NOT_FOUND."),
    since: z.string().optional().describe("ISO 8601; inclusive."),
    until: z.string().optional().describe("ISO 8601; inclusive."),
    limit: z.coerce.number().int().min(1).max(MAX_LIST_LIMIT).optional(),
  })
  .strict();

const recordSchema = z.object({
  seq: z.number(),
  time: z.string().describe("ISO 8601"),
  action: z.string(),
  actor: z.object({ id: z.string(), name: z.string().optional(), tokenId: z.string().optional() }),
  origin: z.object({
    kind: z.string(),
    address: z.string().optional(),
    userAgent: z.string().optional(),
  }),
  target: z.object({}).passthrough().optional(),
  outcome: z.string(),
  denied: z.boolean().optional(),
  requestId: z.string().optional(),
  prev: z.string(),
  hash: z.string(),
  mac: z.string().optional(),
});

export const auditListSchema = z.object({ records: z.array(recordSchema) });

export const auditVerifySchema = z.object({
  ok: z.boolean(),
  records: z.number(),
  first: z.number().optional(),
  last: z.number().optional(),
  problems: z.array(
    z.object({
      kind: z.enum(["edited", "removed", "inserted", "reordered"]),
      seq: z.number(),
      where: z.string(),
      message: z.string(),
    }),
  ),
});
