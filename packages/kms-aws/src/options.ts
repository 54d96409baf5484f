/** The options of the `aws-kms` key source (option `kms` of the sql store, e.g. COFFER_STORE_KMS as JSON). */
import { z } from "@coffer/core";

export const awsKmsOptions = z
  .object({
    /** The KMS key that wraps the data keys: key id, key ARN, alias name (`alias/coffer`) or alias ARN. */
    keyId: z.string().min(1).max(2048),
    /** The key's region; by default the AWS SDK's (AWS_REGION). */
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, "must be an AWS region such as eu-west-1")
      .optional(),
    /** Another endpoint: a VPC endpoint, or an emulator in tests. */
    endpoint: z.url({ protocol: /^https?$/ }).optional(),
    /** Static credentials; by default the AWS SDK's chain (environment, profile, role). */
    accessKeyId: z.string().min(1).optional(),
    secretAccessKey: z.string().min(1).optional(),
    sessionToken: z.string().min(1).optional(),
    /** How long one KMS call may take before it counts as unavailable. */
    timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
    /** Attempts per call, with the SDK's backoff, for throttling and server errors. */
    maxAttempts: z.number().int().min(1).max(10).default(3),
  })
  .strict()
  .refine((options) => (options.accessKeyId === undefined) === (options.secretAccessKey === undefined), {
    message: "give accessKeyId and secretAccessKey together",
    path: ["secretAccessKey"],
  });

export type AwsKmsOptions = z.output<typeof awsKmsOptions>;
