/**
 * Coffer's typed error family. Every store adapter maps its SDK's errors onto these, the service
 * raises only these, the server maps them to HTTP statuses and the CLI to exit codes.
 *
 * Two rules hold for every error here:
 * - the message says what was wrong and `hint` says how to fix it;
 * - no message, hint or detail ever contains a secret value. Errors carry names, keys, ids and
 *   sizes, never values, so they are safe to log and to send over HTTP.
 */

export type ErrorCode =
  | "NOT_FOUND"
  | "ALREADY_EXISTS"
  | "VERSION_CONFLICT"
  | "VALIDATION"
  | "VALUE_TOO_LARGE"
  | "BACKEND_UNAVAILABLE"
  | "ACCESS_DENIED"
  | "INVALID_CONFIG"
  | "NOT_SUPPORTED"
  | "INTEGRITY"
  | "UNAUTHENTICATED"
  | "PERMISSION_DENIED"
  | "AUDIT_UNAVAILABLE";

/** Structured, value-free facts about an error (ids, names, keys, sizes). */
export type ErrorDetails = Record<string, string | number | boolean | string[] | null>;

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  hint?: string;
  details?: ErrorDetails;
  retryable?: boolean;
}

export interface CofferErrorOptions {
  hint?: string;
  details?: ErrorDetails;
  cause?: unknown;
}

export abstract class CofferError extends Error {
  abstract readonly code: ErrorCode;
  /** True when the same call may succeed later (outages, throttling). */
  readonly retryable: boolean = false;
  readonly hint: string | undefined;
  readonly details: ErrorDetails;

  constructor(message: string, options: CofferErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
    this.details = options.details ?? {};
  }

  /** The one line a person reads: what was wrong, then how to fix it. */
  get oneLine(): string {
    return this.hint ? `${this.message} ${this.hint}` : this.message;
  }

  toJSON(): ErrorBody {
    const body: ErrorBody = { code: this.code, message: this.message };
    if (this.hint) body.hint = this.hint;
    if (Object.keys(this.details).length > 0) body.details = this.details;
    if (this.retryable) body.retryable = true;
    return body;
  }
}

export class SecretNotFoundError extends CofferError {
  readonly code = "NOT_FOUND";
}

export class SecretExistsError extends CofferError {
  readonly code = "ALREADY_EXISTS";
}

export class VersionConflictError extends CofferError {
  readonly code = "VERSION_CONFLICT";
}

export class ValidationError extends CofferError {
  readonly code = "VALIDATION";
}

export class ValueTooLargeError extends CofferError {
  readonly code = "VALUE_TOO_LARGE";
}

export class BackendUnavailableError extends CofferError {
  readonly code = "BACKEND_UNAVAILABLE";
  override readonly retryable = true;
}

export class BackendAccessDeniedError extends CofferError {
  readonly code = "ACCESS_DENIED";
}

export class InvalidConfigError extends CofferError {
  readonly code = "INVALID_CONFIG";
}

export class NotSupportedError extends CofferError {
  readonly code = "NOT_SUPPORTED";
}

/** Stored data failed a check: a wrong or missing encryption key, tampering, a mangled payload. */
export class IntegrityError extends CofferError {
  readonly code = "INTEGRITY";
}

/** The caller could not be identified (no token, a bad or expired token). */
export class UnauthenticatedError extends CofferError {
  readonly code = "UNAUTHENTICATED";
}

/** The caller is known but may not do this (a role it lacks, a change only the owner may make). */
export class PermissionDeniedError extends CofferError {
  readonly code = "PERMISSION_DENIED";
}

/**
 * A required audit sink could not be written, so the request was refused and nothing was done
 * (no audit, no access). Retryable: the sink may come back.
 */
export class AuditUnavailableError extends CofferError {
  readonly code = "AUDIT_UNAVAILABLE";
  override readonly retryable = true;
}

const errorClasses: Record<ErrorCode, new (message: string, options?: CofferErrorOptions) => CofferError> = {
  NOT_FOUND: SecretNotFoundError,
  ALREADY_EXISTS: SecretExistsError,
  VERSION_CONFLICT: VersionConflictError,
  VALIDATION: ValidationError,
  VALUE_TOO_LARGE: ValueTooLargeError,
  BACKEND_UNAVAILABLE: BackendUnavailableError,
  ACCESS_DENIED: BackendAccessDeniedError,
  INVALID_CONFIG: InvalidConfigError,
  NOT_SUPPORTED: NotSupportedError,
  INTEGRITY: IntegrityError,
  UNAUTHENTICATED: UnauthenticatedError,
  PERMISSION_DENIED: PermissionDeniedError,
  AUDIT_UNAVAILABLE: AuditUnavailableError,
};

export function isCofferError(error: unknown): error is CofferError {
  return error instanceof CofferError;
}

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === "string" && Object.hasOwn(errorClasses, code);
}

/** Rebuilds a typed error from its JSON body (the remote client does this with server replies). */
export function errorFromBody(body: ErrorBody): CofferError {
  const ErrorClass = errorClasses[body.code];
  const options: CofferErrorOptions = {};
  if (body.hint !== undefined) options.hint = body.hint;
  if (body.details !== undefined) options.details = body.details;
  return new ErrorClass(body.message, options);
}

/** Shorthand for the error a store throws for an operation behind a capability it lacks. */
export function notSupported(storeType: string, capability: string, operation: string): NotSupportedError {
  return new NotSupportedError(`The '${storeType}' store does not support ${operation}.`, {
    hint: `It does not declare the '${capability}' capability; check store.capabilities() before calling it.`,
    details: { storeType, capability },
  });
}
