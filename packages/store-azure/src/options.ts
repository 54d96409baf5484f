/**
 * The azure store's options, as operators give them (COFFER_STORE_<OPTION> or `store:` in the file).
 * Key Vault's own rules (name charset, tag limits) are checked here, so a bad setting fails at start
 * with the variable's name instead of on the first write.
 */
import { z } from "@coffer/core";
import * as kit from "@coffer/store-kit";

/** Key Vault allows 15 tags per secret, names up to 512 and values up to 256 characters. */
export const MAX_TAGS = 15;

/** What is wrong with one tag, by Key Vault's rules, or undefined. */
function tagProblem(name: string, value: string): string | undefined {
  if (name.length === 0 || name.length > 512) return "tag names must be 1 to 512 characters";
  if (value.length > 256) return `the value of tag '${name}' is over 256 characters`;
  return undefined;
}

export const azureStoreOptions = z
  .object({
    /** The vault, e.g. https://my-vault.vault.azure.net. */
    vaultUrl: z
      .string()
      .url("must be a URL such as https://my-vault.vault.azure.net")
      .refine(
        (url) => url.startsWith("https://"),
        "must be an https URL (Key Vault sends tokens over TLS only)",
      ),
    ...kit.azureCredentialOptions,
    /** CA certificate(s) to trust for the vault's TLS: PEM text (a file as @/path, a file option). */
    tlsCa: kit.tlsCa().optional(),
    /** The first part of every secret name. */
    namePrefix: kit.namePrefix(/^[A-Za-z0-9-]{1,24}$/, "must be 1-24 letters, digits or '-'"),
    /** Extra tags on every secret, e.g. {"team":"payments"}. */
    extraTags: kit.extraMarks({
      noun: "tag",
      service: "Key Vault",
      max: MAX_TAGS,
      own: [kit.REVISION_MARK],
      entry: tagProblem,
    }),
    /** Versions (revisions) kept enabled per secret; older ones are disabled after a write. */
    maxVersions: kit.maxVersions(),
    /** Purge a deleted secret at once (when the vault allows it); false keeps it recoverable. */
    purgeOnDelete: z.boolean().default(true),
    /** Accept an authentication challenge from a host outside *.vault.azure.net (emulators, loopback). */
    disableChallengeResourceVerification: z.boolean().default(false),
    /** How many reads getMany runs at once. */
    concurrency: kit.concurrency(),
    /** Deadline of one operation, the client's own retries included. */
    timeoutMs: kit.timeoutMs(),
  })
  .strict()
  .superRefine(kit.checkAzureCredential);

export type AzureStoreOptions = z.input<typeof azureStoreOptions>;
export type ParsedAzureStoreOptions = z.output<typeof azureStoreOptions>;
