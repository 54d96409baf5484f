/**
 * Secret Manager's errors, mapped onto Coffer's typed errors in one place.
 *
 * Over gRPC the client rejects with an Error carrying the numeric status `code` and the server's
 * text in `details`. Messages built here name the operation, the secret id and the status, never the
 * server's text in general: an INVALID_ARGUMENT can quote request fields. The exception is the text
 * of PERMISSION_DENIED / UNAUTHENTICATED, which names the missing permission and the principal (what
 * an operator needs to fix it) and never data.
 */
import {
  BackendAccessDeniedError,
  BackendUnavailableError,
  type CofferError,
  type ErrorDetails,
  IntegrityError,
  InvalidConfigError,
  isCofferError,
  NETWORK_ERROR_CODES,
  SecretExistsError,
  type SecretId,
  SecretNotFoundError,
  ValidationError,
} from "@coffer/core";

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

export interface ErrorContext {
  /** What the store was doing, e.g. "read", "create". */
  operation: string;
  id?: SecretId;
}

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

export function mapGcpError(error: unknown, context: ErrorContext): CofferError {
  if (isCofferError(error)) return error;
  const { operation, id } = context;
  const subject = id === undefined ? "" : ` of secret ${id}`;
  const status = statusOf(error);
  const details: ErrorDetails = { backend: "gcp", operation };
  if (id !== undefined) details.id = id;

  if (status === undefined) return mapNonGrpcError(error, context, details);
  const name = STATUS_NAMES[status] ?? `status ${status}`;
  details.status = name;
  const what = `GCP Secret Manager refused the ${operation}${subject} (${name})`;
  const options = { details, cause: error };

  switch (status) {
    case Status.NOT_FOUND:
      return new SecretNotFoundError(
        `GCP Secret Manager holds no secret${id === undefined ? "" : ` ${id}`}.`,
        {
          ...options,
          hint: "Check the id; the secret may have been deleted.",
        },
      );
    case Status.ALREADY_EXISTS:
      return new SecretExistsError(
        `GCP Secret Manager already holds secret${id === undefined ? "" : ` ${id}`}.`,
        {
          ...options,
          hint: "Use update to change it, or delete it first.",
        },
      );
    case Status.PERMISSION_DENIED:
    case Status.UNAUTHENTICATED:
      return new BackendAccessDeniedError(`${what}: ${serverText(error)}`, {
        ...options,
        hint:
          status === Status.UNAUTHENTICATED
            ? "Check the store's credentials (keyFile, credentials, or the application default credentials)."
            : "Grant the store's identity the Secret Manager permissions its README lists, on this project.",
      });
    case Status.UNAVAILABLE:
    case Status.RESOURCE_EXHAUSTED:
    case Status.DEADLINE_EXCEEDED:
    case Status.INTERNAL:
    case Status.ABORTED:
    case Status.CANCELLED:
    case Status.UNKNOWN:
      return new BackendUnavailableError(
        `GCP Secret Manager did not complete the ${operation}${subject} (${name}).`,
        {
          ...options,
          hint:
            status === Status.RESOURCE_EXHAUSTED
              ? "The project's Secret Manager quota is used up for now; retry later or ask for more quota."
              : "Secret Manager is unreachable or failing; retry later.",
        },
      );
    case Status.DATA_LOSS:
      return new IntegrityError(`${what}.`, { ...options, hint: "Retry; the data was damaged on the way." });
    case Status.INVALID_ARGUMENT:
      if (isChecksumMismatch(error)) {
        return new IntegrityError(
          `GCP Secret Manager rejected the ${operation}${subject}: the payload arrived with a different CRC32C than Coffer sent.`,
          { ...options, hint: "The data was damaged on the way to Secret Manager; retry." },
        );
      }
      return new ValidationError(`${what}.`, {
        ...options,
        hint: "Check the store's options (labels, names).",
      });
    case Status.FAILED_PRECONDITION:
      return new BackendAccessDeniedError(`${what}: the secret is not in a state that allows it.`, {
        ...options,
        hint: "Someone disabled or destroyed its latest version; enable it again, or update the secret.",
      });
    case Status.UNIMPLEMENTED:
      return new InvalidConfigError(`${what}: the endpoint does not implement it.`, {
        ...options,
        hint: "Point apiEndpoint at Secret Manager (or an emulator that implements this call).",
      });
    default:
      return new ValidationError(`${what}.`, options);
  }
}

function mapNonGrpcError(error: unknown, context: ErrorContext, details: ErrorDetails): CofferError {
  const { operation, id } = context;
  const subject = id === undefined ? "" : ` of secret ${id}`;
  const code = (error as GrpcLikeError | null)?.code;
  const message = (error as GrpcLikeError | null)?.message;
  const options = { details, cause: error };
  // Errors of the network and of fetching a token (gaxios, google-auth-library) carry these codes.
  if (typeof code === "string" && NETWORK_ERROR_CODES.has(code)) {
    details.code = code;
    return new BackendUnavailableError(`The ${operation}${subject} could not reach Google Cloud (${code}).`, {
      ...options,
      hint: "Check the network path to Secret Manager and to Google's token endpoint; retry later.",
    });
  }
  if (code === "ENOENT" || code === "EACCES" || code === "EISDIR") {
    details.code = code;
    return new InvalidConfigError(`The GCP key file cannot be read (${code}).`, {
      ...options,
      hint: "Check the path in keyFile and that Coffer may read it.",
    });
  }
  const httpStatus = Number((error as GrpcLikeError | null)?.response?.status);
  if (httpStatus >= 500 || httpStatus === 429) {
    details.httpStatus = httpStatus;
    return new BackendUnavailableError(
      `Google Cloud answered HTTP ${httpStatus} during the ${operation}${subject}.`,
      {
        ...options,
        hint: "Retry later.",
      },
    );
  }
  // What is left comes from google-auth-library before any call went out: no credentials found,
  // an unreadable key file, a token request refused.
  if (
    typeof message === "string" &&
    /credential|token|key file|private key|invalid_grant|auth/i.test(message)
  ) {
    return new BackendAccessDeniedError(`GCP credentials could not be used for the ${operation}${subject}.`, {
      ...options,
      hint: "Check keyFile or credentials, or the application default credentials (GOOGLE_APPLICATION_CREDENTIALS, workload identity).",
    });
  }
  return new BackendUnavailableError(`The ${operation}${subject} failed in the GCP client.`, {
    ...options,
    hint: "Retry later; if it persists, report it with the log of this error.",
  });
}

function serverText(error: unknown): string {
  const details = (error as GrpcLikeError | null)?.details;
  const text = typeof details === "string" && details.length > 0 ? details : "access denied";
  return `${text.slice(0, 300)}${text.length > 300 ? "…" : ""}`.replace(/\.?$/, ".");
}
