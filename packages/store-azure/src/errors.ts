/**
 * Key Vault's errors, mapped onto Coffer's typed errors in one place.
 *
 * The client rejects with a RestError (`statusCode`, `code`, and the parsed error body in
 * `details`), or, before any answer, with a network or TLS error, an AbortError (the store's
 * deadline), or an @azure/identity error (a credential that cannot get a token). Messages built here
 * name the operation, the secret id and the codes. The raw error is never attached as `cause`: a
 * RestError carries the request it failed, and a setSecret request's body is the secret value.
 */
import {
  BackendAccessDeniedError,
  BackendUnavailableError,
  type CofferError,
  type ErrorDetails,
  InvalidConfigError,
  isCofferError,
  isNetworkError,
  SecretExistsError,
  type SecretId,
  SecretNotFoundError,
  ValidationError,
} from "@coffer/core";

/** The pipeline's code for a request that could not be sent (core knows the socket codes). */
const REQUEST_SEND_ERROR = "REQUEST_SEND_ERROR";

const TLS_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

interface RestErrorLike {
  name?: unknown;
  message?: unknown;
  statusCode?: unknown;
  code?: unknown;
  details?: { error?: { code?: unknown; innererror?: { code?: unknown }; innerError?: { code?: unknown } } };
  cause?: { code?: unknown };
}

export interface ErrorContext {
  operation: string;
  id?: SecretId;
}

export function statusOf(error: unknown): number | undefined {
  const status = (error as RestErrorLike | null)?.statusCode;
  return typeof status === "number" ? status : undefined;
}

/** The inner error code of a Key Vault error body (e.g. ObjectIsDeletedButRecoverable, SecretDisabled). */
export function innerCodeOf(error: unknown): string | undefined {
  const body = (error as RestErrorLike | null)?.details?.error;
  const inner = body?.innererror?.code ?? body?.innerError?.code;
  return typeof inner === "string" ? inner : undefined;
}

/** 409 for a name held by a soft-deleted secret: it must be recovered or purged before reuse. */
export function isDeletedButRecoverable(error: unknown): boolean {
  return statusOf(error) === 409 && innerCodeOf(error) === "ObjectIsDeletedButRecoverable";
}

export function mapAzureError(error: unknown, context: ErrorContext): CofferError {
  if (isCofferError(error)) return error;
  const { operation, id } = context;
  const subject = id === undefined ? "" : ` of secret ${id}`;
  const failure = (error ?? {}) as RestErrorLike;
  const status = statusOf(error);
  const code = typeof failure.code === "string" ? failure.code : undefined;
  const inner = innerCodeOf(error);
  const details: ErrorDetails = { backend: "azure", operation };
  if (id !== undefined) details.id = id;
  if (status !== undefined) details.httpStatus = status;
  if (code !== undefined) details.code = code;
  if (inner !== undefined) details.innerCode = inner;
  const codes = [status, code, inner].filter((part) => part !== undefined).join(" ");
  const what = `Key Vault refused the ${operation}${subject} (${codes})`;

  if (status !== undefined) {
    if (status === 404) {
      return new SecretNotFoundError(`Key Vault holds no secret${id === undefined ? "" : ` ${id}`}.`, {
        details,
        hint: "Check the id; the secret may have been deleted.",
      });
    }
    if (status === 409) {
      return new SecretExistsError(`${what}: the name is taken.`, {
        details,
        hint: "Use update to change it, or delete it first.",
      });
    }
    if (status === 403 && inner === "SecretDisabled") {
      return new BackendAccessDeniedError(`${what}: its current version is disabled.`, {
        details,
        hint: "Someone disabled the secret in Key Vault; enable its current version again.",
      });
    }
    if (status === 401 || status === 403) {
      return new BackendAccessDeniedError(`${what}.`, {
        details,
        hint: "Grant the store's identity the secret permissions its README lists (or the Key Vault Secrets Officer role), and check the vault's network rules.",
      });
    }
    if (status === 429 || status >= 500) {
      return new BackendUnavailableError(`${what}.`, {
        details,
        hint:
          status === 429
            ? "Key Vault is throttling requests; retry later."
            : "Key Vault is failing; retry later.",
      });
    }
    return new ValidationError(`${what}.`, { details, hint: "Check the store's options (names, tags)." });
  }

  if (failure.name === "AbortError") {
    return new BackendUnavailableError(`The ${operation}${subject} ran out of time waiting for Key Vault.`, {
      details,
      hint: "Key Vault is slow or unreachable; retry later, or raise timeoutMs.",
    });
  }
  const causeCode = typeof failure.cause?.code === "string" ? failure.cause.code : undefined;
  const message = typeof failure.message === "string" ? failure.message : "";
  if (
    (code !== undefined && TLS_CODES.has(code)) ||
    (causeCode !== undefined && TLS_CODES.has(causeCode)) ||
    /certificate/i.test(message)
  ) {
    return new InvalidConfigError(
      `The vault's TLS certificate is not trusted (${code ?? causeCode ?? "TLS"}).`,
      {
        details,
        hint: "Set tlsCa to the CA that signed the vault's certificate (private endpoints, emulators).",
      },
    );
  }
  if (/challenge resource/i.test(message)) {
    return new InvalidConfigError(
      "The vault's authentication challenge names another resource than the vault.",
      {
        details,
        hint: "For a vault outside *.vault.azure.net (an emulator, a loopback address) set disableChallengeResourceVerification.",
      },
    );
  }
  if (failure.name === "AuthenticationError" || failure.name === "CredentialUnavailableError") {
    return new BackendAccessDeniedError(
      `The store's Azure credential could not get a token for the ${operation}${subject}.`,
      {
        details: { ...details, credentialError: String(failure.name) },
        hint:
          failure.name === "CredentialUnavailableError"
            ? "The configured credential is not available here (no managed identity on this host?); check how the store authenticates."
            : "Check tenantId, clientId and the client secret or certificate.",
      },
    );
  }
  if (code === REQUEST_SEND_ERROR || isNetworkError(error)) {
    return new BackendUnavailableError(
      `The ${operation}${subject} could not reach Key Vault (${code ?? causeCode ?? "network error"}).`,
      {
        details,
        hint: "Check the vault URL and the network path to it; retry later.",
      },
    );
  }
  return new BackendUnavailableError(`The ${operation}${subject} failed in the Key Vault client.`, {
    details,
    hint: "Retry later; if it persists, report it with the log of this error.",
  });
}
