/**
 * `azure-keys`: the sql store's data keys wrapped by an RSA key in Azure Key Vault
 * (COFFER_STORE_KEY_SOURCE=azure-keys, COFFER_STORE_KMS='{"vaultUrl": "https://…", "keyName":
 * "coffer", "managedIdentity": true}'). Loaded by `@coffer/stores` only when chosen, so no other
 * deployment loads the Azure SDK.
 */
import { defineKeySource, type KeySourceRegistration } from "@coffer/store-sql";
import { type AzureKeysInjections, AzureKeysKek } from "./kek.js";
import { type AzureKeysOptions, azureKeysOptions } from "./options.js";

export { type AzureKeysInjections, AzureKeysKek } from "./kek.js";
export { type AzureKeysOptions, azureKeysOptions } from "./options.js";

/** The registration with objects handed in (a TokenCredential, client options): tests and embedders. */
export function azureKeysKeySourceWith(
  injections: AzureKeysInjections,
): KeySourceRegistration<AzureKeysOptions> {
  return defineKeySource({
    name: "azure-keys",
    description: "Azure Key Vault keys key source",
    optionsSchema: azureKeysOptions,
    create: (options) => new AzureKeysKek(options, injections),
  });
}

export const azureKeysKeySource = azureKeysKeySourceWith({});

export default azureKeysKeySource;
