/**
 * Secret Manager's errors, classified for the kit (which builds the typed error, and never attaches
 * the SDK error as a cause: see @coffer/store-kit's error-mapping).
 *
 * Over gRPC the client rejects with an Error carrying the numeric status `code` and the server's
 * text in `details`. The server's text is not quoted in general (an INVALID_ARGUMENT can quote
 * request fields); the exception is the text of PERMISSION_DENIED / UNAUTHENTICATED, which names the
 * missing permission and the principal (what an operator needs to fix it) and never data.
 */
import { type CofferError, NETWORK_ERROR_CODES } from "@coffer/core";
import { type Failure, type FailureContext, mapBackendError } from "@coffer/store-kit";

export const GCP_BACKEND = { type: "gcp", service: "GCP Secret Manager" };

/** gRPC status codes (google.rpc.Code). */
export const Status = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

const STATUS_NAMES = Object.fromEntries(Object.entries(Status).map(([name, code]) => [code, name]));
const UNAVAILABLE: readonly number[] = [
  Status.UNAVAILABLE,
  Status.RESOURCE_EXHAUSTED,
  Status.DEADLINE_EXCEEDED,
  Status.INTERNAL,
  Status.ABORTED,
  Status.CANCELLED,
  Status.UNKNOWN,
];

interface GrpcLikeError {
  code?: unknown;
  details?: unknown;
  message?: unknown;
  response?: { status?: unknown };
}

export function statusOf(error: unknown): number | undefined {
  const code = (error as GrpcLikeError | null)?.code;
  return typeof code === "number" ? code : undefined;
}

/** True for the INVALID_ARGUMENT Secret Manager answers when a payload's data_crc32c is wrong. */
export function isChecksumMismatch(error: unknown): boolean {
  const details = (error as GrpcLikeError | null)?.details;
  return (
    statusOf(error) === Status.INVALID_ARGUMENT &&
    typeof details === "string" &&
    /checksum|crc32c/i.test(details)
  );
}

/** What a gRPC (or auth, or network) error means. */
export function classifyGcpError(error: unknown): Failure {
  const status = statusOf(error);
  if (status === undefined) return classifyNonGrpc(error);
  const code = STATUS_NAMES[status] ?? `status ${status}`;
  const base = { code, details: { status: code } };
  if (status === Status.NOT_FOUND) return { ...base, kind: "not-found" };
  if (status === Status.ALREADY_EXISTS) return { ...base, kind: "exists" };
  if (status === Status.PERMISSION_DENIED || status === Status.UNAUTHENTICATED) {
    return {
      ...base,
      kind: "denied",
      reason: serverText(error),
      hint:
        status === Status.UNAUTHENTICATED
          ? "Check the store's credentials (keyFile, credentials, or the application default credentials)."
          : "Grant the store's identity the Secret Manager permissions its README lists, on this project.",
    };
  }
  if (UNAVAILABLE.includes(status)) {
    return {
      ...base,
      kind: "unavailable",
      hint:
        status === Status.RESOURCE_EXHAUSTED
          ? "The project's Secret Manager quota is used up for now; retry later or ask for more quota."
          : "Secret Manager is unreachable or failing; retry later.",
    };
  }
  if (status === Status.DATA_LOSS) return { ...base, kind: "integrity" };
  if (isChecksumMismatch(error)) {
    return {
      ...base,
      kind: "integrity",
      reason: "the payload arrived with a different CRC32C than Coffer sent",
      hint: "The data was damaged on the way to Secret Manager; retry.",
    };
  }
  if (status === Status.INVALID_ARGUMENT) {
    return { ...base, kind: "rejected", hint: "Check the store's options (labels, names)." };
  }
  if (status === Status.FAILED_PRECONDITION) {
    return {
      ...base,
      kind: "denied",
      reason: "the secret is not in a state that allows it",
      hint: "Someone disabled or destroyed its latest version; enable it again, or update the secret.",
    };
  }
  if (status === Status.UNIMPLEMENTED) {
    return {
      ...base,
      kind: "invalid-config",
      reason: "the endpoint does not implement it",
      hint: "Point apiEndpoint at Secret Manager (or an emulator that implements this call).",
    };
  }
  return { ...base, kind: "rejected" };
}

function classifyNonGrpc(error: unknown): Failure {
  const code = (error as GrpcLikeError | null)?.code;
  const message = (error as GrpcLikeError | null)?.message;
  // Errors of the network and of fetching a token (gaxios, google-auth-library) carry these codes.
  if (typeof code === "string" && NETWORK_ERROR_CODES.has(code)) {
    return {
      kind: "unavailable",
      code,
      reason: "Google Cloud cannot be reached",
      hint: "Check the network path to Secret Manager and to Google's token endpoint; retry later.",
    };
  }
  if (code === "ENOENT" || code === "EACCES" || code === "EISDIR") {
    return {
      kind: "invalid-config",
      code,
      reason: "the GCP key file cannot be read",
      hint: "Check the path in keyFile and that Coffer may read it.",
    };
  }
  const httpStatus = Number((error as GrpcLikeError | null)?.response?.status);
  if (httpStatus >= 500 || httpStatus === 429) {
    return {
      kind: "unavailable",
      status: httpStatus,
      reason: "Google Cloud answered with an error",
      hint: "Retry later.",
    };
  }
  // What is left comes from google-auth-library before any call went out: no credentials found,
  // an unreadable key file, a token request refused.
  if (
    typeof message === "string" &&
    /credential|token|key file|private key|invalid_grant|auth/i.test(message)
  ) {
    return {
      kind: "denied",
      reason: "GCP credentials could not be used",
      hint: "Check keyFile or credentials, or the application default credentials (GOOGLE_APPLICATION_CREDENTIALS, workload identity).",
    };
  }
  return {
    kind: "unavailable",
    reason: "it failed in the GCP client",
    hint: "Retry later; if it persists, report it with the log of this error.",
  };
}

function serverText(error: unknown): string {
  const details = (error as GrpcLikeError | null)?.details;
  const text = typeof details === "string" && details.length > 0 ? details : "access denied";
  return `${text.slice(0, 300)}${text.length > 300 ? "…" : ""}`.replace(/\.$/, "");
}

/** Anything the client threw, as a typed error (Coffer's own errors unchanged). */
export function toStoreError(error: unknown, context: FailureContext): CofferError {
  // classifyGcpError reads every error, so what comes back is always a typed error.
  return mapBackendError(GCP_BACKEND, classifyGcpError, error, context) as CofferError;
}
