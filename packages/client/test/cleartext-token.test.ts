// The client refuses to send a token over plain http:// to anything but this machine, unless told
// the network is trusted (insecure: true, COFFER_INSECURE=1) — and then it warns, once per server.
// The refusal is decided from the URL alone and raised before a connection is opened: the
// end-to-end test listens on this machine's non-loopback interface address (a host the client
// must treat as another machine) and counts the connections it gets.
import { createServer, type Server, type Socket } from "node:net";
import { networkInterfaces } from "node:os";
import { BackendUnavailableError, InvalidConfigError, type Logger, UnauthenticatedError } from "@coffer/core";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { cleartextRefusal } from "../src/cleartext-token.js";
import { CleartextTokenError, createClient, insecureFromEnv, isLoopbackHost } from "../src/index.js";

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

describe("which URLs may carry a token in clear text", () => {
  it.each([
    "http://127.0.0.1:8700",
    "http://127.255.255.254",
    "http://127.1", // the URL parser makes it 127.0.0.1
    "http://[::1]:8700",
    "http://[::ffff:127.0.0.1]", // IPv4-mapped loopback
    "http://localhost:8700",
    "http://LOCALHOST",
    "https://coffer.example.com",
    "https://192.0.2.10:8700",
  ])("allows %s", (text) => {
    expect(cleartextRefusal(new URL(text), false)).toBeUndefined();
  });

  it.each([
    "http://192.0.2.10:8700",
    "http://10.0.0.1",
    "http://128.0.0.1",
    "http://0.0.0.0:8700",
    "http://[::2]",
    "http://[fd00::2]",
    "http://[::ffff:192.0.2.10]",
    "http://coffer.example.com",
    "http://app.localhost", // a name, and names other than localhost are not trusted to be loopback
    "http://localhost.example.com",
  ])("refuses %s, unless insecure", (text) => {
    const url = new URL(text);
    const refusal = cleartextRefusal(url, false);
    expect(refusal).toBeInstanceOf(CleartextTokenError);
    expect(refusal).toBeInstanceOf(InvalidConfigError);
    expect(refusal!.message).toBe(
      `Refusing to send the API token to ${url.origin} over plain HTTP: anyone on the network path could read it.`,
    );
    expect(refusal!.hint).toMatch(/--insecure.*insecure: true.*COFFER_INSECURE=1/);
    expect(refusal!.details).toMatchObject({ variable: "COFFER_URL", reason: "cleartext-token" });
    expect(cleartextRefusal(url, true)).toBeUndefined();
  });

  it("isLoopbackHost takes a URL's hostname, brackets and all", () => {
    expect(isLoopbackHost("[::1]")).toBe(true);
    expect(isLoopbackHost("::1")).toBe(true);
    expect(isLoopbackHost("127.0.0.1")).toBe(true);
    expect(isLoopbackHost("192.0.2.10")).toBe(false);
  });

  it("reads COFFER_INSECURE as a boolean, and refuses anything else", () => {
    for (const text of ["1", "true", "YES", " on "])
      expect(insecureFromEnv({ COFFER_INSECURE: text })).toBe(true);
    for (const text of [undefined, "", "0", "false", "no", "off"])
      expect(insecureFromEnv({ COFFER_INSECURE: text })).toBe(false);
    expect(() => insecureFromEnv({ COFFER_INSECURE: "maybe" })).toThrow(
      /COFFER_INSECURE must be true or false/,
    );
  });
});

/** This machine's first non-loopback IPv4 address: another machine, as far as the client can tell. */
const interfaceAddress = Object.values(networkInterfaces())
  .flat()
  .find((each) => each && each.family === "IPv4" && !each.internal)?.address;

