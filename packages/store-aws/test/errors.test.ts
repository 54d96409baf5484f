// The error mapping for codes the emulator cannot produce (IAM denials, KMS failures, missing
// credentials), built from the SDK's own exception classes.
import {
  DecryptionFailure,
  InvalidParameterException,
  InvalidRequestException,
  LimitExceededException,
  ResourceNotFoundException,
  SecretsManagerServiceException,
} from "@aws-sdk/client-secrets-manager";
import {
  BackendAccessDeniedError,
  BackendUnavailableError,
  InvalidConfigError,
  SecretNotFoundError,
  ValidationError,
} from "@coffer/core";
import { describe, expect, it } from "vitest";
import { toStoreError } from "../src/index.js";

const $metadata = { httpStatusCode: 400, requestId: "fake-request-id" };
const context = { operation: "read", id: "0b7e5a36-58f4-4c44-9d8e-6f2b8d0c1a2b" };

function serviceError(name: string, fault: "client" | "server" = "client", httpStatusCode = 400) {
  return new SecretsManagerServiceException({
    name,
    $fault: fault,
    $metadata: { httpStatusCode },
    message: "echoes fake-password-1",
  });
}

function networkError(code: string) {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code, $metadata: { attempts: 1 } });
}

describe("toStoreError", () => {
  it.each([
    [
      "ResourceNotFoundException",
      new ResourceNotFoundException({ message: "x", $metadata }),
      SecretNotFoundError,
    ],
    [
      "InvalidRequestException (marked for deletion)",
      new InvalidRequestException({
        message: "You can't perform this operation on the secret because it was marked for deletion.",
        $metadata,
      }),
      SecretNotFoundError,
    ],
    ["AccessDeniedException", serviceError("AccessDeniedException"), BackendAccessDeniedError],
    ["UnrecognizedClientException", serviceError("UnrecognizedClientException"), BackendAccessDeniedError],
    ["ExpiredTokenException", serviceError("ExpiredTokenException"), BackendAccessDeniedError],
    ["an unknown 403", serviceError("SomethingNew", "client", 403), BackendAccessDeniedError],
    ["DecryptionFailure", new DecryptionFailure({ message: "x", $metadata }), BackendAccessDeniedError],
    ["ThrottlingException", serviceError("ThrottlingException"), BackendUnavailableError],
    [
      "LimitExceededException",
      new LimitExceededException({ message: "x", $metadata }),
      BackendUnavailableError,
    ],
    ["an unknown server fault", serviceError("SomethingBroke", "server", 502), BackendUnavailableError],
    ["ECONNREFUSED", networkError("ECONNREFUSED"), BackendUnavailableError],
    ["ETIMEDOUT", networkError("ETIMEDOUT"), BackendUnavailableError],
    [
      "InvalidParameterException",
      new InvalidParameterException({ message: "x", $metadata }),
      ValidationError,
    ],
    [
      "InvalidRequestException (another reason)",
      new InvalidRequestException({ message: "The secret is managed by another service.", $metadata }),
      ValidationError,
    ],
    [
      "CredentialsProviderError",
      Object.assign(new Error("Could not load credentials from any providers"), {
        name: "CredentialsProviderError",
      }),
      InvalidConfigError,
    ],
  ])("maps %s", (_label, error, expected) => {
    const mapped = toStoreError(error, context);
    expect(mapped).toBeInstanceOf(expected);
    // The SDK's message is never passed on, nor the SDK error as a cause.
    expect(JSON.stringify((mapped as Error).message)).not.toContain("fake-password-1");
    expect((mapped as Error).cause).toBeUndefined();
  });

  it("names the id, the operation and the service's code", () => {
    const mapped = toStoreError(serviceError("ThrottlingException"), context) as BackendUnavailableError;
    expect(mapped.message).toContain(context.id);
    expect(mapped.message).toContain("ThrottlingException");
    expect(mapped.details).toMatchObject({
      id: context.id,
      operation: "read",
      backendCode: "ThrottlingException",
    });
    expect(mapped.retryable).toBe(true);
  });

  it("leaves programming errors alone", () => {
    const bug = new TypeError("undefined is not a function");
    expect(toStoreError(bug, context)).toBe(bug);
  });
});
