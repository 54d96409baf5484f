import { defineStore } from "@coffer/core";
import { vaultStoreOptions } from "./options.js";
import { VaultSecretsStore } from "./vault-store.js";

export { type AuthStats, TokenKeeper, type VaultCredentials } from "./auth.js";
export { toStoreError } from "./errors.js";
export {
  DEFAULT_MAX_VALUE_BYTES,
  type ResolvedVaultStoreOptions,
  type VaultStoreOptions,
  vaultStoreOptions,
} from "./options.js";
export { DEPLOYMENT_KEY, SECRET_ID_KEY, VaultPaths } from "./paths.js";
export { VaultSecretsStore, type VaultStoreHooks } from "./vault-store.js";

/** The registration: `COFFER_STORE_TYPE=vault`. */
export const vaultStore = defineStore({
  type: "vault",
  description: "HashiCorp Vault KV v2: one key per Coffer secret, native versions and check-and-set.",
  optionsSchema: vaultStoreOptions,
  sensitiveOptions: ["token", "roleId", "secretId"],
  create: (options, context) => new VaultSecretsStore(options, context),
});

export default vaultStore;
