/**
 * Cloud KMS answers as Coffer's typed errors. A data key this CryptoKey did not wrap (another key,
 * another deployment's AAD, an altered row) and answers that keep failing their CRC32C check are
 * IntegrityErrors; a disabled or destroyed key version and refused credentials are
 * BackendAccessDeniedError; an unknown key is a configuration mistake; an unreachable, overloaded or
 * failing KMS is a retryable BackendUnavailableError. Messages carry the key's name, the gRPC status
 * and, for refusals, the service's text (it names a permission or a version's state, never data);
 * never key material.
 */
import {
  BackendAccessDeniedError,
  BackendUnavailableError,
  type CofferError,
  IntegrityError,
  InvalidConfigError,
  isNetworkError,
} from "@coffer/core";
import { Status } from "google-gax";

/** Status names by number: gax's Status is a numeric TypeScript enum, which maps both ways. */
const STATUS_NAMES = Status as unknown as Record<number, string | undefined>;

interface GrpcLikeError {
  code?: unknown;
  details?: unknown;
  message?: unknown;
}

export function statusOf(error: unknown): number | undefined {
  const code = (error as GrpcLikeError | null)?.code;
  return typeof code === "number" ? code : undefined;
}

/** Statuses worth another attempt: the service or the path to it failed, not the request. */
export const TRANSIENT = new Set<number>([
  Status.UNAVAILABLE,
  Status.DEADLINE_EXCEEDED,
  Status.RESOURCE_EXHAUSTED,
  Status.INTERNAL,
  Status.UNKNOWN,
  Status.ABORTED,
]);

/** The INVALID_ARGUMENT Cloud KMS gives when a request's CRC32C does not match its field. */
export function isChecksumRejection(error: unknown): boolean {
  const details = (error as GrpcLikeError | null)?.details;
  return (
    statusOf(error) === Status.INVALID_ARGUMENT &&
    typeof details === "string" &&
    /checksum|crc32c/i.test(details)
  );
}

/** An answer that arrived but failed its integrity check (CRC32C, or a wrong key version named). */
export class DamagedAnswer extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

function serverText(error: unknown): string {
  const details = (error as GrpcLikeError | null)?.details;
  const text = typeof details === "string" ? details : "";
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

export function kmsError(error: unknown, key: string, operation: string, dataKeyId?: string): CofferError {
  const status = statusOf(error);
  const code =
    error instanceof DamagedAnswer
      ? "CRC32C_MISMATCH"
      : status !== undefined
        ? (STATUS_NAMES[status] ?? `status ${status}`)
        : String((error as { code?: unknown } | null)?.code ?? "Error");
  const details = { keyName: key, code, operation, ...(dataKeyId && { dataKeyId }) };
  if (error instanceof DamagedAnswer || isChecksumRejection(error)) {
    return new IntegrityError(
      `Cloud KMS ${operation} with key ${key} kept failing its integrity check (${error instanceof DamagedAnswer ? error.reason : "the service saw a CRC32C mismatch"}).`,
      {
        hint: "Data was damaged between Coffer and Cloud KMS on every attempt: check proxies and the network path; nothing was stored.",
        details,
      },
    );
  }
  if (status === Status.INVALID_ARGUMENT && /decryption failed/i.test(serverText(error))) {
    return new IntegrityError(
      `Data key '${dataKeyId ?? "?"}' cannot be unwrapped by Cloud KMS key ${key} (${code}): it was wrapped by another key or for another deployment, or the stored key was altered.`,
      {
        hint: "Configure the CryptoKey these data keys were wrapped with (option kms.keyName), and restore the table coffer_store_data_keys from the same backup as the values.",
        details,
      },
    );
  }
  if (status === Status.PERMISSION_DENIED || status === Status.UNAUTHENTICATED) {
    return new BackendAccessDeniedError(
      `Cloud KMS refused ${operation} with key ${key} (${code}: ${serverText(error) || "access denied"}).`,
      {
        hint: "Grant Coffer's identity roles/cloudkms.cryptoKeyEncrypterDecrypter and roles/cloudkms.viewer on the key (or a role with the permissions the README lists).",
        details,
      },
    );
  }
  if (status === Status.FAILED_PRECONDITION) {
    return new BackendAccessDeniedError(
      `Cloud KMS refused ${operation} with key ${key}: ${serverText(error) || "the key version is not usable"}.`,
      {
        hint: "A key version Coffer needs is disabled or scheduled for destruction: enable or restore it (a version that wrapped data keys must stay enabled until rewrapDataKeys() has moved them).",
        details,
      },
    );
  }
  if (status === Status.NOT_FOUND || status === Status.INVALID_ARGUMENT || status === Status.UNIMPLEMENTED) {
    return new InvalidConfigError(`Cloud KMS ${operation} with key ${key} failed: ${code}.`, {
      hint:
        status === Status.UNIMPLEMENTED
          ? "Point kms.apiEndpoint at Cloud KMS (or an emulator that implements this call)."
          : "Check option kms.keyName: the CryptoKey must exist (Coffer never creates it) and have purpose ENCRYPT_DECRYPT.",
      details,
    });
  }
  if (status === undefined && !isNetworkError(error)) {
    const message = String((error as GrpcLikeError | null)?.message ?? "");
    if (/credential|token|key file|private key|invalid_grant|auth/i.test(message)) {
      return new BackendAccessDeniedError(
        `GCP credentials could not be used for Cloud KMS ${operation} with key ${key}.`,
        {
          hint: "Check kms.keyFile or kms.credentials, or the application default credentials (GOOGLE_APPLICATION_CREDENTIALS, workload identity).",
          details,
        },
      );
    }
  }
  return new BackendUnavailableError(
    `Cloud KMS is unavailable: ${operation} with key ${key} failed (${code}).`,
    {
      hint: "Retry in a moment; check the network path to Cloud KMS (kms.apiEndpoint) and the project's KMS quota.",
      details,
    },
  );
}