describe.skipIf(interfaceAddress === undefined)(`over a real socket on ${interfaceAddress}`, () => {
  let listener: Server;
  let url: string;
  const connections: { socket: Socket; received: string }[] = [];

  beforeAll(async () => {
    // Answers every request with a 401 in Coffer's error shape, and keeps what each connection sent.
    listener = createServer((socket) => {
      const connection = { socket, received: "" };
      connections.push(connection);
      socket.setEncoding("utf8").on("data", (chunk: string) => {
        connection.received += chunk;
        if (connection.received.includes("\r\n\r\n")) {
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

  /** Waits long enough for a connection the client might have opened to be accepted. */
  const settle = () => new Promise((resolve) => setTimeout(resolve, 200));

  it("refuses before opening a connection: the listener gets nothing", async () => {
    const before = connections.length;
    const { logger, warnings } = capture();
    const client = createClient({ url, token: TOKEN, logger, env: {} });
    const error = await client.listSecrets().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CleartextTokenError);
    expect((error as CleartextTokenError).message).toContain(`to ${url} over plain HTTP`);
    expect(JSON.stringify(error)).not.toContain(TOKEN);
    await expect(client.admin().whoAmI()).rejects.toBeInstanceOf(CleartextTokenError);
    await settle();
    expect(connections.length).toBe(before);
    expect(warnings).toEqual([]);
  });

  it("COFFER_INSECURE=0 refuses too; an unreadable COFFER_INSECURE is a configuration error", async () => {
    const before = connections.length;
    await expect(
      createClient({ env: { COFFER_URL: url, COFFER_TOKEN: TOKEN, COFFER_INSECURE: "0" } }).listSecrets(),
    ).rejects.toBeInstanceOf(CleartextTokenError);
    await expect(
      createClient({ env: { COFFER_URL: url, COFFER_TOKEN: TOKEN, COFFER_INSECURE: "maybe" } }).listSecrets(),
    ).rejects.toThrow(/COFFER_INSECURE must be true or false/);
    await settle();
    expect(connections.length).toBe(before);
  });

  it.each([
    ["insecure: true", { insecure: true }],
    ["COFFER_INSECURE=1", { env: { COFFER_URL: "", COFFER_TOKEN: "", COFFER_INSECURE: "1" } }],
  ])("with %s the token is sent (and warned about once)", async (_label, extra) => {
    const before = connections.length;
    const { logger, warnings } = capture();
    const env = "env" in extra ? { ...extra.env, COFFER_URL: url, COFFER_TOKEN: TOKEN } : {};
    const client = createClient({
      logger,
      env,
      ...("insecure" in extra ? { url, token: TOKEN, insecure: true } : {}),
    });
    await expect(client.admin().whoAmI()).rejects.toBeInstanceOf(UnauthenticatedError);
    expect(connections.length).toBe(before + 1);
    expect(connections.at(-1)!.received).toContain(`authorization: Bearer ${TOKEN}`);
    // Warned once per origin and process (the first of these two tests warns, the second not again).
    expect(warnings.length).toBeLessThanOrEqual(1);
    for (const warning of warnings) {
      expect(warning).toMatch(/over plain HTTP \(insecure allowed\)/);
      expect(warning).not.toContain(TOKEN);
    }
  });
});

describe("plain-HTTP token warning, when insecure is allowed", () => {
  // ".invalid" never resolves: the requests go nowhere, the warning is about what would be sent.
  it("warns once when a token goes over http:// to a non-loopback host", async () => {
    const { logger, warnings } = capture();
    const client = createClient({
      url: "http://coffer-warning-test.invalid:8700",
      token: TOKEN,
      logger,
      insecure: true,
    });
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
    const client = createClient({ url: "http://coffer-stderr-test.invalid", token: TOKEN, insecure: true });
    await expect(client.listSecrets()).rejects.toBeInstanceOf(BackendUnavailableError);
    await expect(client.listSecrets()).rejects.toBeInstanceOf(BackendUnavailableError);
    expect(writes.filter((line) => line.includes("over plain HTTP"))).toHaveLength(1);
  });

  it.each([
    "http://127.0.0.1:1",
    "http://localhost:1",
    "http://[::1]:1",
    "https://coffer-https-test.invalid",
  ])("does not warn (or refuse) for %s", async (url) => {
    const { logger, warnings } = capture();
    const client = createClient({ url, token: TOKEN, logger });
    await expect(client.listSecrets()).rejects.toBeInstanceOf(BackendUnavailableError);
    expect(warnings).toEqual([]);
  });
});
