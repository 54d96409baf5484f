// A renewed certificate without a restart (issue 18, item 3): the built server, a real process,
// serves HTTPS from files generated here with openssl; SIGHUP makes it read them again. A
// connection kept alive across the reload keeps working on the certificate it negotiated, a new
// connection is handed the new one, and a bad new pair (a key that is not the certificate's, a
// file that is gone) is logged while the server keeps serving the previous pair — and lives.
import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent, request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TLSSocket } from "node:tls";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer } from "../src/index.js";

const BIN = fileURLToPath(new URL("../dist/bin.js", import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), "coffer-tls-reload-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A self-signed EC certificate for 127.0.0.1, and its key, written to `<name>.crt/.key`. */
function makeCertificate(name: string): { cert: string; key: string; fingerprint256: string } {
  const cert = path.join(dir, `${name}.crt`);
  const key = path.join(dir, `${name}.key`);
  execFileSync(
    "openssl",
    ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1"]
      .concat(["-subj", `/CN=coffer-test-${name}`, "-addext", "subjectAltName=IP:127.0.0.1"])
      .concat(["-keyout", key, "-out", cert]),
    { stdio: "ignore" },
  );
  const fingerprint256 = new X509Certificate(readFileSync(cert)).fingerprint256;
  return { cert, key, fingerprint256 };
}

interface Answer {
  status: number;
  fingerprint256: string;
  socket: TLSSocket;
  reused: boolean;
}

/** GET /api/v1/me through `agent`: the status, the server certificate seen, the socket used. */
function me(url: string, token: string, agent: Agent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpsRequest(
      `${url}/api/v1/me`,
      { agent, headers: { authorization: `Bearer ${token}` } },
      (response) => {
        const socket = response.socket as TLSSocket;
        response.resume();
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            fingerprint256: socket.getPeerCertificate().fingerprint256,
            socket,
            reused: request.reusedSocket,
          }),
        );
      },
    );
    request.on("error", reject);
    request.end();
  });
}

