/**
 * Secrets Manager errors → Coffer's typed errors, in one place.
 *
 * Messages name the secret id, the operation and the service's error code, never the SDK's own
 * message (it can echo request data) and never the SDK error itself as a cause: SDK errors carry
 * the raw HTTP response, and network errors reach into the request.
 */
import {
  BackendAccessDeniedError,
  BackendUnavailableError,
  type ErrorDetails,
  InvalidConfigError,
  isNetworkError,
  SecretNotFoundError,
  ValidationError,
} from "@coffer/core";

/** What the store was doing, for the message: "read", "create", … and the id when there is one. */
export interface FailureContext {
  operation: string;
  id?: string;
}

interface SdkErrorLike {
  name?: string;
  code?: string;
  message?: string;
  $fault?: "client" | "server";
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

const THROTTLING = new Set([
  "ThrottlingException",
  "Throttling",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "RequestThrottled",
  "RequestThrottledException",
  "SlowDown",
  "PriorRequestNotComplete",
  "BandwidthLimitExceeded",
]);
const TRANSIENT = new Set([
  "InternalServiceError",
  "InternalFailure",
  "ServiceUnavailable",
  "ServiceUnavailableException",
  "RequestTimeout",
  "RequestTimeoutException",
  "TimeoutError",
  // A quota (secrets per account, versions per secret per day): retrying later can succeed.
  "LimitExceededException",
]);
const DENIED = new Set([
  "AccessDeniedException",
  "AccessDenied",
  "UnrecognizedClientException",
  "InvalidClientTokenId",
  "InvalidSignatureException",
  "SignatureDoesNotMatch",
  "IncompleteSignatureException",
  "MissingAuthenticationTokenException",
  "MissingAuthenticationToken",
  "ExpiredTokenException",
  "ExpiredToken",
  "RequestExpired",
  "AuthFailure",
  "NotAuthorized",
  "OptInRequired",
]);
const KMS = new Set(["DecryptionFailure", "EncryptionFailure"]);
const INVALID_INPUT = new Set([
  "InvalidParameterException",
  "ValidationException",
  "SerializationException",
  "InvalidNextTokenException",
]);
/** The SDK's HTTP handler's own code for a socket that went quiet (core's set has the rest). */
const SOCKET_TIMEOUT = "ESOCKETTIMEDOUT";
const TLS = /^(ERR_TLS_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_)/;

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

/**
 * Maps anything the SDK threw onto a typed error. Errors that did not come from the SDK or the
 * network (programming errors) are returned unchanged, so they surface as what they are.
 */
export function toStoreError(error: unknown, context: FailureContext): unknown {
  const e = error as SdkErrorLike | null;
  if (!e || typeof e !== "object") return error;
  const code = errorCode(error);
  const status = e.$metadata?.httpStatusCode;
  const fromSdk = e.$metadata !== undefined || e.$fault !== undefined;
  const subject = context.id ? `secret ${context.id}` : "the secrets";
  const details: ErrorDetails = {
    ...(context.id !== undefined && { id: context.id }),
    operation: context.operation,
    backendCode: code ?? null,
    ...(status !== undefined && { httpStatus: status }),
    ...(e.$metadata?.requestId !== undefined && { requestId: e.$metadata.requestId }),
  };
  const what = `The 'aws' store could not ${context.operation} ${subject}`;

  if (code === "ResourceNotFoundException" || isScheduledForDeletion(error)) {
    const which = context.id ? `secret ${context.id}` : "such secret";
    return new SecretNotFoundError(`Secrets Manager holds no live ${which}.`, {
      hint: "Check the id; the secret may have been deleted.",
      details,
    });
  }
  if (code === "CredentialsProviderError") {
    return new InvalidConfigError("No AWS credentials were found for the 'aws' store.", {
      hint: "Set COFFER_STORE_ACCESS_KEY_ID and COFFER_STORE_SECRET_ACCESS_KEY, or give the process credentials through the AWS default chain (environment, profile, web identity, ECS or EC2 role).",
      details,
    });
  }
  if ((code !== undefined && DENIED.has(code)) || status === 401 || status === 403) {
    return new BackendAccessDeniedError(`${what}: Secrets Manager denied access (${code ?? status}).`, {
      hint: "Check the credentials and that the IAM policy grants the actions in the store's README on the secrets under the name prefix.",
      details,
    });
  }
  if (code !== undefined && KMS.has(code)) {
    return new BackendAccessDeniedError(
      `${what}: the KMS key refused to ${code === "DecryptionFailure" ? "decrypt" : "encrypt"} (${code}).`,
      {
        hint: "Check that the KMS key exists, is enabled, and that Coffer's role has kms:GenerateDataKey and kms:Decrypt on it.",
        details,
      },
    );
  }
  if (
    (code !== undefined && (THROTTLING.has(code) || TRANSIENT.has(code) || code === SOCKET_TIMEOUT)) ||
    isNetworkError(error) ||
    e.$fault === "server" ||
    (status !== undefined && (status >= 500 || status === 429))
  ) {
    return new BackendUnavailableError(`${what}: Secrets Manager is unavailable (${code ?? status}).`, {
      hint: "This is usually temporary (throttling, an outage, the network); retry with backoff. If it persists, check the endpoint and region.",
      details,
    });
  }
  if (code !== undefined && TLS.test(code)) {
    return new InvalidConfigError(`${what}: the TLS connection failed (${code}).`, {
      hint: "Check the endpoint's URL and certificate.",
      details,
    });
  }
  if (code !== undefined && (INVALID_INPUT.has(code) || code === "InvalidRequestException")) {
    return new ValidationError(`${what}: Secrets Manager rejected the request (${code}).`, {
      hint: "Check the store's options (kmsKeyId, extraTags); the secret's values were valid for Coffer.",
      details,
    });
  }
  if (fromSdk) {
    return new ValidationError(`${what}: Secrets Manager refused the request (${code ?? status}).`, {
      hint: "See the error code in Secrets Manager's API reference.",
      details,
    });
  }
  return error;
}
