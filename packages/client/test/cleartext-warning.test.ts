// The client warns, once per server, when it is about to send a token over plain HTTP to another
// machine. The requests here go nowhere (".invalid" never resolves; port 1 on loopback refuses):
// the warning is about what the client sends, not about what answers.
import { BackendUnavailableError, type Logger } from "@coffer/core";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createClient } from "../src/index.js";

const TOKEN = `coffer_aaaaaaaaaaaa_${"f".repeat(43)}`;

function capture(): { logger: Logger; warnings: string[] } {
  const warnings: string[] = [];
  const ignore = () => undefined;
  return {
    warnings,
    logger: { debug: ignore, info: ignore, error: ignore, warn: (message) => warnings.push(message) },
  };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("plain-HTTP token warning", () => {
  it("warns once when a token goes over http:// to a non-loopback host", async () => {
    const { logger, warnings } = capture();
    const client = createClient({ url: "http://coffer-warning-test.invalid:8700", token: TOKEN, logger });
    await expect(client.admin().whoAmI()).rejects.toBeInstanceOf(BackendUnavailableError);
    await expect(client.listSecrets()).rejects.toBeInstanceOf(BackendUnavailableError);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/over plain HTTP/);
    expect(warnings[0]).toContain("http://coffer-warning-test.invalid:8700");
    expect(warnings[0]).not.toContain(TOKEN);
  });

  it("writes to standard error when no logger is given", async () => {
    const writes: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
    const client = createClient({ url: "http://coffer-stderr-test.invalid", token: TOKEN });
    await expect(client.listSecrets()).rejects.toBeInstanceOf(BackendUnavailableError);
    await expect(client.listSecrets()).rejects.toBeInstanceOf(BackendUnavailableError);
    expect(writes.filter((line) => line.includes("over plain HTTP"))).toHaveLength(1);
  });

  it.each([
    "http://127.0.0.1:1",
    "http://localhost:1",
    "http://[::1]:1",
    "https://coffer-https-test.invalid",
  ])("does not warn for %s", async (url) => {
    const { logger, warnings } = capture();
    const client = createClient({ url, token: TOKEN, logger });
    await expect(client.listSecrets()).rejects.toBeInstanceOf(BackendUnavailableError);
    expect(warnings).toEqual([]);
  });
});
