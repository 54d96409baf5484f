/**
 * The `aws` store's options. Every rule the service documents for names and tags is checked here,
 * at start, so a bad prefix or tag fails as an InvalidConfigError naming the variable rather than
 * as a ValidationException on the first write.
 */
import { z } from "@coffer/core";
import { DEPLOYMENT_MARK, OWNER_MARKS, optionProblem, SECRET_ID_MARK, timeoutMs } from "@coffer/store-kit";

/** Secrets Manager names allow ASCII letters, digits and /_+=.@- (CreateSecret, API reference). */
const NAME_SEGMENT = "[A-Za-z0-9_+=.@-]+";
/** One or more name segments separated by single slashes, no leading or trailing slash. */
const NAME_PREFIX = new RegExp(`^${NAME_SEGMENT}(/${NAME_SEGMENT})*$`);
/** Tag keys and values: letters, digits, spaces and + - = . _ : / @ (TagResource, API reference). */
const TAG_TEXT = /^[\p{L}\p{N}\s+\-=._:/@]*$/u;
/** Secrets Manager allows 50 tags per secret; Coffer's own two come out of that budget. */
const MAX_EXTRA_TAGS = 48;
/** AWS's own default recovery window (DeleteSecret, API reference). */
export const DEFAULT_RECOVERY_WINDOW_DAYS = 30;

const tagKey = z
  .string()
  .min(1)
  .max(127)
  .regex(TAG_TEXT, "tag keys may hold letters, digits, spaces and + - = . _ : / @")
  .refine((key) => !key.toLowerCase().startsWith("aws:"), "the 'aws:' tag prefix is reserved by AWS")
  .refine(
    (key) => !OWNER_MARKS.includes(key),
    `'${DEPLOYMENT_MARK}' and '${SECRET_ID_MARK}' are Coffer's ownership tags`,
  );
const tagValue = z
  .string()
  .max(255)
  .regex(TAG_TEXT, "tag values may hold letters, digits, spaces and + - = . _ : / @");

export const awsStoreOptions = z
  .object({
    /** The AWS region, e.g. eu-west-1. Required: Coffer never guesses where secrets live. */
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, "expected an AWS region such as eu-west-1 or us-gov-west-1"),
    /** Another Secrets Manager endpoint: a VPC endpoint, LocalStack, or Coffer's emulator. */
    endpoint: z.url({ protocol: /^https?$/ }).optional(),
    /** Static credentials. Without them the SDK's default credential chain is used. */
    accessKeyId: z.string().min(1).optional(),
    secretAccessKey: z.string().min(1).optional(),
    sessionToken: z.string().min(1).optional(),
    /** Secrets are named `<namePrefix>/<deploymentId>/<id>`. */
    namePrefix: z
      .string()
      .max(256)
      .regex(NAME_PREFIX, "use letters, digits and _+=.@- in segments separated by single slashes")
      .default("coffer"),
    /** A customer managed KMS key (id, ARN or alias) to encrypt new secrets with. */
    kmsKeyId: z.string().min(1).max(2048).optional(),
    /** Tags added to every secret Coffer creates, besides its two ownership tags. */
    extraTags: z
      .record(tagKey, tagValue)
      .refine((tags) => Object.keys(tags).length <= MAX_EXTRA_TAGS, `at most ${MAX_EXTRA_TAGS} extra tags`)
      .default({}),
    /** Days a deleted secret stays restorable (7–30). The default is 30, AWS's own default. */
    recoveryWindowDays: z.number().int().min(7).max(30).optional(),
    /** Delete immediately, without a recovery window. Then `restore` is not available. */
    forceDelete: z.boolean().optional(),
    /** Attempts per request, retries included (the SDK retries throttling and 5xx with backoff). */
    maxAttempts: z.number().int().min(1).max(10).default(3),
    /** Milliseconds a request may take before it is abandoned as unavailable. */
    timeoutMs: timeoutMs(),
  })
  .strict()
  .superRefine((options, context) => {
    if (options.forceDelete === true && options.recoveryWindowDays !== undefined) {
      optionProblem(
        context,
        "forceDelete",
        "forceDelete and recoveryWindowDays contradict each other; a forced delete has no recovery window",
      );
    }
    const keys = [options.accessKeyId, options.secretAccessKey];
    if (keys.some((key) => key !== undefined) && keys.some((key) => key === undefined)) {
      optionProblem(
        context,
        options.accessKeyId === undefined ? "accessKeyId" : "secretAccessKey",
        "accessKeyId and secretAccessKey go together; give both or neither",
      );
    }
    if (options.sessionToken !== undefined && options.accessKeyId === undefined) {
      optionProblem(context, "sessionToken", "a sessionToken needs accessKeyId and secretAccessKey too");
    }
  });

export type AwsStoreOptions = z.input<typeof awsStoreOptions>;
export type ParsedAwsStoreOptions = z.output<typeof awsStoreOptions>;

/** How delete behaves once the options are resolved. */
export type DeletePolicy = { force: true } | { force: false; recoveryWindowDays: number };

export function deletePolicy(options: ParsedAwsStoreOptions): DeletePolicy {
  if (options.forceDelete === true) return { force: true };
  return { force: false, recoveryWindowDays: options.recoveryWindowDays ?? DEFAULT_RECOVERY_WINDOW_DAYS };
}

/** A deployment id used as it is in names and tags (else slugged): one name segment, a valid tag value. */
export const FITS_DEPLOYMENT = /^[A-Za-z0-9_+=.@-]{1,128}$/;
