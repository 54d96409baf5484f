import { defineStore } from "@coffer/core";
import { GcpSecretManagerStore } from "./gcp-store.js";
import { gcpStoreOptions } from "./options.js";

export { isChecksumMismatch, mapGcpError } from "./errors.js";
export { GcpSecretManagerStore, type GcpStoreInjections } from "./gcp-store.js";
export { DEPLOYMENT_LABEL, deploymentSlug, SECRET_ID_LABEL } from "./naming.js";
export { type GcpStoreOptions, gcpStoreOptions, type ParsedGcpStoreOptions } from "./options.js";
export { ENVELOPE_BYTES, MAX_VALUE_BYTES, PAYLOAD_LIMIT_BYTES } from "./payload.js";

/** The registration: `COFFER_STORE_TYPE=gcp`. */
export const gcpStore = defineStore({
  type: "gcp",
  description: "Google Cloud Secret Manager: one secret per Coffer secret, labelled and checksummed.",
  optionsSchema: gcpStoreOptions,
  sensitiveOptions: ["credentials"],
  create: (options, context) => new GcpSecretManagerStore(options, context),
});

export default gcpStore;
