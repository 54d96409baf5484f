/** The `aws` store package: its registration (the default export) and what tests and embedders use. */
import { defineBackend } from "@coffer/store-kit";
import { AwsStore } from "./aws-store.js";
import { awsStoreOptions } from "./options.js";

export { AwsStore } from "./aws-store.js";
export { BATCH_GET_MAX } from "./batch-read.js";
export { type AwsOperation, MAX_SECRET_STRING_BYTES } from "./client.js";
export { toStoreError } from "./errors.js";
export { SecretNaming, VerifiedArns } from "./naming.js";
export {
  type AwsStoreOptions,
  awsStoreOptions,
  DEFAULT_RECOVERY_WINDOW_DAYS,
  type ParsedAwsStoreOptions,
} from "./options.js";

/** The registration: `COFFER_STORE_TYPE=aws`. */
export const awsStore = defineBackend({
  type: "aws",
  description:
    "AWS Secrets Manager: one tagged secret per Coffer secret, batched reads, optional recovery window.",
  optionsSchema: awsStoreOptions,
  sensitiveOptions: ["accessKeyId", "secretAccessKey", "sessionToken"],
  store: AwsStore,
});

export default awsStore;
