/**
 * Error mapping for backends. A store only classifies what its SDK threw: a `kind` (what happened,
 * in Coffer's terms), the backend's `code` and HTTP `status` when there are any, and optionally a
 * `reason` and a `hint` that only this backend can give. The kit builds the typed error: its class,
 * message, default hint and details.
 *
 * Cause policy, one for every store: the SDK's error is NEVER attached as `cause`, and the SDK's own
 * message is never quoted. SDK and HTTP-client errors carry the request they failed (a write's
 * body is the secret's values, a header the token); a message or cause built from them could leak
 * a value into a log. Messages name the operation, the secret id and the codes only.
 */
import {
  BackendAccessDeniedError,
  BackendUnavailableError,
  type CofferError,
  type ErrorDetails,
  IntegrityError,
  InvalidConfigError,
  isCofferError,
  type Logger,
  SecretExistsError,
  SecretNotFoundError,
  ValidationError,
  ValueTooLargeError,
  VersionConflictError,
} from "@coffer/core";

/** What a backend failure means for Coffer. */
export type FailureKind =
  | "not-found"
  | "exists"
  | "denied"
  | "unavailable"
  | "conflict"
  | "too-large"
  | "integrity"
  | "invalid-config"
  | "rejected";

/** A store's reading of one SDK error. */
export interface Failure {
  kind: FailureKind;
  /** The backend's error code (or the network error's code). */
  code?: string;
  /** The HTTP status, when there was an answer. */
  status?: number;
  /** Replaces the kind's wording after the colon, e.g. "the KMS key refused to decrypt". */
  reason?: string;
  /** Replaces the kind's default hint with advice only this backend can give. */
  hint?: string;
  /** More details (codes, flags; never values). */
  details?: ErrorDetails;
}

/** What the store was doing, as a noun phrase ("read", "create", "log in", "health check"), and the id. */
export interface FailureContext {
  operation: string;
  id?: string;
}

/** How a store names itself in messages. */
export interface Backend {
  /** The store type, e.g. "aws". */
  type: string;
  /** The service, e.g. "Secrets Manager". */
  service: string;
}

const CLASSES = {
  "not-found": SecretNotFoundError,
  exists: SecretExistsError,
  denied: BackendAccessDeniedError,
  unavailable: BackendUnavailableError,
  conflict: VersionConflictError,
  "too-large": ValueTooLargeError,
  integrity: IntegrityError,
  "invalid-config": InvalidConfigError,
  rejected: ValidationError,
} as const;

const REASONS: Record<FailureKind, (service: string) => string> = {
  "not-found": (service) => `${service} holds no such secret`,
  exists: (service) => `${service} already holds the name`,
  denied: (service) => `${service} denied access`,
  unavailable: (service) => `${service} is unavailable`,
  conflict: () => "it changed in the meantime",
  "too-large": (service) => `${service} refused the secret as too large`,
  integrity: (service) => `${service} returned damaged data`,
  "invalid-config": (service) => `${service} cannot be used as configured`,
  rejected: (service) => `${service} rejected the request`,
};

const HINTS: Record<FailureKind, string> = {
  "not-found": "Check the id; the secret may have been deleted.",
  exists: "Use update to change it, or delete it first.",
  denied: "Check the store's credentials and that they grant the permissions its README lists.",
  unavailable: "This is usually temporary (throttling, an outage, the network); retry with backoff.",
  conflict: "Read the secret again and retry with its current revision.",
  "too-large": "Lower maxValueBytes to match the backend's limit, or split the secret.",
  integrity: "The data was damaged on the way; retry.",
  "invalid-config": "Check the store's options.",
  rejected: "Check the store's options; the secret's values were valid for Coffer.",
};

