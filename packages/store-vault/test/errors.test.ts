// The error mapping for answers the emulator does not give (413, 412, TLS failures), shaped as
// node-vault rejects: ApiResponseError with `response`, or axios's error with `code`.
import {
  BackendAccessDeniedError,
  BackendUnavailableError,
  InvalidConfigError,
  SecretNotFoundError,
  ValidationError,
  ValueTooLargeError,
  VersionConflictError,
} from "@coffer/core";
import { describe, expect, it } from "vitest";
import { toStoreError } from "../src/index.js";

const id = "0b7e5a36-58f4-4c44-9d8e-6f2b8d0c1a2b";

function answer(statusCode: number, errors: string[] = []) {
  return Object.assign(new Error(errors[0] ?? `Status ${statusCode}`), {
    response: { statusCode, body: { errors } },
  });
}

function network(code: string) {
  // axios errors carry the request, token header and body included: the mapping must drop it.
  return Object.assign(new Error(`connect ${code}`), {
    code,
    isAxiosError: true,
    config: { headers: { "X-Vault-Token": "not-a-real-token" }, data: '{"data":{"k":"fake-password-1"}}' },
  });
}

describe("toStoreError", () => {
  it.each([
    ["403", answer(403, ["permission denied"]), BackendAccessDeniedError],
    ["404", answer(404), SecretNotFoundError],
    [
      "400 CAS mismatch",
      answer(400, ["check-and-set parameter did not match the current version"]),
      VersionConflictError,
    ],
    ["400 other", answer(400, ["no data provided"]), ValidationError],
    ["405", answer(405), ValidationError],
    ["412", answer(412), BackendUnavailableError],
    ["413", answer(413, ["http: request body too large"]), ValueTooLargeError],
    ["429", answer(429, ["request path rate limit quota exceeded"]), BackendUnavailableError],
    ["500", answer(500, ["internal error"]), BackendUnavailableError],
    ["503 sealed", answer(503, ["Vault is sealed"]), BackendUnavailableError],
    ["ECONNREFUSED", network("ECONNREFUSED"), BackendUnavailableError],
    ["ECONNABORTED (timeout)", network("ECONNABORTED"), BackendUnavailableError],
    ["a TLS failure", network("UNABLE_TO_VERIFY_LEAF_SIGNATURE"), InvalidConfigError],
  ])("maps %s", (_label, error, expected) => {
    const mapped = toStoreError(error, { operation: "read", id });
    expect(mapped).toBeInstanceOf(expected);
    expect((mapped as Error).cause).toBeUndefined();
    const text = JSON.stringify({
      message: (mapped as Error).message,
      ...(mapped as { details?: object }).details,
    });
    expect(text).not.toContain("not-a-real-token");
    expect(text).not.toContain("fake-password-1");
  });

  it("a 400 from a login is a refused login, not bad input", () => {
    expect(toStoreError(answer(400, ["invalid role or secret ID"]), { operation: "log in" })).toBeInstanceOf(
      BackendAccessDeniedError,
    );
  });

  it("says when Vault is sealed", () => {
    const mapped = toStoreError(answer(503, ["Vault is sealed"]), {
      operation: "read",
      id,
    }) as BackendUnavailableError;
    expect(mapped.message).toMatch(/sealed/);
    expect(mapped.details).toMatchObject({ sealed: true, httpStatus: 503, id });
  });

  it("leaves programming errors alone", () => {
    const bug = new TypeError("undefined is not a function");
    expect(toStoreError(bug, { operation: "read", id })).toBe(bug);
  });
});
