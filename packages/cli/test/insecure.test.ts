// coffer refuses to send the API token over plain http:// to a server that is not on this machine,
// unless told the network is trusted: --insecure (before or after the command word) or
// COFFER_INSECURE=1. The "server" is a bare listener on this machine's non-loopback interface
// address, which the client must treat as another machine; it counts the connections it gets, so
// a refusal is seen to come before any byte is sent.
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { networkInterfaces } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cofferAsync, cofferEnv, tempDir } from "./helpers.js";

const TOKEN = `coffer_aaaaaaaaaaaa_${"f".repeat(43)}`;
const interfaceAddress = Object.values(networkInterfaces())
  .flat()
  .find((each) => each && each.family === "IPv4" && !each.internal)?.address;

describe.skipIf(interfaceAddress === undefined)(`a token over plain http:// to ${interfaceAddress}`, () => {
  let listener: Server;
  let url: string;
  const received: string[] = [];

  beforeAll(async () => {
    // Each connection's request, answered with a 401 in Coffer's error shape.
    listener = createServer((socket) => {
      const index = received.push("") - 1;
      socket.setEncoding("utf8").on("data", (chunk: string) => {
        received[index] += chunk;
        if (received[index]!.includes("\r\n\r\n")) {
          const body = JSON.stringify({ error: { code: "UNAUTHENTICATED", message: "fake test server" } });
          socket.end(
            `HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`,
          );
        }
      });
    });
    await new Promise<void>((resolve) => listener.listen(0, interfaceAddress, resolve));
    url = `http://${interfaceAddress}:${(listener.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => listener.close(() => resolve())));

  const remoteEnv = (extra: Record<string, string> = {}) =>
    cofferEnv(tempDir(), { COFFER_URL: url, COFFER_TOKEN: TOKEN, ...extra });

  it("is refused with a configuration error (exit 6) naming the fix; nothing reaches the server", async () => {
    const before = received.length;
    const run = await cofferAsync(["secret", "list"], { env: remoteEnv() });
    expect(run.code).toBe(6);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(
      `Refusing to send the API token to ${url} over plain HTTP: anyone on the network path could read it.`,
    );
    expect(run.stderr).toMatch(/--insecure/);
    expect(run.stderr).toMatch(/COFFER_INSECURE=1/);
    expect(run.stderr).not.toContain(TOKEN);

    const json = await cofferAsync(["secret", "list", "--json"], { env: remoteEnv() });
    expect(json.code).toBe(6);
    const error = JSON.parse(json.stderr.trim().split("\n").at(-1)!) as { error: Record<string, unknown> };
    expect(error.error).toMatchObject({ code: "INVALID_CONFIG" });
    expect(error.error.message).toContain(`Refusing to send the API token to ${url} over plain HTTP`);
    expect(error.error.hint).toMatch(/--insecure/);

    // So does COFFER_INSECURE=0, and a COFFER_INSECURE that says neither is a configuration error.
    expect((await cofferAsync(["secret", "list"], { env: remoteEnv({ COFFER_INSECURE: "0" }) })).code).toBe(
      6,
    );
    const unclear = await cofferAsync(["secret", "list"], { env: remoteEnv({ COFFER_INSECURE: "maybe" }) });
    expect(unclear.code).toBe(6);
    expect(unclear.stderr).toContain("COFFER_INSECURE must be true or false");
    expect(received.length).toBe(before);
  });

  it.each([
    ["--insecure before the command", ["--insecure", "secret", "list"], {}],
    ["--insecure after it", ["secret", "list", "--insecure"], {}],
    ["COFFER_INSECURE=1", ["secret", "list"], { COFFER_INSECURE: "1" }],
  ])("is sent with %s (and warned about)", async (_label, args, extra) => {
    const before = received.length;
    const run = await cofferAsync(args, { env: remoteEnv(extra) });
    // The fake server's 401: the request went out, with the token.
    expect(run.stderr).toContain("fake test server");
    expect(run.stderr).toMatch(/over plain HTTP \(insecure allowed\)/);
    expect(received.length).toBe(before + 1);
    expect(received.at(-1)).toContain(`authorization: Bearer ${TOKEN}`);
  });

  it("coffer login refuses before asking for or sending the token, and saves nothing", async () => {
    const before = received.length;
    const home = tempDir();
    const run = await cofferAsync(["login", "--url", url, "--token", TOKEN], { env: cofferEnv(home) });
    expect(run.code).toBe(6);
    expect(run.stderr).toContain(`Refusing to send the API token to ${url} over plain HTTP`);
    expect(received.length).toBe(before);
    expect(existsSync(path.join(home, ".config", "coffer", "credentials.json"))).toBe(false);

    const insecure = await cofferAsync(["login", "--url", url, "--token", TOKEN, "--insecure"], {
      env: cofferEnv(home),
    });
    expect(insecure.stderr).toContain("fake test server");
    expect(received.length).toBe(before + 1);
  });

  it("lists --insecure in every command's help", async () => {
    const run = await cofferAsync(["secret", "get", "--help"], { env: cofferEnv(tempDir()) });
    expect(run.stdout).toMatch(/--insecure\s+send the API token over plain http:\/\//);
  });
});
