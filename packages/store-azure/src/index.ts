/** The `azure` store package: its registration (the default export) and what tests and embedders use. */
import { defineBackend } from "@coffer/store-kit";
import { AzureStore } from "./azure-store.js";
import { azureStoreOptions } from "./options.js";

export { AzureStore } from "./azure-store.js";
export { type AzureStoreInjections, MAX_VALUE_BYTES } from "./client.js";
export { isDeletedButRecoverable, toStoreError } from "./errors.js";
export { deploymentSlug } from "./naming.js";
export { type AzureStoreOptions, azureStoreOptions, type ParsedAzureStoreOptions } from "./options.js";

/** The registration: `COFFER_STORE_TYPE=azure`. */
export const azureStore = defineBackend({
  type: "azure",
  description:
    "Azure Key Vault: one secret per Coffer secret, tagged with its owner; purged or kept recoverable on delete.",
  optionsSchema: azureStoreOptions,
  sensitiveOptions: ["clientSecret"],
  store: AzureStore,
});

export default azureStore;
