/**
 * The `aws` store's options. Every rule the service documents for names and tags is checked here,
 * at start, so a bad prefix or tag fails as an InvalidConfigError naming the variable rather than
 * as a ValidationException on the first write.
 */
import { z } from "@coffer/core";
import { extraMarks, httpUrl, maxVersions, namePrefix, optionProblem, timeoutMs } from "@coffer/store-kit";
import { MAX_KEPT_REVISIONS } from "./revisions.js";

/** Secrets Manager names allow ASCII letters, digits and /_+=.@- (CreateSecret, API reference). */
const NAME_SEGMENT = "[A-Za-z0-9_+=.@-]+";
/** One or more name segments separated by single slashes, no leading or trailing slash; ≤ 256. */
const NAME_PREFIX = new RegExp(`^(?=.{1,256}$)${NAME_SEGMENT}(/${NAME_SEGMENT})*$`);
/** Tag keys and values: letters, digits, spaces and + - = . _ : / @ (TagResource, API reference). */
const TAG_TEXT = /^[\p{L}\p{N}\s+\-=._:/@]*$/u;
/** Secrets Manager allows 50 tags per secret; Coffer's own two come out of that budget. */
const MAX_TAGS = 50;
/** AWS's own default recovery window (DeleteSecret, API reference). */
export const DEFAULT_RECOVERY_WINDOW_DAYS = 30;

/** Tag keys 1–127 and values up to 255 characters of TAG_TEXT; `aws:` keys are AWS's own. */
function tagProblem(key: string, value: string): string | undefined {
  if (key.length === 0 || key.length > 127 || !TAG_TEXT.test(key))
    return `tag key '${key}' must be 1-127 letters, digits, spaces and + - = . _ : / @`;
  if (key.toLowerCase().startsWith("aws:")) return "the 'aws:' tag prefix is reserved by AWS";
  if (value.length > 255 || !TAG_TEXT.test(value))
    return `tag '${key}' has a value that is not up to 255 letters, digits, spaces and + - = . _ : / @`;
  return undefined;
}

export const awsStoreOptions = z
  .object({
    /** The AWS region, e.g. eu-west-1. Required: Coffer never guesses where secrets live. */
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, "expected an AWS region such as eu-west-1 or us-gov-west-1"),
    /** Another Secrets Manager endpoint: a VPC endpoint, LocalStack, or Coffer's emulator. */
    endpoint: httpUrl().optional(),
    /** Static credentials. Without them the SDK's default credential chain is used. */
    accessKeyId: z.string().min(1).optional(),
    secretAccessKey: z.string().min(1).optional(),
    sessionToken: z.string().min(1).optional(),
    /** Secrets are named `<namePrefix>/<deploymentId>/<id>`. */
    namePrefix: namePrefix(
      NAME_PREFIX,
      "use letters, digits and _+=.@- in segments separated by single slashes",
    ),
    /** A customer managed KMS key (id, ARN or alias) to encrypt new secrets with. */
    kmsKeyId: z.string().min(1).max(2048).optional(),
    /** Tags added to every secret Coffer creates, besides its two ownership tags. */
    extraTags: extraMarks({ noun: "tag", service: "Secrets Manager", max: MAX_TAGS, entry: tagProblem }),
    /** Days a deleted secret stays restorable (7–30). The default is 30, AWS's own default. */
    recoveryWindowDays: z.number().int().min(7).max(30).optional(),
    /** Delete immediately, without a recovery window. Then `restore` is not available. */
    forceDelete: z.boolean().optional(),
    /** Revisions kept readable per secret, by staging label (1–17: Secrets Manager's label quota). */
    maxVersions: maxVersions(MAX_KEPT_REVISIONS),
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

/** What DeleteSecret is given besides the secret. */
export type DeleteInput = { ForceDeleteWithoutRecovery?: boolean; RecoveryWindowInDays?: number };

/** DeleteSecret's input for the policy: no recovery at all, or the recovery window. */
export function deleteInput(policy: DeletePolicy): DeleteInput {
  return policy.force
    ? { ForceDeleteWithoutRecovery: true }
    : { RecoveryWindowInDays: policy.recoveryWindowDays };
}

/** A deployment id used as it is in names and tags (else slugged): one name segment, a valid tag value. */
export const FITS_DEPLOYMENT = /^[A-Za-z0-9_+=.@-]{1,128}$/;
