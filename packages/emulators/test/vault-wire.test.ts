import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { VaultEmulator } from "../src/vault/index.js";
import { apiFailure, connectOutcome, startWithClient, type VaultClient } from "./vault-helpers.js";

let emulator: VaultEmulator;
let vault: VaultClient;

beforeAll(async () => {
  ({ emulator, vault } = await startWithClient({ rootToken: "not-a-real-root-token" }));
});
afterAll(() => emulator.stop());
beforeEach(() => emulator.reset());

/** A raw keep-alive HTTP/1.1 connection, to send exact bytes and read whole responses. */
async function rawConnection(port: number) {
  const socket: Socket = connect(port, "127.0.0.1");
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  let buffered = "";
  const waiters: (() => void)[] = [];
  socket.setEncoding("latin1");
  socket.on("data", (chunk: string) => {
    buffered += chunk;
    for (const wake of waiters.splice(0)) wake();
  });
  /** Resolves with the next complete response (status line + headers + content-length body). */
  async function nextResponse(): Promise<{ status: number; body: string }> {
    for (;;) {
      const headerEnd = buffered.indexOf("\r\n\r\n");
      if (headerEnd >= 0) {
        const head = buffered.slice(0, headerEnd);
        const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (buffered.length >= headerEnd + 4 + length) {
          const body = buffered.slice(headerEnd + 4, headerEnd + 4 + length);
          buffered = buffered.slice(headerEnd + 4 + length);
          return { status: Number(head.split(" ")[1]), body };
        }
      }
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  }
  return { socket, nextResponse };
}

const headers = (extra = "") =>
  `Host: 127.0.0.1\r\nX-Vault-Token: not-a-real-root-token\r\nConnection: keep-alive\r\n${extra}\r\n`;

describe("LIST over the TCP shim", () => {
  it("a LIST request line split across TCP packets is still recognised", async () => {
    await vault.write("secret/data/split/one", { data: { a: "1" } });
    const { socket, nextResponse } = await rawConnection(emulator.port);
    try {
      socket.write("LI");
      await new Promise((resolve) => setTimeout(resolve, 20));
      socket.write("ST /v1/secret/metadata/spl");
      await new Promise((resolve) => setTimeout(resolve, 20));
      socket.write(`it HTTP/1.1\r\n${headers()}`);
      const response = await nextResponse();
      expect(response.status).toBe(200);
      expect(JSON.parse(response.body).data).toEqual({ keys: ["one"] });
    } finally {
      socket.destroy();
    }
  });

  it("on one connection, LIST works after a 204, after a body-carrying POST, and after another LIST", async () => {
    const { socket, nextResponse } = await rawConnection(emulator.port);
    try {
      const body = JSON.stringify({ data: { a: "1" } });
      socket.write(
        `POST /v1/secret/data/seq/a HTTP/1.1\r\n${headers(`Content-Type: application/json\r\nContent-Length: ${body.length}\r\n`)}${body}`,
      );
      expect((await nextResponse()).status).toBe(200);
      socket.write(`DELETE /v1/secret/data/seq/a HTTP/1.1\r\n${headers()}`);
      expect((await nextResponse()).status).toBe(204);
      for (let i = 0; i < 3; i++) {
        socket.write(`LIST /v1/secret/metadata/seq HTTP/1.1\r\n${headers()}`);
        const listed = await nextResponse();
        expect(listed.status).toBe(200);
        expect(JSON.parse(listed.body).data.keys).toEqual(["a"]);
      }
    } finally {
      socket.destroy();
    }
  });

  it("a bad token on LIST is still 403 permission denied (the rewrite happens before authentication)", async () => {
    const { socket, nextResponse } = await rawConnection(emulator.port);
    try {
      socket.write("LIST /v1/secret/metadata/ HTTP/1.1\r\nHost: x\r\nX-Vault-Token: wrong\r\n\r\n");
      const response = await nextResponse();
      expect(response.status).toBe(403);
      expect(JSON.parse(response.body)).toEqual({ errors: ["permission denied"] });
    } finally {
      socket.destroy();
    }
  });
});

describe("fault injection", () => {
  it("failNext(2) answers 503 Vault is sealed twice (sys/health then reports sealed), then serves again", async () => {
    await vault.write("secret/data/f", { data: { a: "1" } });
    emulator.failNext(2);
    const sealed = await apiFailure(() => vault.read("secret/data/f"));
    expect(sealed.response).toEqual({ statusCode: 503, body: { errors: ["Vault is sealed"] } });
    const health = await fetch(`${emulator.url}/v1/sys/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ sealed: true, initialized: true });
    expect((await vault.read("secret/data/f")).data.data).toEqual({ a: "1" });
  });

  it("failNext(1, 'internal') is a 500 and failNext(1, 'rate-limited') a 429; nothing is written", async () => {
    emulator.failNext(1, "internal");
    emulator.failNext(1, "rate-limited");
    expect(
      (await apiFailure(() => vault.write("secret/data/g", { data: { a: "1" } }))).response.statusCode,
    ).toBe(500);
    expect(
      (await apiFailure(() => vault.write("secret/data/g", { data: { a: "1" } }))).response.statusCode,
    ).toBe(429);
    expect((await apiFailure(() => vault.read("secret/data/g"))).response.statusCode).toBe(404);
  });
});

describe("suspend, resume and reset", () => {
  it("while suspended connections are refused; after resume the same port serves the same data and tokens", async () => {
    await vault.write("secret/data/kept", { data: { a: "kept" } });
    const token = emulator.createToken({ ttl: "1h" });
    const port = emulator.port;
    await emulator.suspend();
    try {
      expect(await connectOutcome(port)).toBe("ECONNREFUSED");
      await expect(vault.read("secret/data/kept")).rejects.toThrow(/ECONNREFUSED|ECONNRESET|socket hang up/);
    } finally {
      await emulator.resume();
    }
    expect(emulator.port).toBe(port);
    expect((await vault.read("secret/data/kept")).data.data).toEqual({ a: "kept" });
    const lookup = await fetch(`${emulator.url}/v1/auth/token/lookup-self`, {
      headers: { "x-vault-token": token },
    });
    expect(lookup.status).toBe(200);
  });

  it("reset forgets data and issued tokens but keeps the root token", async () => {
    await vault.write("secret/data/r", { data: { a: "1" } });
    const token = emulator.createToken();
    emulator.reset();
    expect((await apiFailure(() => vault.read("secret/data/r"))).response.statusCode).toBe(404);
    const lookup = await fetch(`${emulator.url}/v1/auth/token/lookup-self`, {
      headers: { "x-vault-token": token },
    });
    expect(lookup.status).toBe(403);
  });
});
