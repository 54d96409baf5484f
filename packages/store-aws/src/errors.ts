/**
 * Secrets Manager errors, classified for the kit as a table (the kit builds the typed error; see
 * @coffer/store-kit's error-mapping for the message and the no-cause policy).
 */
import { isNetworkError } from "@coffer/core";
import {
  backendErrors,
  type ClassificationRule,
  classifyByRules,
  codes,
  tlsFailureCode,
} from "@coffer/store-kit";

interface SdkErrorLike {
  name?: string;
  code?: string;
  message?: string;
  $fault?: "client" | "server";
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

/** The service's error code (or the network error's code) of anything the SDK threw. */
export function errorCode(error: unknown): string | undefined {
  const e = error as SdkErrorLike | null;
  if (!e || typeof e !== "object") return undefined;
  if (e.$metadata !== undefined && e.name && e.name !== "Error" && e.name !== "TimeoutError") return e.name;
  return e.code ?? e.name;
}

/** True for the InvalidRequestException Secrets Manager gives for a secret scheduled for deletion. */
export function isScheduledForDeletion(error: unknown): boolean {
  const e = error as SdkErrorLike | null;
  return errorCode(error) === "InvalidRequestException" && /delet/i.test(e?.message ?? "");
}

const KMS_HINT =
  "Check that the KMS key exists, is enabled, and that Coffer's role has kms:GenerateDataKey and kms:Decrypt on it.";

// LimitExceededException is a quota (secrets per account, versions per secret per day): retrying
// later can succeed. ESOCKETTIMEDOUT is the SDK's HTTP handler's own code for a quiet socket.
const RULES: ClassificationRule<SdkErrorLike>[] = [
  { codes: codes("ResourceNotFoundException"), when: isScheduledForDeletion, kind: "not-found" },
  {
    codes: codes("CredentialsProviderError"),
    kind: "invalid-config",
    reason: "no AWS credentials were found",
    hint: "Set COFFER_STORE_ACCESS_KEY_ID and COFFER_STORE_SECRET_ACCESS_KEY, or give the process credentials through the AWS default chain (environment, profile, web identity, ECS or EC2 role).",
  },
  {
    codes: codes(
      "AccessDeniedException AccessDenied UnrecognizedClientException InvalidClientTokenId",
      "InvalidSignatureException SignatureDoesNotMatch IncompleteSignatureException",
      "MissingAuthenticationTokenException MissingAuthenticationToken ExpiredTokenException",
      "ExpiredToken RequestExpired AuthFailure NotAuthorized OptInRequired",
    ),
    status: [401, 403],
    kind: "denied",
    hint: "Check the credentials and that the IAM policy grants the actions in the store's README on the secrets under the name prefix.",
  },
  {
    codes: codes("DecryptionFailure"),
    kind: "denied",
    reason: "the KMS key refused to decrypt",
    hint: KMS_HINT,
  },
  {
    codes: codes("EncryptionFailure"),
    kind: "denied",
    reason: "the KMS key refused to encrypt",
    hint: KMS_HINT,
  },
  {
    codes: codes(
      "ThrottlingException Throttling TooManyRequestsException RequestLimitExceeded",
      "RequestThrottled RequestThrottledException SlowDown PriorRequestNotComplete BandwidthLimitExceeded",
      "InternalServiceError InternalFailure ServiceUnavailable ServiceUnavailableException",
      "RequestTimeout RequestTimeoutException TimeoutError LimitExceededException ESOCKETTIMEDOUT",
    ),
    when: (error) => isNetworkError(error) || error.$fault === "server",
    status: (status) => status >= 500 || status === 429,
    kind: "unavailable",
    hint: "This is usually temporary (throttling, an outage, the network); retry with backoff. If it persists, check the endpoint and region.",
  },
  {
    when: (error) => tlsFailureCode(error) !== undefined,
    kind: "invalid-config",
    reason: "the TLS connection failed",
    hint: "Check the endpoint's URL and certificate.",
  },
  {
    codes: codes(
      "InvalidParameterException ValidationException SerializationException",
      "InvalidNextTokenException InvalidRequestException",
    ),
    kind: "rejected",
    hint: "Check the store's options (kmsKeyId, extraTags); the secret's values were valid for Coffer.",
  },
  {
    when: (error) => error.$metadata !== undefined || error.$fault !== undefined,
    kind: "rejected",
    hint: "See the error code in Secrets Manager's API reference.",
  },
];

/** What an SDK error means; undefined for what did not come from the SDK or the network. */
export function classifyAwsError(error: unknown) {
  const e = error as SdkErrorLike | null;
  if (!e || typeof e !== "object") return undefined;
  const code = errorCode(error);
  const status = e.$metadata?.httpStatusCode;
  const requestId = e.$metadata?.requestId;
  return classifyByRules(RULES, e, {
    ...(code !== undefined && { code }),
    ...(status !== undefined && { status }),
    ...(requestId !== undefined && { details: { requestId } }),
  });
}

export const AWS_ERRORS = backendErrors({ type: "aws", service: "Secrets Manager" }, classifyAwsError);
export const AWS_BACKEND = AWS_ERRORS.backend;
/** Anything the SDK threw, as a typed error (programming errors unchanged). */
export const { toStoreError, attempt, lookup } = AWS_ERRORS;

/** Secrets Manager's answer for a name or version that does not exist. */
export const isMissing = (error: unknown) => errorCode(error) === "ResourceNotFoundException";
