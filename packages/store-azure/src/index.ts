import { defineStore } from "@coffer/core";
import { AzureKeyVaultStore } from "./azure-store.js";
import { azureStoreOptions } from "./options.js";

export { AzureKeyVaultStore, type AzureStoreInjections, MAX_VALUE_BYTES } from "./azure-store.js";
export { isDeletedButRecoverable, mapAzureError } from "./errors.js";
export { DEPLOYMENT_TAG, deploymentSlug, SECRET_ID_TAG } from "./naming.js";
export { type AzureStoreOptions, azureStoreOptions, type ParsedAzureStoreOptions } from "./options.js";

/** The registration: `COFFER_STORE_TYPE=azure`. */
export const azureStore = defineStore({
  type: "azure",
  description:
    "Azure Key Vault: one secret per Coffer secret, tagged with its owner; purged or kept recoverable on delete.",
  optionsSchema: azureStoreOptions,
  sensitiveOptions: ["clientSecret"],
  create: (options, context) => new AzureKeyVaultStore(options, context),
});

export default azureStore;
