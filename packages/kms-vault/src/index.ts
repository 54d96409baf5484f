/**
 * `vault-transit`: the sql store's data keys wrapped by a key of Vault's transit engine
 * (COFFER_STORE_KEY_SOURCE=vault-transit, COFFER_STORE_KMS='{"address": "https://vault:8200",
 * "token": "…", "keyName": "coffer"}'). Loaded by `@coffer/stores` only when chosen.
 */
import { defineKeySource } from "@coffer/store-sql";
import { VaultTransitKek } from "./kek.js";
import { vaultTransitOptions } from "./options.js";

export { VaultTransitKek } from "./kek.js";
export { type VaultTransitOptions, vaultTransitOptions } from "./options.js";

export const vaultTransitKeySource = defineKeySource({
  name: "vault-transit",
  description: "Vault transit key source",
  optionsSchema: vaultTransitOptions,
  create: (options) => new VaultTransitKek(options),
});

export default vaultTransitKeySource;
