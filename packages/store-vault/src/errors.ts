/**
 * node-vault errors → Coffer's typed errors, in one place.
 *
 * node-vault rejects with an ApiResponseError (`response.statusCode`, `response.body.errors`) for
 * any answer but 200/204, and with axios's error for network failures. Neither is ever passed on as
 * a cause: an axios error holds the request, with the token header and the secret's values in it.
 * Messages name the id, the operation and the HTTP status or network code, not Vault's text.
 */
import {
  BackendAccessDeniedError,
  BackendUnavailableError,
  type ErrorDetails,
  InvalidConfigError,
  isNetworkError,
  SecretNotFoundError,
  ValidationError,
  ValueTooLargeError,
  VersionConflictError,
} from "@coffer/core";

export interface FailureContext {
  /** What the store was doing: "read", "create", "log in", … */
  operation: string;
  id?: string;
}

interface ApiResponseErrorLike {
  response?: { statusCode?: number; body?: { errors?: unknown } };
  code?: string;
  isAxiosError?: boolean;
}

/** The HTTP status of a Vault answer node-vault rejected, if it was an answer at all. */
export function vaultStatus(error: unknown): number | undefined {
  const status = (error as ApiResponseErrorLike | null)?.response?.statusCode;
  return typeof status === "number" ? status : undefined;
}

/** Vault's first error line (`{"errors": [...]}`), or "". Used to tell answers apart, never shown. */
export function vaultMessage(error: unknown): string {
  const errors = (error as ApiResponseErrorLike | null)?.response?.body?.errors;
  return Array.isArray(errors) && typeof errors[0] === "string" ? errors[0] : "";
}

/** KV v2's answer to a write whose `cas` is not the current version. */
export function isCasMismatch(error: unknown): boolean {
  return vaultStatus(error) === 400 && /check-and-set parameter did not match/i.test(vaultMessage(error));
}

/** The HTTP client's own codes for a request that got no answer (core's set has the socket ones). */
const CLIENT_NETWORK_CODES = new Set(["ERR_NETWORK", "ERR_SOCKET_CONNECTION_TIMEOUT"]);
const TLS = /^(ERR_TLS_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_SSL_)/;

/**
 * Maps what node-vault threw onto a typed error. Anything that is neither a Vault answer nor a
 * network error (a programming error) is returned unchanged.
 */
export function toStoreError(error: unknown, context: FailureContext): unknown {
  const status = vaultStatus(error);
  const code = (error as ApiResponseErrorLike | null)?.code;
  const subject = context.id ? ` secret ${context.id}` : "";
  const what = `The 'vault' store could not ${context.operation}${subject}`;
  const details: ErrorDetails = {
    ...(context.id !== undefined && { id: context.id }),
    operation: context.operation,
    ...(status !== undefined && { httpStatus: status }),
    ...(code !== undefined && status === undefined && { backendCode: code }),
  };

  if (status === undefined) {
    if (typeof code !== "string") return error;
    if (TLS.test(code)) {
      return new InvalidConfigError(`${what}: the TLS connection to Vault failed (${code}).`, {
        hint: "Check that the address's certificate is trusted: set tlsCa to the CA's PEM (or @/path/to/ca.pem).",
        details,
      });
    }
    if (
      isNetworkError(error) ||
      CLIENT_NETWORK_CODES.has(code) ||
      (error as ApiResponseErrorLike).isAxiosError === true
    ) {
      return new BackendUnavailableError(`${what}: Vault cannot be reached (${code}).`, {
        hint: "Check the address and that Vault is running; this is usually temporary.",
        details,
      });
    }
    return error;
  }

  if (context.operation === "log in" && status === 400) {
    return new BackendAccessDeniedError("Vault refused the AppRole login (HTTP 400).", {
      hint: "Check roleId and secretId: the secret ID may have expired or run out of uses, or authMount may be wrong.",
      details,
    });
  }
  if (status === 401 || status === 403) {
    return new BackendAccessDeniedError(`${what}: Vault denied access (HTTP ${status}).`, {
      hint: "Check that the token (or AppRole) is valid and that its policy grants the paths in the store's README.",
      details,
    });
  }
  if (status === 404) {
    return new SecretNotFoundError(`Vault holds no${subject || " such secret"}.`, {
      hint: "Check the id; the secret may have been deleted.",
      details,
    });
  }
  if (isCasMismatch(error)) {
    return new VersionConflictError(`${what}: it changed in the meantime (check-and-set).`, {
      hint: "Read the secret again and retry with its current revision.",
      details,
    });
  }
  if (status === 413 || (status >= 500 && /too large|max_entry_size/i.test(vaultMessage(error)))) {
    return new ValueTooLargeError(`${what}: Vault refused the secret as too large (HTTP ${status}).`, {
      hint: "Vault's storage backend limits entry sizes; lower maxValueBytes to match it, or split the secret.",
      details,
    });
  }
  if (status === 412 || status === 429 || status === 472 || status === 473 || status >= 500) {
    const sealed = status === 503 && /sealed/i.test(vaultMessage(error));
    return new BackendUnavailableError(
      `${what}: Vault is ${sealed ? "sealed" : "unavailable"} (HTTP ${status}).`,
      {
        hint: sealed
          ? "Unseal Vault (or wait for auto-unseal); the store recovers by itself."
          : "This is usually temporary (rate limiting, a standby, an outage); retry with backoff.",
        details: { ...details, ...(sealed && { sealed: true }) },
      },
    );
  }
  return new ValidationError(`${what}: Vault rejected the request (HTTP ${status}).`, {
    hint: "Check the store's options (mount, pathPrefix, maxVersions) and that the mount is KV version 2.",
    details,
  });
}
