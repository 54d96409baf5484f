/**
 * node-vault errors, classified for the kit (which builds the typed error, and never passes the
 * raw error on as a cause: an axios error holds the request, with the token header and the secret's
 * values in it). Messages name the id, the operation and the HTTP status or network code, not
 * Vault's text.
 *
 * node-vault rejects with an ApiResponseError (`response.statusCode`, `response.body.errors`) for
 * any answer but 200/204, and with axios's error for network failures.
 */
import { isNetworkError } from "@coffer/core";
import {
  backendErrors,
  type ClassificationRule,
  classifyByRules,
  type ErrorFacts,
  type Failure,
  type FailureContext,
  RETRYABLE_STATUS,
  tlsFailureCode,
} from "@coffer/store-kit";

export const VAULT_BACKEND = { type: "vault", service: "Vault" };

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

const sealed = (error: unknown, facts: ErrorFacts) =>
  facts.status === 503 && /sealed/i.test(vaultMessage(error));

/** Vault's answers, by HTTP status (and, where the status is shared, by Vault's error line). */
const ANSWER_RULES: ClassificationRule[] = [
  {
    when: (_error, facts, context) => context.operation === "log in" && facts.status === 400,
    kind: "denied",
    reason: "Vault refused the AppRole login",
    hint: "Check roleId and secretId: the secret ID may have expired or run out of uses, or authMount may be wrong.",
  },
  {
    status: [401, 403],
    kind: "denied",
    hint: "Check that the token (or AppRole) is valid and that its policy grants the paths in the store's README.",
  },
  { status: [404], kind: "not-found" },
  { when: isCasMismatch, kind: "conflict", reason: "it changed in the meantime (check-and-set)" },
  {
    status: [413],
    when: (error, facts) =>
      (facts.status ?? 0) >= 500 && /too large|max_entry_size/i.test(vaultMessage(error)),
    kind: "too-large",
    hint: "Vault's storage backend limits entry sizes; lower maxValueBytes to match it, or split the secret.",
  },
  {
    when: sealed,
    kind: "unavailable",
    reason: "Vault is sealed",
    hint: "Unseal Vault (or wait for auto-unseal); the store recovers by itself.",
    details: { sealed: true },
  },
  {
    status: (status) => status === 412 || status === 472 || status === 473 || RETRYABLE_STATUS(status),
    kind: "unavailable",
    reason: "Vault is unavailable",
    hint: "This is usually temporary (rate limiting, a standby, an outage); retry with backoff.",
  },
  {
    when: () => true,
    kind: "rejected",
    hint: "Check the store's options (mount, pathPrefix, maxVersions) and that the mount is KV version 2.",
  },
];

/** What node-vault threw means; undefined for what is neither an answer nor a network error. */
export function classifyVaultError(error: unknown, context: FailureContext): Failure | undefined {
  const status = vaultStatus(error);
  const code = (error as ApiResponseErrorLike | null)?.code;
  if (status === undefined) {
    if (typeof code !== "string") return undefined;
    if (tlsFailureCode(error) !== undefined) {
      return {
        kind: "invalid-config",
        code,
        reason: "the TLS connection to Vault failed",
        hint: "Check that the address's certificate is trusted: set tlsCa to the CA's PEM (or @/path/to/ca.pem).",
      };
    }
    if (
      isNetworkError(error) ||
      CLIENT_NETWORK_CODES.has(code) ||
      (error as ApiResponseErrorLike).isAxiosError
    ) {
      return {
        kind: "unavailable",
        code,
        reason: "Vault cannot be reached",
        hint: "Check the address and that Vault is running; this is usually temporary.",
      };
    }
    return undefined;
  }
  return classifyByRules(ANSWER_RULES, error, { status }, context);
}

/** Vault's answer for a path that holds nothing. */
export const isMissing = (error: unknown) => vaultStatus(error) === 404;

/** Maps what node-vault threw onto a typed error (programming errors unchanged); `attempt` runs a call so. */
export const { toStoreError, attempt, lookup } = backendErrors(VAULT_BACKEND, classifyVaultError);
