/** The options of the `gcp-kms` key source (option `kms` of the sql store, e.g. COFFER_STORE_KMS as JSON). */
import { z } from "@coffer/core";
import * as kit from "@coffer/store-kit";

/** A CryptoKey's resource name, as Cloud KMS's resources.proto gives its pattern. */
const KEY_NAME =
  /^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[a-zA-Z0-9_-]{1,63}\/cryptoKeys\/[a-zA-Z0-9_-]{1,63}$/;

export const gcpKmsOptions = z
  .object({
    /** The CryptoKey (purpose ENCRYPT_DECRYPT) that wraps the data keys; its primary version encrypts. */
    keyName: z
      .string()
      .regex(
        KEY_NAME,
        "must be a CryptoKey name: projects/<project>/locations/<location>/keyRings/<ring>/cryptoKeys/<key>",
      ),
    ...kit.gcpConnectionOptions,
    /** How long one KMS call may take before it counts as unavailable. */
    timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
    /** Attempts per call for transient failures and for answers that fail their CRC32C check. */
    maxAttempts: z.number().int().min(1).max(10).default(3),
  })
  .strict()
  .superRefine(kit.checkGcpConnection);

export type GcpKmsOptions = z.output<typeof gcpKmsOptions>;
