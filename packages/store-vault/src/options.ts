/**
 * The `vault` store's options. Paths are checked here because node-vault puts them into URLs as
 * they are: a prefix with `?` or `..` in it would address something else entirely.
 */
import { z } from "@coffer/core";
import { httpUrl, maxVersions, optionProblem, timeoutMs, tlsCa } from "@coffer/store-kit";

/** Path segments: letters, digits, `.`, `_`, `-`; not `.` or `..`; joined by single slashes. */
const SEGMENT = "(?!\\.{1,2}(?:/|$))[A-Za-z0-9._-]+";
const VAULT_PATH = new RegExp(`^${SEGMENT}(?:/${SEGMENT})*$`);
const PATH_RULE = "use letters, digits, '.', '_' and '-' in segments separated by single slashes";

const vaultPath = () => z.string().max(256).regex(VAULT_PATH, PATH_RULE);

/**
 * The default size limit. A KV v2 version is one storage entry: 512 KiB on Consul, 1 MiB by
 * default on integrated storage (max_entry_size). 512,000 bytes fits both with room for Vault's
 * own framing and encryption.
 */
export const DEFAULT_MAX_VALUE_BYTES = 512_000;

export const vaultStoreOptions = z
  .object({
    /** Vault's address, e.g. https://vault.example.com:8200. */
    address: httpUrl(),
    /** The KV version 2 mount. */
    mount: vaultPath().default("secret"),
    /** Secrets live at `<mount>/data/<pathPrefix>/<deploymentId>/<id>`. */
    pathPrefix: vaultPath().default("coffer"),
    /** Vault Enterprise / HCP namespace (X-Vault-Namespace). */
    namespace: vaultPath().optional(),
    /** PEM certificate(s) to trust for an https address (a file as `@/path/to/ca.pem`, a file option). */
    tlsCa: tlsCa().optional(),
    /** Token auth. */
    token: z.string().min(1).optional(),
    /** AppRole auth: the role ID and a secret ID. */
    roleId: z.string().min(1).optional(),
    secretId: z.string().min(1).optional(),
    /** Where the AppRole auth method is mounted. */
    authMount: vaultPath().default("approle"),
    /** KV versions kept per secret (the key's max_versions, written at create), 1–1000, default 10. */
    maxVersions: maxVersions(1000),
    /** The largest secret accepted, in bytes of its JSON; depends on Vault's storage backend. */
    maxValueBytes: z
      .number()
      .int()
      .min(1024)
      .max(32 * 1024 * 1024)
      .default(DEFAULT_MAX_VALUE_BYTES),
    /** Milliseconds a request may take before it is abandoned as unavailable. */
    timeoutMs: timeoutMs(),
  })
  .strict()
  .superRefine((options, context) => {
    const appRole = options.roleId !== undefined || options.secretId !== undefined;
    if (options.token !== undefined && appRole) {
      optionProblem(context, "token", "give either token or roleId and secretId (AppRole), not both");
    } else if (options.token === undefined && !appRole) {
      optionProblem(context, "token", "Vault needs credentials: a token, or roleId and secretId (AppRole)");
    } else if (appRole && (options.roleId === undefined || options.secretId === undefined)) {
      optionProblem(
        context,
        options.roleId === undefined ? "roleId" : "secretId",
        "AppRole needs both roleId and secretId",
      );
    }
    if (options.tlsCa !== undefined && options.address.startsWith("http:")) {
      optionProblem(context, "tlsCa", "tlsCa is given but the address is plain http; use an https address");
    }
  });

export type VaultStoreOptions = z.input<typeof vaultStoreOptions>;
export type ParsedVaultStoreOptions = z.output<typeof vaultStoreOptions>;