/** The typed error for a classified failure. */
export function backendError(backend: Backend, failure: Failure, context: FailureContext): CofferError {
  const { kind, code, status } = failure;
  const details: ErrorDetails = {
    backend: backend.type,
    operation: context.operation,
    ...(context.id !== undefined && { id: context.id }),
    ...(code !== undefined && { backendCode: code }),
    ...(status !== undefined && { httpStatus: status }),
    ...failure.details,
  };
  const codes = code ?? (status === undefined ? undefined : `HTTP ${status}`);
  const subject = context.id === undefined ? "" : ` of secret ${context.id}`;
  const reason = failure.reason ?? REASONS[kind](backend.service);
  const message =
    kind === "not-found" && failure.reason === undefined
      ? `${backend.service} holds no ${context.id === undefined ? "such secret" : `secret ${context.id}`}${codes ? ` (${codes})` : ""}.`
      : `The '${backend.type}' store's ${context.operation}${subject} failed: ${reason}${codes ? ` (${codes})` : ""}.`;
  return new CLASSES[kind](message, { hint: failure.hint ?? HINTS[kind], details });
}

/**
 * Maps anything a store's SDK threw. Coffer's own errors pass through; so does whatever `classify`
 * does not recognise (a programming error surfaces as what it is).
 */
export function mapBackendError(
  backend: Backend,
  classify: (error: unknown, context: FailureContext) => Failure | undefined,
  error: unknown,
  context: FailureContext,
): unknown {
  if (isCofferError(error)) return error;
  const failure = classify(error, context);
  return failure === undefined ? error : backendError(backend, failure, context);
}

/**
 * A store's error mapper, and `attempt`: runs one backend call and maps what it throws. `Mapped` is
 * what `toStoreError` gives: a CofferError when the store's classifier reads every error (it never
 * answers undefined), else `unknown` (what it does not recognise passes through as it is).
 */
export interface BackendErrors<Mapped = unknown> {
  readonly backend: Backend;
  toStoreError(error: unknown, context: FailureContext): Mapped;
  attempt<T>(context: FailureContext, call: () => Promise<T>): Promise<T>;
  /**
   * `attempt` for a call whose "not found" is an answer, not a failure: undefined when `isMissing`
   * says the error means the thing is absent (a probe of a name that never exists, a free name).
   */
  lookup<T>(
    context: FailureContext,
    call: () => Promise<T>,
    isMissing: (error: unknown) => boolean,
  ): Promise<T | undefined>;
  /**
   * Work after a write that has already succeeded (clean-up of old versions, a purge): its failure
   * is logged as a warning with the typed error's code and message, never thrown, so the write
   * stands and the next write sweeps again.
   */
  bestEffort(
    logger: Logger,
    message: string,
    context: FailureContext,
    work: () => Promise<void>,
  ): Promise<void>;
}

/** The mapper of one backend: `classify` reads its SDK's errors, the kit builds the typed error. */
export function backendErrors(
  backend: Backend,
  classify: (error: unknown, context: FailureContext) => Failure,
): BackendErrors<CofferError>;
export function backendErrors(
  backend: Backend,
  classify: (error: unknown, context: FailureContext) => Failure | undefined,
): BackendErrors;
export function backendErrors(
  backend: Backend,
  classify: (error: unknown, context: FailureContext) => Failure | undefined,
): BackendErrors {
  const toStoreError = (error: unknown, context: FailureContext) =>
    mapBackendError(backend, classify, error, context);
  return {
    backend,
    toStoreError,
    async attempt(context, call) {
      try {
        return await call();
      } catch (error) {
        throw toStoreError(error, context);
      }
    },
    async lookup(context, call, isMissing) {
      try {
        return await call();
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw toStoreError(error, context);
      }
    },
    async bestEffort(logger, message, context, work) {
      try {
        await work();
      } catch (error) {
        const mapped = toStoreError(error, context) as Partial<CofferError>;
        logger.warn(message, { id: context.id, errorCode: mapped.code, reason: mapped.message });
      }
    },
  };
}

/** Codes Node's TLS layer gives a connection whose certificate is not trusted or not valid. */
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_)/;

/** The TLS failure code of an error or of one of its causes, or undefined. The one TLS detector. */
export function tlsFailureCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && TLS_CODE.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
