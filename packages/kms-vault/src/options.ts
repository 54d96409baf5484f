/** The options of the `vault-transit` key source (option `kms` of the sql store, e.g. COFFER_STORE_KMS as JSON). */
import { z } from "@coffer/core";

export const vaultTransitOptions = z
  .object({
    /** Vault's address, e.g. https://vault.internal:8200. */
    address: z.url({ protocol: /^https?$/ }),
    /** A Vault token allowed to update `<mount>/encrypt/<keyName>`, `<mount>/decrypt/<keyName>`, and to read `<mount>/keys/<keyName>`. */
    token: z.string().min(1),
    /** The transit key that wraps the data keys (aes256-gcm96). It must exist: Coffer never creates it. */
    keyName: z.string().regex(/^[\w.-]{1,128}$/, "must be a transit key name: letters, digits, _ . -"),
    /** Where the transit engine is mounted. */
    mount: z
      .string()
      .regex(/^[\w.-]+(\/[\w.-]+)*$/, "must be a mount path such as transit or kms/transit")
      .default("transit"),
    /** Vault Enterprise namespace. */
    namespace: z.string().min(1).optional(),
    /** How long one Vault call may take before it counts as unavailable. */
    timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
  })
  .strict();

export type VaultTransitOptions = z.output<typeof vaultTransitOptions>;
