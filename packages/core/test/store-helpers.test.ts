// probeHealth: a timed report that never throws, with the typed error's message (and, on request,
// its hint) and never an untyped error's own text.
import { describe, expect, it } from "vitest";
import { BackendUnavailableError, probeHealth } from "../src/index.js";

const down = () =>
  Promise.reject(new BackendUnavailableError("The backend is down.", { hint: "Retry later." }));

describe("probeHealth", () => {
  it("reports ready with the check's message and a latency", async () => {
    const report = await probeHealth(async () => "all fine", "could not be checked");
    expect(report).toMatchObject({ status: "ready", message: "all fine" });
    expect(report.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it("reports a typed error's code and message, and its hint too when asked", async () => {
    expect(await probeHealth(down, "could not be checked")).toMatchObject({
      status: "error",
      errorCode: "BACKEND_UNAVAILABLE",
      message: "The backend is down.",
    });
    expect(await probeHealth(down, "could not be checked", { withHint: true })).toMatchObject({
      status: "error",
      errorCode: "BACKEND_UNAVAILABLE",
      message: "The backend is down. Retry later.",
    });
  });

  it("reports an untyped error with the fallback message only (driver text can carry request data)", async () => {
    const report = await probeHealth(
      () => Promise.reject(new Error("request body: fake-password-1")),
      "could not be checked",
      { withHint: true },
    );
    expect(report).toEqual({
      status: "error",
      latencyMs: expect.any(Number),
      message: "could not be checked",
    });
  });
});
