/**
 * `aws-kms`: the sql store's data keys wrapped by an AWS KMS key (COFFER_STORE_KEY_SOURCE=aws-kms,
 * COFFER_STORE_KMS='{"keyId": "alias/coffer", "region": "eu-west-1"}'). Loaded by `@coffer/stores`
 * only when chosen, so no other deployment loads the AWS SDK.
 */
import { defineKeySource } from "@coffer/store-sql";
import { AwsKmsKek } from "./kek.js";
import { awsKmsOptions } from "./options.js";

export { AwsKmsKek } from "./kek.js";
export { type AwsKmsOptions, awsKmsOptions } from "./options.js";

export const awsKmsKeySource = defineKeySource({
  name: "aws-kms",
  description: "AWS KMS key source",
  optionsSchema: awsKmsOptions,
  create: (options) => new AwsKmsKek(options),
});

export default awsKmsKeySource;
