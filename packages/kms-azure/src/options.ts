/**
 * The options of the `azure-keys` key source (option `kms` of the sql store, e.g. COFFER_STORE_KMS as
 * JSON). The credential options are the azure store's (a service principal by secret or
 * certificate, or a managed identity), spelled the same way; tlsCa and the challenge switch too.
 */
import { z } from "@coffer/core";
import * as kit from "@coffer/store-kit";

export const azureKeysOptions = z
  .object({
    /** The vault, e.g. https://my-vault.vault.azure.net (a Managed HSM's URL works the same way). */
    vaultUrl: z
      .string()
      .url("must be a URL such as https://my-vault.vault.azure.net")
      .refine(
        (url) => url.startsWith("https://"),
        "must be an https URL (Key Vault sends tokens over TLS only)",
      ),
    /** The RSA key (RSA or RSA-HSM, 2048 bits or more) whose current version wraps new data keys. */
    keyName: z
      .string()
      .regex(/^[0-9a-zA-Z-]{1,127}$/, "must be a Key Vault key name: 1-127 letters, digits or '-'"),
    ...kit.azureCredentialOptions,
    /** CA certificate(s) to trust for the vault's TLS: PEM text, or a file as @/path. */
    tlsCa: kit.tlsCa().optional(),
    /** Accept an authentication challenge from a host outside *.vault.azure.net (emulators, proxies). */
    disableChallengeResourceVerification: z.boolean().default(false),
    /** How long one Key Vault call may take, the client's retries included, before it counts as unavailable. */
    timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
    /** Retries per call, with the client's backoff, for throttling (429) and server errors. */
    maxRetries: z.number().int().min(0).max(10).default(3),
  })
  .strict()
  .superRefine(kit.checkAzureCredential);

export type AzureKeysOptions = z.output<typeof azureKeysOptions>;
