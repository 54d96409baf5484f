/** The `sql` store's options: where the values live (the metadata database by default) and the keys that encrypt them. */
import { DEFAULT_MAX_VERSIONS, z } from "@coffer/core";
import { keyProblem, parseKeyring } from "@coffer/sql";
import { sealedLength } from "./envelope.js";

/** Default size limit: generous for credentials and certificates, small enough for any row. */
export const DEFAULT_MAX_VALUE_BYTES = 1_048_576;

/**
 * The highest limit an operator may set. The sealed value is base64 (4/3 of the JSON plus the
 * tag): 8 MiB of JSON is about 11.2 MB in the row, which fits MySQL's MEDIUMTEXT (16 MiB) with room
 * to spare. MySQL's max_allowed_packet must be above the row size too (64 MiB by default since 8.0).
 */
export const MAX_MAX_VALUE_BYTES = 8 * 1_048_576;

/** Every kept revision is a full sealed copy of the secret: bound the rows one secret can hold. */
export const MAX_MAX_VERSIONS = 1000;

/** Ids per getMany query: one `WHERE secret_id IN (…)` of 500 parameters suits all three databases. */
export const BATCH_GET_MAX = 500;

if (sealedLength(MAX_MAX_VALUE_BYTES) >= 16_777_215) throw new Error("MAX_MAX_VALUE_BYTES is too large");

export const sqlStoreOptions = z
  .object({
    /** A database URL for the values; by default they live in the metadata database. */
    url: z.string().min(1).optional(),
    /** One AES-256 key, base64. Its id is its fingerprint. */
    encryptionKey: z.string().optional(),
    /** An operator keyring: JSON `{ "active": "k2", "keys": { "k1": "…", "k2": "…" } }`. */
    keyring: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
    /** Where the self-managed keyring lives; default `<dataDir>/sql-store.keyring.json`. */
    keyringFile: z.string().min(1).optional(),
    maxValueBytes: z.number().int().min(1024).max(MAX_MAX_VALUE_BYTES).default(DEFAULT_MAX_VALUE_BYTES),
    /** Revisions kept per secret, the current one included; older ones are dropped on update. */
    maxVersions: z.number().int().min(1).max(MAX_MAX_VERSIONS).default(DEFAULT_MAX_VERSIONS),
  })
  .strict()
  .superRefine((options, context) => {
    const given = (["encryptionKey", "keyring", "keyringFile"] as const).filter(
      (name) => options[name] !== undefined,
    );
    if (given.length > 1) {
      context.addIssue({
        code: "custom",
        path: [given[1]!],
        message: `give only one of ${given.map((name) => `'${name}'`).join(" and ")}: they are different sources of keys`,
      });
    }
    if (options.encryptionKey !== undefined) {
      const problem = keyProblem(options.encryptionKey);
      if (problem) context.addIssue({ code: "custom", path: ["encryptionKey"], message: problem });
    }
    if (options.keyring !== undefined) {
      const keyring = parseKeyring(options.keyring);
      if (typeof keyring === "string")
        context.addIssue({ code: "custom", path: ["keyring"], message: keyring });
    }
  });

export type SqlStoreOptions = z.input<typeof sqlStoreOptions>;
export type ParsedSqlStoreOptions = z.output<typeof sqlStoreOptions>;
