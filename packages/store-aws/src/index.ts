import { defineStore } from "@coffer/core";
import { AwsSecretsStore } from "./aws-store.js";
import { awsStoreOptions } from "./options.js";

export { type AwsOperation, AwsSecretsStore, BATCH_GET_MAX, MAX_SECRET_STRING_BYTES } from "./aws-store.js";
export { toStoreError } from "./errors.js";
export { SecretNaming, VerifiedArns } from "./naming.js";
export {
  type AwsStoreOptions,
  awsStoreOptions,
  DEFAULT_RECOVERY_WINDOW_DAYS,
  DEPLOYMENT_TAG,
  type ResolvedAwsStoreOptions,
  SECRET_ID_TAG,
} from "./options.js";

/** The registration: `COFFER_STORE_TYPE=aws`. */
export const awsStore = defineStore({
  type: "aws",
  description:
    "AWS Secrets Manager: one tagged secret per Coffer secret, batched reads, optional recovery window.",
  optionsSchema: awsStoreOptions,
  sensitiveOptions: ["accessKeyId", "secretAccessKey", "sessionToken"],
  create: (options, context) => new AwsSecretsStore(options, context),
});

export default awsStore;