describe("TLS certificate reload on SIGHUP", () => {
  const first = makeCertificate("first");
  const second = makeCertificate("second");
  const third = makeCertificate("third");
  // The files the server is configured with; the test swaps their contents as a renewal would.
  const served = { cert: path.join(dir, "served.crt"), key: path.join(dir, "served.key") };
  const ca = [first, second, third].map((each) => readFileSync(each.cert));
  let server: ChildProcessWithoutNullStreams;
  let url: string;
  let token: string;
  const lines: string[] = [];
  let exited: number | null | undefined;

  /** The next `tls-reload` log line after `seen` lines, parsed. */
  async function nextReloadLine(seen: number): Promise<Record<string, unknown>> {
    const until = Date.now() + 10_000;
    while (Date.now() < until) {
      const line = lines.slice(seen).find((each) => each.includes('"tls-reload"'));
      if (line) return JSON.parse(line) as Record<string, unknown>;
      if (exited !== undefined) throw new Error(`the server died (exit ${exited}):\n${lines.join("\n")}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`no tls-reload log line; output:\n${lines.join("\n")}`);
  }

  async function hangUp(): Promise<Record<string, unknown>> {
    const seen = lines.length;
    server.kill("SIGHUP");
    return nextReloadLine(seen);
  }

  beforeAll(async () => {
    copyFileSync(first.cert, served.cert);
    copyFileSync(first.key, served.key);
    server = spawn(process.execPath, [BIN], {
      env: {
        PATH: process.env.PATH,
        HOME: dir,
        COFFER_DATA_DIR: path.join(dir, "data"),
        COFFER_LOG_LEVEL: "info",
        COFFER_SERVER_PORT: "0",
        COFFER_SERVER_TLS_CERT: served.cert,
        COFFER_SERVER_TLS_KEY: served.key,
      },
    });
    server.on("exit", (code) => {
      exited = code;
    });
    let pending = "";
    server.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      pending += chunk;
      const complete = pending.split("\n");
      pending = complete.pop()!;
      lines.push(...complete);
    });
    server.stderr.setEncoding("utf8").on("data", (chunk: string) => lines.push(chunk));
    const until = Date.now() + 30_000;
    while (!lines.some((line) => line.includes("listening on"))) {
      if (exited !== undefined || Date.now() > until)
        throw new Error(`server did not start:\n${lines.join("\n")}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    url = /listening on (https:\/\/\S+)/.exec(lines.join("\n"))![1]!;
    token = /^ {2}(coffer_\S+)$/m.exec(lines.join("\n"))![1]!;
  }, 40_000);

  afterAll(() => {
    server?.kill("SIGKILL");
  });

  it("keeps an open connection working and gives new connections the new certificate", async () => {
    const kept = new Agent({ keepAlive: true, maxSockets: 1, ca });
    try {
      const before = await me(url, token, kept);
      expect(before).toMatchObject({ status: 200, fingerprint256: first.fingerprint256 });

      copyFileSync(second.cert, served.cert);
      copyFileSync(second.key, served.key);
      const logged = await hangUp();
      expect(logged).toMatchObject({ outcome: "reloaded", fingerprint256: second.fingerprint256 });

      // The kept-alive connection: the same socket, still answered, on the session it negotiated.
      const after = await me(url, token, kept);
      expect(after.reused).toBe(true);
      expect(after.socket).toBe(before.socket);
      expect(after).toMatchObject({ status: 200, fingerprint256: first.fingerprint256 });

      // A new connection is handed the new certificate.
      const fresh = new Agent({ keepAlive: false, ca });
      const renewed = await me(url, token, fresh);
      expect(renewed).toMatchObject({ status: 200, fingerprint256: second.fingerprint256, reused: false });
      fresh.destroy();
    } finally {
      kept.destroy();
    }
  });

  it("a key that is not the certificate's is logged and the previous pair kept; the server lives", async () => {
    copyFileSync(third.cert, served.cert); // the new certificate, but the old key left in place
    const logged = await hangUp();
    expect(logged).toMatchObject({
      outcome: "kept-previous",
      variable: "COFFER_SERVER_TLS_KEY",
      reason: "key-mismatch",
      level: 50,
    });
    expect(String(logged.msg)).toMatch(/still serving the previous certificate/);
    // Neither key's text reaches the log.
    for (const key of [second.key, third.key])
      expect(lines.join("\n")).not.toContain(readFileSync(key, "utf8").split("\n")[1]!);
    expect(exited).toBeUndefined();
    const answer = await me(url, token, new Agent({ keepAlive: false, ca }));
    expect(answer).toMatchObject({ status: 200, fingerprint256: second.fingerprint256 });
  });

  it("a file that cannot be read is logged and the previous pair kept; a good pair then loads", async () => {
    rmSync(served.key);
    const logged = await hangUp();
    expect(logged).toMatchObject({
      outcome: "kept-previous",
      variable: "COFFER_SERVER_TLS_KEY",
      reason: "ENOENT",
    });
    expect(exited).toBeUndefined();
    expect(await me(url, token, new Agent({ keepAlive: false, ca }))).toMatchObject({
      status: 200,
      fingerprint256: second.fingerprint256,
    });

    copyFileSync(third.key, served.key); // the renewal completed: third's certificate and key
    expect(await hangUp()).toMatchObject({ outcome: "reloaded", fingerprint256: third.fingerprint256 });
    expect(await me(url, token, new Agent({ keepAlive: false, ca }))).toMatchObject({
      status: 200,
      fingerprint256: third.fingerprint256,
    });
  });
});

describe("TLS files at start", () => {
  it("refuses a key that is not the certificate's, with one clear line", async () => {
    const a = makeCertificate("start-a");
    const b = makeCertificate("start-b");
    await expect(
      startServer({
        env: {
          COFFER_DATA_DIR: path.join(dir, "start-data"),
          COFFER_LOG_LEVEL: "silent",
          COFFER_SERVER_TLS_CERT: a.cert,
          COFFER_SERVER_TLS_KEY: b.key,
        },
        settings: { port: 0 },
        log: false,
      }),
    ).rejects.toThrow(/COFFER_SERVER_TLS_KEY names .* which is not the certificate's private key/);
  });
});
