/**
 * KMS errors as Coffer's typed errors. A data key the configured KMS key did not wrap (another key,
 * another deployment's encryption context, an altered row) is an IntegrityError; an unreachable or
 * overloaded KMS is a retryable BackendUnavailableError; refused credentials or a disabled key are
 * BackendAccessDeniedError; a key that does not exist is a configuration mistake. Messages carry the
 * key's name and the service's error code, never key material.
 */
import {
  BackendAccessDeniedError,
  BackendUnavailableError,
  type CofferError,
  IntegrityError,
  InvalidConfigError,
  isNetworkError,
} from "@coffer/core";

interface SdkErrorLike {
  name?: string;
  code?: string;
  $fault?: "client" | "server";
  $metadata?: { httpStatusCode?: number };
}

const FOREIGN = new Set(["IncorrectKeyException", "InvalidCiphertextException"]);
const DENIED = new Set([
  "AccessDeniedException",
  "DisabledException",
  "KMSInvalidStateException",
  "UnrecognizedClientException",
  "InvalidSignatureException",
  "IncompleteSignatureException",
  "MissingAuthenticationTokenException",
  "ExpiredTokenException",
  "InvalidKeyUsageException",
]);
const MISSING = new Set(["NotFoundException", "CredentialsProviderError"]);

export function errorCode(error: unknown): string {
  const e = error as SdkErrorLike | null;
  // Network errors are plain Errors with a code (ECONNREFUSED); service errors are named.
  if (e?.name && e.name !== "Error") return e.name;
  return String(e?.code ?? e?.name ?? "Error");
}

export function kmsError(error: unknown, key: string, operation: string, dataKeyId?: string): CofferError {
  const code = errorCode(error);
  const details = { keyId: key, code, operation, ...(dataKeyId && { dataKeyId }) };
  if (FOREIGN.has(code)) {
    return new IntegrityError(
      `Data key '${dataKeyId ?? "?"}' cannot be unwrapped by AWS KMS key ${key} (${code}): it was wrapped by another KMS key or for another deployment, or the stored key was altered.`,
      {
        hint: "Configure the KMS key these data keys were wrapped with (option kms.keyId), and restore the table coffer_store_data_keys from the same backup as the values.",
        details,
      },
    );
  }
  if (DENIED.has(code)) {
    return new BackendAccessDeniedError(`AWS KMS refused ${operation} with key ${key} (${code}).`, {
      hint: "Check that the KMS key is enabled and that Coffer's role has kms:Encrypt, kms:Decrypt and kms:GenerateDataKey on it.",
      details,
    });
  }
  if (MISSING.has(code)) {
    return new InvalidConfigError(`AWS KMS ${operation} with key ${key} failed: ${code}.`, {
      hint:
        code === "NotFoundException"
          ? "Check option kms.keyId (key id, ARN or alias) and kms.region."
          : "Give credentials through the AWS default chain, or kms.accessKeyId and kms.secretAccessKey.",
      details,
    });
  }
  const e = error as SdkErrorLike;
  const retryable =
    isNetworkError(error) ||
    e?.$fault === "server" ||
    code === "ThrottlingException" ||
    code === "TimeoutError";
  return new BackendUnavailableError(
    `AWS KMS is unavailable: ${operation} with key ${key} failed (${code}).`,
    {
      hint: retryable
        ? "Retry in a moment; check the network path to KMS."
        : "Check the KMS endpoint and region.",
      details,
    },
  );
}
