/**
 * Secret Manager's errors, classified for the kit (which builds the typed error, and never attaches
 * the SDK error as a cause: see @coffer/store-kit's error-mapping).
 *
 * Over gRPC the client rejects with an Error carrying the numeric status `code` and the server's
 * text in `details`. The server's text is not quoted in general (an INVALID_ARGUMENT can quote
 * request fields); the exception is the text of PERMISSION_DENIED / UNAUTHENTICATED, which names the
 * missing permission and the principal (what an operator needs to fix it) and never data.
 */
import { NETWORK_ERROR_CODES } from "@coffer/core";
import {
  backendErrors,
  type ClassificationRule,
  classifyByRules,
  codes,
  type Failure,
  RETRYABLE_STATUS,
} from "@coffer/store-kit";
import { Status } from "google-gax";

export const GCP_BACKEND = { type: "gcp", service: "GCP Secret Manager" };

/** gRPC status codes (google.rpc.Code), as google-gax defines them. */
export { Status };

/** Status names by number: gax's Status is a numeric TypeScript enum, which maps both ways. */
const STATUS_NAMES = Status as unknown as Record<number, string | undefined>;

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

const UNAUTHENTICATED_HINT =
  "Check the store's credentials (keyFile, credentials, or the application default credentials).";

/** gRPC answers, by status name. */
const GRPC_RULES: ClassificationRule[] = [
  { codes: codes("NOT_FOUND"), kind: "not-found" },
  { codes: codes("ALREADY_EXISTS"), kind: "exists" },
  { codes: codes("UNAUTHENTICATED"), kind: "denied", reason: serverText, hint: UNAUTHENTICATED_HINT },
  {
    codes: codes("PERMISSION_DENIED"),
    kind: "denied",
    reason: serverText,
    hint: "Grant the store's identity the Secret Manager permissions its README lists, on this project.",
  },
  {
    codes: codes("RESOURCE_EXHAUSTED"),
    kind: "unavailable",
    hint: "The project's Secret Manager quota is used up for now; retry later or ask for more quota.",
  },
  {
    codes: codes("UNAVAILABLE DEADLINE_EXCEEDED INTERNAL ABORTED CANCELLED UNKNOWN"),
    kind: "unavailable",
    hint: "Secret Manager is unreachable or failing; retry later.",
  },
  { codes: codes("DATA_LOSS"), kind: "integrity" },
  {
    when: isChecksumMismatch,
    kind: "integrity",
    reason: "the payload arrived with a different CRC32C than Coffer sent",
    hint: "The data was damaged on the way to Secret Manager; retry.",
  },
  { codes: codes("INVALID_ARGUMENT"), kind: "rejected", hint: "Check the store's options (labels, names)." },
  {
    codes: codes("FAILED_PRECONDITION"),
    kind: "denied",
    reason: "the secret is not in a state that allows it",
    hint: "Someone disabled or destroyed its latest version; enable it again, or update the secret.",
  },
  {
    codes: codes("UNIMPLEMENTED"),
    kind: "invalid-config",
    reason: "the endpoint does not implement it",
    hint: "Point apiEndpoint at Secret Manager (or an emulator that implements this call).",
  },
  { when: () => true, kind: "rejected" },
];

const NO_CODE = () => null;

/** Errors of the network, of fetching a token (gaxios, google-auth-library) and of key files. */
const OTHER_RULES: ClassificationRule<GrpcLikeError>[] = [
  {
    codes: NETWORK_ERROR_CODES,
    kind: "unavailable",
    reason: "Google Cloud cannot be reached",
    hint: "Check the network path to Secret Manager and to Google's token endpoint; retry later.",
  },
  {
    codes: codes("ENOENT EACCES EISDIR"),
    kind: "invalid-config",
    reason: "the GCP key file cannot be read",
    hint: "Check the path in keyFile and that Coffer may read it.",
  },
  {
    status: RETRYABLE_STATUS,
    code: NO_CODE,
    kind: "unavailable",
    reason: "Google Cloud answered with an error",
    hint: "Retry later.",
  },
  // What is left comes from google-auth-library before any call went out: no credentials found,
  // an unreadable key file, a token request refused.
  {
    when: (error) =>
      typeof error.message === "string" &&
      /credential|token|key file|private key|invalid_grant|auth/i.test(error.message),
    code: NO_CODE,
    kind: "denied",
    reason: "GCP credentials could not be used",
    hint: "Check keyFile or credentials, or the application default credentials (GOOGLE_APPLICATION_CREDENTIALS, workload identity).",
  },
  {
    when: () => true,
    code: NO_CODE,
    kind: "unavailable",
    reason: "it failed in the GCP client",
    hint: "Retry later; if it persists, report it with the log of this error.",
  },
];

/** What a gRPC (or auth, or network) error means. */
export function classifyGcpError(error: unknown): Failure {
  const e = (error ?? {}) as GrpcLikeError;
  const status = statusOf(error);
  if (status !== undefined) {
    const code = STATUS_NAMES[status] ?? `status ${status}`;
    return classifyByRules(GRPC_RULES, error, { code, details: { status: code } })!;
  }
  const httpStatus = Number(e.response?.status);
  return classifyByRules(OTHER_RULES, e, {
    ...(typeof e.code === "string" && { code: e.code }),
    ...(Number.isFinite(httpStatus) && { status: httpStatus }),
  })!;
}

function serverText(error: unknown): string {
  const details = (error as GrpcLikeError | null)?.details;
  const text = typeof details === "string" && details.length > 0 ? details : "access denied";
  return `${text.slice(0, 300)}${text.length > 300 ? "…" : ""}`.replace(/\.$/, "");
}

/**
 * Anything the client threw, as a typed error (Coffer's own errors unchanged): classifyGcpError
 * reads every error, so what comes back is always a typed error.
 */
export const { attempt, lookup, toStoreError, bestEffort } = backendErrors(GCP_BACKEND, classifyGcpError);

/** Secret Manager's answer for a secret or version that does not exist. */
export const isMissing = (error: unknown) => statusOf(error) === Status.NOT_FOUND;
