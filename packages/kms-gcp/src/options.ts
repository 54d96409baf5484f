/** The options of the `gcp-kms` key source (option `kms` of the sql store, e.g. COFFER_STORE_KMS as JSON). */
import { z } from "@coffer/core";

/** A CryptoKey's resource name, as Cloud KMS's resources.proto gives its pattern. */
const KEY_NAME =
  /^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[a-zA-Z0-9_-]{1,63}\/cryptoKeys\/[a-zA-Z0-9_-]{1,63}$/;

/** A service-account key file's JSON: what `credentials` must hold. */
function isServiceAccountKey(text: string): boolean {
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    return typeof parsed.client_email === "string" && typeof parsed.private_key === "string";
  } catch {
    return false;
  }
}

export const gcpKmsOptions = z
  .object({
    /** The CryptoKey (purpose ENCRYPT_DECRYPT) that wraps the data keys; its primary version encrypts. */
    keyName: z
      .string()
      .regex(
        KEY_NAME,
        "must be a CryptoKey name: projects/<project>/locations/<location>/keyRings/<ring>/cryptoKeys/<key>",
      ),
    /** Path of a service-account key file (JSON); by default the application default credentials. */
    keyFile: z.string().min(1).optional(),
    /** A service-account key (the JSON text); sensitive, so give it as @/path. */
    credentials: z
      .string()
      .refine(
        isServiceAccountKey,
        "must be a service-account key in JSON (with client_email and private_key)",
      )
      .optional(),
    /** Host of the API: a private endpoint, or an emulator in tests. Default cloudkms.googleapis.com. */
    apiEndpoint: z.string().min(1).optional(),
    port: z.number().int().min(1).max(65_535).optional(),
    /** Plain-text gRPC without TLS and without credentials: emulators only. */
    insecure: z.boolean().default(false),
    /** How long one KMS call may take before it counts as unavailable. */
    timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
    /** Attempts per call for transient failures and for answers that fail their CRC32C check. */
    maxAttempts: z.number().int().min(1).max(10).default(3),
  })
  .strict()
  .superRefine((options, ctx) => {
    const problem = (path: string, message: string) =>
      ctx.addIssue({ code: "custom", path: [path], message });
    if (options.keyFile !== undefined && options.credentials !== undefined) {
      problem("credentials", "give either keyFile or credentials, not both");
    }
    if (options.insecure && options.apiEndpoint === undefined) {
      problem(
        "insecure",
        "insecure is for emulators: set apiEndpoint (and port) to the emulator's address too",
      );
    }
    if (options.insecure && (options.keyFile !== undefined || options.credentials !== undefined)) {
      problem("insecure", "an insecure channel sends no credentials: remove keyFile and credentials");
    }
  });

export type GcpKmsOptions = z.output<typeof gcpKmsOptions>;
