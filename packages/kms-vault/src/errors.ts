/**
 * Vault transit answers as Coffer's typed errors. A ciphertext this key did not make, or made for
 * other associated data (another deployment, another data key id) → IntegrityError; a version the
 * key's min_decryption_version retired → IntegrityError saying to re-wrap first; no such key →
 * InvalidConfigError; 401/403 → BackendAccessDeniedError; sealed, 5xx, 429 and network errors →
 * BackendUnavailableError (retryable). Messages carry the key name and Vault's error line (which
 * never holds plaintext), never key material.
 */
import {
  BackendAccessDeniedError,
  BackendUnavailableError,
  type CofferError,
  IntegrityError,
  InvalidConfigError,
} from "@coffer/core";

interface NodeVaultError {
  response?: { statusCode?: number; body?: { errors?: unknown } };
  code?: string;
}

function vaultMessage(error: unknown): string {
  const errors = (error as NodeVaultError | null)?.response?.body?.errors;
  return Array.isArray(errors) && typeof errors[0] === "string" ? errors[0] : "";
}

export function transitError(
  error: unknown,
  key: string,
  operation: string,
  dataKeyId?: string,
): CofferError {
  const status = (error as NodeVaultError | null)?.response?.statusCode;
  const message = vaultMessage(error);
  const details = {
    keyName: key,
    operation,
    ...(status !== undefined && { status }),
    ...(dataKeyId && { dataKeyId }),
  };
  if (
    status === 400 &&
    /message authentication failed|invalid ciphertext|invalid key version/i.test(message)
  ) {
    return new IntegrityError(
      `Data key '${dataKeyId ?? "?"}' cannot be unwrapped by Vault transit key '${key}' (${message}): it was wrapped by another key or for another deployment, or the stored key was altered.`,
      {
        hint: "Configure the transit key these data keys were wrapped with (option kms.keyName, kms.mount), and restore the table coffer_store_data_keys from the same backup as the values.",
        details,
      },
    );
  }
  if (status === 400 && /disallowed by policy/i.test(message)) {
    return new IntegrityError(
      `Data key '${dataKeyId ?? "?"}' is wrapped under a version of transit key '${key}' that min_decryption_version no longer allows.`,
      {
        hint: "Lower min_decryption_version again, run rewrapDataKeys(), and raise it only after that.",
        details,
      },
    );
  }
  if (
    (status === 400 && /encryption key not found/i.test(message)) ||
    (status === 404 && operation === "read key")
  ) {
    return new InvalidConfigError(`Vault has no transit key '${key}' (${operation}).`, {
      hint: "Create it (vault write -f transit/keys/<name>) or fix option kms.keyName and kms.mount; Coffer never creates the key.",
      details,
    });
  }
  if (status === 401 || status === 403) {
    return new BackendAccessDeniedError(
      `Vault refused ${operation} with transit key '${key}' (HTTP ${status}).`,
      {
        hint: "Check the token and that its policy allows update on <mount>/encrypt/<key> and <mount>/decrypt/<key>, and read on <mount>/keys/<key>.",
        details,
      },
    );
  }
  const code = (error as NodeVaultError | null)?.code;
  return new BackendUnavailableError(
    `Vault is unavailable: ${operation} with transit key '${key}' failed (${status !== undefined ? `HTTP ${status}${message ? `: ${message}` : ""}` : (code ?? "no answer")}).`,
    { hint: "Retry in a moment; check that Vault is reachable and unsealed.", details },
  );
}
