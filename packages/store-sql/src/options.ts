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

/** The key source that keeps today's behaviour: keys in a keyring (file, option or one key). */
export const KEYRING_SOURCE = "keyring";
/** How long an unwrapped data key is used before the KMS is asked again, by default: 5 minutes. */
export const DEFAULT_DATA_KEY_TTL_MS = 300_000;
export const DEFAULT_DATA_KEY_CACHE_MAX = 100;

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
    /**
     * Where the keys come from: `keyring` (the default: the options above, or the keyring file),
     * or a KMS by name (`aws-kms`, …) whose key wraps data keys kept in the database.
     */
    keySource: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,40}$/, "must be 'keyring' or the name of a KMS key source, e.g. 'aws-kms'")
      .default(KEYRING_SOURCE),
    /** The KMS key source's options (a JSON object or YAML mapping), checked by the source. */
    kms: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
    /** How long an unwrapped data key is used before the KMS is asked again (KMS key sources). */
    dataKeyCacheTtlMs: z.number().int().min(1_000).max(86_400_000).default(DEFAULT_DATA_KEY_TTL_MS),
    /** Most unwrapped data keys held in memory at once (KMS key sources). */
    dataKeyCacheMax: z.number().int().min(1).max(10_000).default(DEFAULT_DATA_KEY_CACHE_MAX),
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
    if (options.keySource !== KEYRING_SOURCE && given.length > 0) {
      context.addIssue({
        code: "custom",
        path: [given[0]!],
        message: `'${given[0]}' is a keyring option; key source '${options.keySource}' keeps its data keys in the database, wrapped by the KMS`,
      });
    }
    if (options.keySource === KEYRING_SOURCE && options.kms !== undefined) {
      context.addIssue({
        code: "custom",
        path: ["kms"],
        message: "'kms' needs a KMS key source: set 'keySource' too (e.g. aws-kms)",
      });
    }
    if (options.keySource !== KEYRING_SOURCE && options.kms === undefined) {
      context.addIssue({
        code: "custom",
        path: ["kms"],
        message: `key source '${options.keySource}' needs its options in 'kms' (a JSON object, e.g. {"keyId": "alias/coffer"})`,
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
