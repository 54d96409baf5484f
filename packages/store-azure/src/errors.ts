/**
 * Key Vault's errors, classified for the kit (which builds the typed error and never attaches the
 * raw error as `cause`: a RestError carries the request it failed, and a setSecret request's body
 * is the secret value).
 *
 * The client rejects with a RestError (`statusCode`, `code`, and the parsed error body in
 * `details`), or, before any answer, with a network or TLS error, an AbortError (the store's
 * deadline), or an @azure/identity error (a credential that cannot get a token).
 */
import { isNetworkError } from "@coffer/core";
import {
  backendErrors,
  type ClassificationRule,
  classifyByRules,
  type Failure,
  tlsFailureCode,
} from "@coffer/store-kit";

export const AZURE_BACKEND = { type: "azure", service: "Key Vault" };

/** The pipeline's code for a request that could not be sent (core knows the socket codes). */
const REQUEST_SEND_ERROR = "REQUEST_SEND_ERROR";

interface RestErrorLike {
  name?: unknown;
  message?: unknown;
  statusCode?: unknown;
  code?: unknown;
  details?: { error?: { code?: unknown; innererror?: { code?: unknown }; innerError?: { code?: unknown } } };
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

/** Answers of Key Vault, by HTTP status. */
const ANSWER_RULES: ClassificationRule<RestErrorLike>[] = [
  { status: [404], kind: "not-found" },
  { status: [409], kind: "exists", reason: "the name is taken" },
  {
    when: (error, facts) => facts.status === 403 && innerCodeOf(error) === "SecretDisabled",
    kind: "denied",
    reason: "its current version is disabled",
    hint: "Someone disabled the secret in Key Vault; enable its current version again.",
  },
  {
    status: [401, 403],
    kind: "denied",
    hint: "Grant the store's identity the secret permissions its README lists (or the Key Vault Secrets Officer role), and check the vault's network rules.",
  },
  { status: [429], kind: "unavailable", hint: "Key Vault is throttling requests; retry later." },
  { status: (status) => status >= 500, kind: "unavailable", hint: "Key Vault is failing; retry later." },
  { when: () => true, kind: "rejected", hint: "Check the store's options (names, tags)." },
];

/** What a Key Vault client error means. */
export function classifyAzureError(error: unknown): Failure {
  const failure = (error ?? {}) as RestErrorLike;
  const status = statusOf(error);
  const rawCode = typeof failure.code === "string" ? failure.code : undefined;
  if (status !== undefined) {
    const code = [rawCode, innerCodeOf(error)].filter((part) => part !== undefined).join(" ") || undefined;
    return classifyByRules(ANSWER_RULES, failure, { ...(code !== undefined && { code }), status })!;
  }
  if (failure.name === "AbortError") {
    return {
      kind: "unavailable",
      reason: "it ran out of time waiting for Key Vault",
      hint: "Key Vault is slow or unreachable; retry later, or raise timeoutMs.",
    };
  }
  const message = typeof failure.message === "string" ? failure.message : "";
  const tls = tlsFailureCode(error);
  if (tls !== undefined || /certificate/i.test(message)) {
    return {
      kind: "invalid-config",
      code: tls ?? "TLS",
      reason: "the vault's TLS certificate is not trusted",
      hint: "Set tlsCa to the CA that signed the vault's certificate (private endpoints, emulators).",
    };
  }
  if (/challenge resource/i.test(message)) {
    return {
      kind: "invalid-config",
      reason: "the vault's authentication challenge names another resource than the vault",
      hint: "For a vault outside *.vault.azure.net (an emulator, a loopback address) set disableChallengeResourceVerification.",
    };
  }
  if (failure.name === "AuthenticationError" || failure.name === "CredentialUnavailableError") {
    return {
      kind: "denied",
      reason: "the store's Azure credential could not get a token",
      details: { credentialError: String(failure.name) },
      hint:
        failure.name === "CredentialUnavailableError"
          ? "The configured credential is not available here (no managed identity on this host?); check how the store authenticates."
          : "Check tenantId, clientId and the client secret or certificate.",
    };
  }
  if (rawCode === REQUEST_SEND_ERROR || isNetworkError(error)) {
    return {
      kind: "unavailable",
      code: rawCode ?? "network error",
      reason: "Key Vault cannot be reached",
      hint: "Check the vault URL and the network path to it; retry later.",
    };
  }
  return {
    kind: "unavailable",
    reason: "it failed in the Key Vault client",
    hint: "Retry later; if it persists, report it with the log of this error.",
  };
}

/**
 * Anything the client threw, as a typed error (Coffer's own errors unchanged): classifyAzureError
 * reads every error, so what comes back is always a typed error.
 */
export const { attempt, lookup, toStoreError, bestEffort } = backendErrors(AZURE_BACKEND, classifyAzureError);

/** Key Vault's answer for a name that holds nothing (live or deleted, as asked). */
export const isMissing = (error: unknown) => statusOf(error) === 404;
