/** The `vault` store package: its registration (the default export) and what tests and embedders use. */
import { defineBackend } from "@coffer/store-kit";
import { vaultStoreOptions } from "./options.js";
import { VaultStore } from "./vault-store.js";

export { type AuthStats, TokenKeeper, type VaultCredentials } from "./auth.js";
export { toStoreError } from "./errors.js";
export {
  DEFAULT_MAX_VALUE_BYTES,
  type ParsedVaultStoreOptions,
  type VaultStoreOptions,
  vaultStoreOptions,
} from "./options.js";
export { VaultPaths } from "./paths.js";
export { VaultStore, type VaultStoreInjections } from "./vault-store.js";

/** The registration: `COFFER_STORE_TYPE=vault`. */
export const vaultStore = defineBackend({
  type: "vault",
  description: "HashiCorp Vault KV v2: one key per Coffer secret, native versions and check-and-set.",
  optionsSchema: vaultStoreOptions,
  sensitiveOptions: ["token", "roleId", "secretId"],
  store: VaultStore,
});

export default vaultStore;
