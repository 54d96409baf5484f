/**
 * An error the emulator sends on the wire. AWS JSON 1.1 errors carry the code in the body's
 * `__type` and in the `x-amzn-errortype` header, and the text in `Message`. Messages must never
 * contain a secret value.
 */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

// The messages below follow what Secrets Manager returns, as recorded by projects that test
// against the real service (LocalStack snapshots, moto).

export const secretNotFound = () =>
  new AwsError("ResourceNotFoundException", "Secrets Manager can't find the specified secret.");

export const versionNotFound = (kind: "staging label" | "VersionId", value: string) =>
  new AwsError(
    "ResourceNotFoundException",
    `Secrets Manager can't find the specified secret value for ${kind}: ${value}`,
  );

export const markedForDeletion = () =>
  new AwsError(
    "InvalidRequestException",
    "You can't perform this operation on the secret because it was marked for deletion.",
  );

export const invalidParameter = (message: string) => new AwsError("InvalidParameterException", message);

export const invalidRequest = (message: string) => new AwsError("InvalidRequestException", message);

export const validation = (message: string) => new AwsError("ValidationException", message);

export const serialization = (message: string) => new AwsError("SerializationException", message);

export const invalidNextToken = () =>
  new AwsError("InvalidNextTokenException", "The NextToken value is invalid.");

/** The failures `failNext()` can inject, with the status and text the real service uses. */
export const injectableFaults = {
  ThrottlingException: { status: 400, message: "Rate exceeded" },
  InternalServiceError: { status: 500, message: "An error occurred on the server side." },
  InternalFailure: {
    status: 500,
    message: "The request processing has failed because of an unknown error, exception or failure.",
  },
  ServiceUnavailable: {
    status: 503,
    message: "The request has failed due to a temporary failure of the server.",
  },
} as const;

export type AwsFaultKind = keyof typeof injectableFaults;
