/** The encrypted-dir store's options, as operators give them (COFFER_STORE_<OPTION>). */
import { z } from "@coffer/core";

export const encryptedDirStoreOptions = z
  .object({
    /** Where the encrypted files live; created with mode 0700 if missing. */
    directory: z.string().min(1),
    /** The AES-256 key, base64 (32 bytes). Generate one with `openssl rand -base64 32`. */
    key: z.string().min(1),
    maxValueBytes: z.number().int().min(1024).default(1_048_576),
  })
  .strict();

export type ParsedEncryptedDirStoreOptions = z.output<typeof encryptedDirStoreOptions>;
