/**
 * Secrets Manager errors, classified for the kit (which builds the typed error; see
 * @coffer/store-kit's error-mapping for the message and the no-cause policy).
 */
import { isNetworkError } from "@coffer/core";
import { type Failure, type FailureContext, mapBackendError, tlsFailureCode } from "@coffer/store-kit";

export const AWS_BACKEND = { type: "aws", service: "Secrets Manager" };

interface SdkErrorLike {
  name?: string;
  code?: string;
  message?: string;
  $fault?: "client" | "server";
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

/** A set of error codes, written as space-separated lists. */
function codes(...lists: string[]): ReadonlySet<string> {
  return new Set(lists.join(" ").split(" "));
}

const THROTTLING = codes(
  "ThrottlingException Throttling TooManyRequestsException RequestLimitExceeded",
  "RequestThrottled RequestThrottledException SlowDown PriorRequestNotComplete",
  "BandwidthLimitExceeded",
);
// LimitExceededException is a quota (secrets per account, versions per secret per day): retrying later can succeed.
const TRANSIENT = codes(
  "InternalServiceError InternalFailure ServiceUnavailable ServiceUnavailableException",
  "RequestTimeout RequestTimeoutException TimeoutError LimitExceededException",
);
const DENIED = codes(
  "AccessDeniedException AccessDenied UnrecognizedClientException InvalidClientTokenId",
  "InvalidSignatureException SignatureDoesNotMatch IncompleteSignatureException",
  "MissingAuthenticationTokenException MissingAuthenticationToken ExpiredTokenException",
  "ExpiredToken RequestExpired AuthFailure NotAuthorized OptInRequired",
);
const KMS = codes("DecryptionFailure EncryptionFailure");
const INVALID_INPUT = codes(
  "InvalidParameterException ValidationException SerializationException",
  "InvalidNextTokenException",
);
/** The SDK's HTTP handler's own code for a socket that went quiet (core's set has the rest). */
const SOCKET_TIMEOUT = "ESOCKETTIMEDOUT";

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

/** What an SDK error means; undefined for what did not come from the SDK or the network. */
export function classifyAwsError(error: unknown): Failure | undefined {
  const e = error as SdkErrorLike | null;
  if (!e || typeof e !== "object") return undefined;
  const code = errorCode(error);
  const status = e.$metadata?.httpStatusCode;
  const base = {
    ...(code !== undefined && { code }),
    ...(status !== undefined && { status }),
    ...(e.$metadata?.requestId !== undefined && { details: { requestId: e.$metadata.requestId } }),
  };
  if (code === "ResourceNotFoundException" || isScheduledForDeletion(error)) {
    return { ...base, kind: "not-found" };
  }
  if (code === "CredentialsProviderError") {
    return {
      ...base,
      kind: "invalid-config",
      reason: "no AWS credentials were found",
      hint: "Set COFFER_STORE_ACCESS_KEY_ID and COFFER_STORE_SECRET_ACCESS_KEY, or give the process credentials through the AWS default chain (environment, profile, web identity, ECS or EC2 role).",
    };
  }
  if ((code !== undefined && DENIED.has(code)) || status === 401 || status === 403) {
    return {
      ...base,
      kind: "denied",
      hint: "Check the credentials and that the IAM policy grants the actions in the store's README on the secrets under the name prefix.",
    };
  }
  if (code !== undefined && KMS.has(code)) {
    return {
      ...base,
      kind: "denied",
      reason: `the KMS key refused to ${code === "DecryptionFailure" ? "decrypt" : "encrypt"}`,
      hint: "Check that the KMS key exists, is enabled, and that Coffer's role has kms:GenerateDataKey and kms:Decrypt on it.",
    };
  }
  if (
    (code !== undefined && (THROTTLING.has(code) || TRANSIENT.has(code) || code === SOCKET_TIMEOUT)) ||
    isNetworkError(error) ||
    e.$fault === "server" ||
    (status !== undefined && (status >= 500 || status === 429))
  ) {
    return {
      ...base,
      kind: "unavailable",
      hint: "This is usually temporary (throttling, an outage, the network); retry with backoff. If it persists, check the endpoint and region.",
    };
  }
  if (tlsFailureCode(error) !== undefined) {
    return {
      ...base,
      kind: "invalid-config",
      reason: "the TLS connection failed",
      hint: "Check the endpoint's URL and certificate.",
    };
  }
  if (code !== undefined && (INVALID_INPUT.has(code) || code === "InvalidRequestException")) {
    return {
      ...base,
      kind: "rejected",
      hint: "Check the store's options (kmsKeyId, extraTags); the secret's values were valid for Coffer.",
    };
  }
  if (e.$metadata !== undefined || e.$fault !== undefined) {
    return { ...base, kind: "rejected", hint: "See the error code in Secrets Manager's API reference." };
  }
  return undefined;
}

/** Anything the SDK threw, as a typed error (programming errors unchanged). */
export function toStoreError(error: unknown, context: FailureContext): unknown {
  return mapBackendError(AWS_BACKEND, classifyAwsError, error, context);
}
