import { describe, expect, it } from "vitest";
import {
  BackendUnavailableError,
  CofferError,
  errorFromBody,
  isCofferError,
  SecretNotFoundError,
  ValueTooLargeError,
} from "../src/index.js";

describe("typed errors", () => {
  it("serialise to a value-free body and come back as the same class", () => {
    const error = new ValueTooLargeError("The secret is 70000 bytes, 4464 over the limit.", {
      hint: "Split it.",
      details: { sizeBytes: 70000, maxBytes: 65536, overBy: 4464 },
    });
    const body = error.toJSON();
    expect(body).toEqual({
      code: "VALUE_TOO_LARGE",
      message: "The secret is 70000 bytes, 4464 over the limit.",
      hint: "Split it.",
      details: { sizeBytes: 70000, maxBytes: 65536, overBy: 4464 },
    });
    const rebuilt = errorFromBody(JSON.parse(JSON.stringify(body)));
    expect(rebuilt).toBeInstanceOf(ValueTooLargeError);
    expect(rebuilt.oneLine).toBe("The secret is 70000 bytes, 4464 over the limit. Split it.");
  });

  it("mark outages as retryable and nothing else", () => {
    expect(new BackendUnavailableError("down").retryable).toBe(true);
    expect(new BackendUnavailableError("down").toJSON().retryable).toBe(true);
    expect(new SecretNotFoundError("gone").retryable).toBe(false);
  });

  it("are recognisable and named after their class", () => {
    const error = new SecretNotFoundError("No secret named 'db'.");
    expect(isCofferError(error)).toBe(true);
    expect(error).toBeInstanceOf(CofferError);
    expect(error.name).toBe("SecretNotFoundError");
    expect(isCofferError(new Error("x"))).toBe(false);
  });
});
