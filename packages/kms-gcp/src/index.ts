/**
 * `gcp-kms`: the sql store's data keys wrapped by a GCP Cloud KMS key (COFFER_STORE_KEY_SOURCE=gcp-kms,
 * COFFER_STORE_KMS='{"keyName": "projects/p/locations/global/keyRings/coffer/cryptoKeys/coffer"}').
 * Loaded by `@coffer/stores` only when chosen, so no other deployment loads the Cloud KMS client.
 */
import { defineKeySource } from "@coffer/store-sql";
import { GcpKmsKek } from "./kek.js";
import { gcpKmsOptions } from "./options.js";

export { type GcpKmsInjections, GcpKmsKek } from "./kek.js";
export { type GcpKmsOptions, gcpKmsOptions } from "./options.js";

export const gcpKmsKeySource = defineKeySource({
  name: "gcp-kms",
  description: "GCP Cloud KMS key source",
  optionsSchema: gcpKmsOptions,
  create: (options) => new GcpKmsKek(options),
});

export default gcpKmsKeySource;
