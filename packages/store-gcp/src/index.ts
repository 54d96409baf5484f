/** The `gcp` store package: its registration (the default export) and what tests and embedders use. */
import { defineBackend } from "@coffer/store-kit";
import { GcpStore } from "./gcp-store.js";
import { gcpStoreOptions } from "./options.js";

export type { GcpStoreInjections } from "./client.js";
export { isChecksumMismatch, toStoreError } from "./errors.js";
export { GcpStore } from "./gcp-store.js";
export { deploymentSlug } from "./naming.js";
export { type GcpStoreOptions, gcpStoreOptions, type ParsedGcpStoreOptions } from "./options.js";
export { ENVELOPE_BYTES, MAX_VALUE_BYTES, PAYLOAD_LIMIT_BYTES } from "./payload.js";

/** The registration: `COFFER_STORE_TYPE=gcp`. */
export const gcpStore = defineBackend({
  type: "gcp",
  description: "Google Cloud Secret Manager: one secret per Coffer secret, labelled and checksummed.",
  optionsSchema: gcpStoreOptions,
  sensitiveOptions: ["credentials"],
  store: GcpStore,
});

export default gcpStore;
