/**
 * Errors the KMS emulator sends, with the codes and wording of the KMS API reference. JSON 1.1:
 * the code goes in the body's `__type` and the `x-amzn-errortype` header. Messages never echo
 * plaintext or ciphertext.
 */
export class AwsKmsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export const notFound = (message: string) => new AwsKmsError("NotFoundException", message);

export const invalidCiphertext = () => new AwsKmsError("InvalidCiphertextException", "");

export const incorrectKey = () =>
  new AwsKmsError(
    "IncorrectKeyException",
    "The key ID in the request does not identify a CMK that can perform this operation.",
  );

export const disabled = (arn: string) => new AwsKmsError("DisabledException", `${arn} is disabled.`);

export const validation = (message: string) => new AwsKmsError("ValidationException", message);

export const serialization = (message: string) => new AwsKmsError("SerializationException", message);

/** The failures `failNext()` can inject, with the status and text the real service uses. */
export const injectableFaults = {
  ThrottlingException: { status: 400, message: "Rate exceeded" },
  KMSInternalException: { status: 500, message: "An internal error occurred." },
  DependencyTimeoutException: {
    status: 503,
    message: "The system timed out while trying to fulfill the request.",
  },
  AccessDeniedException: { status: 400, message: "User is not authorized to perform: kms:Decrypt" },
} as const;

export type AwsKmsFaultKind = keyof typeof injectableFaults;
