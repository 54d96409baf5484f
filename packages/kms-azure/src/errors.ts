/**
 * Key Vault answers as Coffer's typed errors. A data key this key did not wrap (another key or
 * vault, another deployment's context, an altered row, a version since purged) is an
 * IntegrityError; 401/403 — refused credentials, a disabled key, key_ops without wrapKey or
 * unwrapKey, an expired key — are BackendAccessDeniedError; an unknown key is a configuration
 * mistake; 429, 5xx, timeouts and network errors are BackendUnavailableError (retryable). Messages
 * name the key and Key Vault's error code, never key material.
 */
import {
  BackendAccessDeniedError,
  BackendUnavailableError,
  type CofferError,
  IntegrityError,
  InvalidConfigError,
  isNetworkError,
} from "@coffer/core";
import { tlsFailureCode } from "@coffer/store-kit";

interface RestErrorLike {
  name?: string;
  statusCode?: number;
  code?: string;
  message?: string;
  details?: { error?: { innerError?: { code?: string } } };
}

export interface Failure {
  /** The key (name and vault) the source is configured with. */
  key: string;
  operation: string;
  dataKeyId?: string | undefined;
  /** The key version named by the failing call, when one was. */
  kid?: string | undefined;
}

const RESTORE_HINT =
  "Configure the key these data keys were wrapped with (kms.vaultUrl, kms.keyName), recover it if it was soft-deleted (az keyvault key recover), and restore the table coffer_store_data_keys from the same backup as the values.";

/** The data key cannot be opened by this key: a clear error naming both, before or after a call. */
export function foreignKeyError(failure: Failure, why: string): IntegrityError {
  return new IntegrityError(
    `Data key '${failure.dataKeyId ?? "?"}' cannot be unwrapped by Azure Key Vault key ${failure.key}: ${why}.`,
    { hint: RESTORE_HINT, details: details(failure) },
  );
}

function details(failure: Failure, extra: Record<string, unknown> = {}) {
  return {
    key: failure.key,
    operation: failure.operation,
    ...(failure.dataKeyId && { dataKeyId: failure.dataKeyId }),
    ...(failure.kid && { kid: failure.kid }),
    ...extra,
  };
}

/** A failure the SDK raised (RestError, network, timeout, its own key checks) as a typed error. */
export function keyVaultError(error: unknown, failure: Failure): CofferError {
  const e = (error ?? {}) as RestErrorLike;
  const status = e.statusCode;
  const code = e.code ?? e.name ?? "Error";
  const inner = e.details?.error?.innerError?.code;
  const what = `${code}${inner ? `/${inner}` : ""}${status ? `, HTTP ${status}` : ""}`;
  const info = details(failure, { code, ...(inner && { innerCode: inner }), ...(status && { status }) });
  const unwrapping = failure.operation === "unwrapKey";

  if (unwrapping && (status === 400 || status === 404)) {
    return foreignKeyError(
      failure,
      status === 404
        ? `its key version ${failure.kid ?? "?"} is not in the vault (${what}): deleted or purged`
        : `Key Vault could not decrypt it (${what}): it was wrapped by another key, or the stored key was altered`,
    );
  }
  if (status === 401 || status === 403) {
    return new BackendAccessDeniedError(
      `Azure Key Vault refused ${failure.operation} with key ${failure.key} (${what}).`,
      {
        hint:
          inner === "KeyDisabled"
            ? "Enable the key version again (az keyvault key set-attributes --enabled true)."
            : inner === "KeyOperationForbidden"
              ? "The key's key_ops must include wrapKey and unwrapKey."
              : "Give Coffer's identity the role Key Vault Crypto Service Encryption User on the key (or get, wrapKey and unwrapKey in an access policy).",
        details: info,
      },
    );
  }
  // The SDK checks key_ops, nbf and exp itself on a key it has read, with plain Errors.
  if (
    status === undefined &&
    /is not supported on key|expired at|can't be used before/.test(e.message ?? "")
  ) {
    return new BackendAccessDeniedError(
      `Azure Key Vault key ${failure.key} cannot ${failure.operation}: ${e.message}`,
      {
        hint: "The key's key_ops must include wrapKey and unwrapKey, and the key must be inside its validity dates.",
        details: info,
      },
    );
  }
  if (status === 404) {
    return new InvalidConfigError(`Azure Key Vault has no key ${failure.key} (${what}).`, {
      hint: "Create an RSA key (az keyvault key create --kty RSA --size 3072 --ops wrapKey unwrapKey), fix kms.keyName and kms.vaultUrl, or recover the key if it was soft-deleted. Coffer never creates the key.",
      details: info,
    });
  }
  const tls = tlsFailureCode(error);
  if (tls) {
    return new InvalidConfigError(
      `The TLS certificate of Azure Key Vault at ${failure.key} is not trusted (${tls}).`,
      {
        hint: "Give the CA as kms.tlsCa (PEM text or @/path) when the vault sits behind a private CA.",
        details: { ...info, code: tls },
      },
    );
  }
  if (code === "CredentialUnavailableError" || code === "AuthenticationError") {
    return new BackendAccessDeniedError(`No token for Azure Key Vault key ${failure.key} (${code}).`, {
      hint: "Check kms.tenantId, kms.clientId and the secret or certificate, or the managed identity.",
      details: info,
    });
  }
  const retryable =
    isNetworkError(error) ||
    status === 429 ||
    (status !== undefined && status >= 500) ||
    code === "AbortError";
  return new BackendUnavailableError(
    `Azure Key Vault is unavailable: ${failure.operation} with key ${failure.key} failed (${what}).`,
    {
      hint: retryable ? "Retry in a moment; check the network path to the vault." : "Check kms.vaultUrl.",
      details: info,
    },
  );
}
