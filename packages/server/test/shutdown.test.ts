// Graceful shutdown of the real server process (dist/bin.js): on SIGTERM or SIGINT it stops
// accepting connections, lets the requests in flight answer, then closes the store — within
// COFFER_SERVER_SHUTDOWN_GRACE_MS, after which what is left is cut and the process still exits.
// The memory store's simulated latency (COFFER_STORE_LATENCY_MS) keeps requests in flight.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { AuditEvent } from "@coffer/audit";
import { afterEach, describe, expect, it } from "vitest";
import { startServer } from "../src/start.js";

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../dist/bin.js");

interface ServerProcess {
  child: ChildProcess;
  url: string;
  token: string;
  /** Resolves with the exit code and the time of the exit. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  stderr(): string;
}

const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});

async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const dir = mkdtempSync(path.join(tmpdir(), "coffer-shutdown-"));
  const child = spawn(process.execPath, [BIN], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: dir,
      COFFER_DATA_DIR: dir,
      COFFER_STORE_TYPE: "memory",
      COFFER_SERVER_PORT: "0",
      COFFER_LOG_LEVEL: "silent",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  started.push(child);
  let stdout = "";
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  const ready = await new Promise<{ url: string; token: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${stdout}${stderr}`)), 20_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const url = /listening on (\S+)/.exec(stdout)?.[1];
      const token = /^ {2}(coffer_\S+)$/m.exec(stdout)?.[1];
      if (url && token) {
        clearTimeout(timer);
        resolve({ url, token });
      }
    });
    void exited.then(() => reject(new Error(`server exited: ${stdout}${stderr}`)));
  });
  return { child, ...ready, exited, stderr: () => stderr };
}

/** One request on its own connection (no keep-alive), so each one is a new connection. */
function send(
  url: string,
  token: string,
  method: string,
  route: string,
  body?: unknown,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}${route}`,
      {
        method,
        agent: false,
        headers: {
          authorization: `Bearer ${token}`,
          connection: "close",
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
      },
      (res) => {
        let text = "";
        res.on("data", (chunk: Buffer) => {
          text += chunk.toString();
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `promise`, or a failure naming `what` when it takes longer than `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    sleep(ms).then(() => {
      throw new Error(`${what} took longer than ${ms} ms`);
    }),
  ]);
}

/** Resolves with the time a new connection is first refused (ECONNREFUSED). */
async function refusedConnection(server: ServerProcess): Promise<number> {
  for (;;) {
    try {
      await send(server.url, server.token, "GET", "/health");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ECONNREFUSED") return Date.now();
      // Accepted at the moment the signal arrived, before its request was read: such a connection
      // is idle, and closing idle connections is part of the shutdown. Try again.
      if (code !== "ECONNRESET") throw error;
    }
    await sleep(20);
  }
}

describe.each(["SIGTERM", "SIGINT"] as const)("on %s the server", (signal) => {
  it("answers every request in flight, refuses new connections, then exits 0", async () => {
    const server = await startServerProcess({
      COFFER_STORE_LATENCY_MS: "1200",
      COFFER_SERVER_SHUTDOWN_GRACE_MS: "10000",
    });
    // 10 secrets; then 10 reads and 10 writes, each on its own connection, each held ≥1.2 s in
    // the store (a write also records its new version in the metadata database afterwards).
    const ids = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        const created = await send(server.url, server.token, "POST", "/api/v1/secrets", {
          name: `shutdown-demo-${i}`,
          values: { password: `fake-password-${i}` },
        });
        expect(created.status, created.text).toBe(201);
        return (JSON.parse(created.text) as { id: string }).id;
      }),
    );
    const reads = ids.map((id) => send(server.url, server.token, "GET", `/api/v1/secrets/${id}`));
    const writes = ids.map((id) =>
      send(server.url, server.token, "PATCH", `/api/v1/secrets/${id}`, { values: { rotated: "fake-new" } }),
    );
    let firstAnswerAt = Number.POSITIVE_INFINITY;
    for (const each of [...reads, ...writes]) {
      each.then(
        () => {
          firstAnswerAt = Math.min(firstAnswerAt, Date.now());
        },
        () => undefined, // checked below
      );
    }
    await sleep(500);
    const signalledAt = Date.now();
    server.child.kill(signal);
    // New connections are refused from the signal on, while the requests above are still running
    // (a probe that got in before the listening socket closed is answered or reset; try again).
    const refusedAt = await within(refusedConnection(server), 3_000, "refusing new connections");
    expect(refusedAt).toBeLessThan(firstAnswerAt);

    const readAnswers = await Promise.all(reads);
    readAnswers.forEach((answer, i) => {
      expect(answer.status, answer.text).toBe(200);
      expect(JSON.parse(answer.text)).toMatchObject({ values: { password: `fake-password-${i}` } });
    });
    for (const answer of await Promise.all(writes)) {
      expect(answer.status, answer.text).toBe(200);
      expect(JSON.parse(answer.text)).toMatchObject({ version: 2 });
    }
    const exit = await within(server.exited, 10_000, "the exit");
    expect(exit, server.stderr()).toMatchObject({ code: 0, signal: null });
    expect(exit.at - signalledAt).toBeLessThan(10_000);
    expect(server.stderr()).toBe("");
  }, 30_000);
});

describe("a request that outlives COFFER_SERVER_SHUTDOWN_GRACE_MS", () => {
  it("is cut when the grace period ends, and the process still exits 0", async () => {
    const server = await startServerProcess({
      COFFER_STORE_LATENCY_MS: "0",
      COFFER_SERVER_SHUTDOWN_GRACE_MS: "500",
    });
    const created = await send(server.url, server.token, "POST", "/api/v1/secrets", {
      name: "shutdown-slow",
      values: { password: "fake-password-2" },
    });
    expect(created.status).toBe(201);
    const { id } = JSON.parse(created.text) as { id: string };
    // A request that never finishes on its own: a body announced but never sent.
    const stuck = new Promise<string>((resolve) => {
      const req = request(`${server.url}/api/v1/secrets/${id}`, {
        method: "PATCH",
        agent: false,
        headers: {
          authorization: `Bearer ${server.token}`,
          "content-type": "application/json",
          "content-length": "1000",
        },
      });
      req.on("response", (res) => resolve(`answered ${res.statusCode}`));
      req.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      req.write("{");
    });
    await sleep(200);
    const signalledAt = Date.now();
    server.child.kill("SIGTERM");
    const exit = await within(server.exited, 5_000, "the exit");
    expect(exit, server.stderr()).toMatchObject({ code: 0, signal: null });
    const took = exit.at - signalledAt;
    expect(took).toBeGreaterThanOrEqual(450);
    expect(took).toBeLessThan(3_000);
    expect(await stuck).toBe("ECONNRESET");
  }, 30_000);
});

describe("work a request does after its reply (the audit log's outcome record)", () => {
  it("is finished before the store and the database close", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "coffer-shutdown-"));
    const running = await startServer({
      env: {
        HOME: dataDir,
        COFFER_DATA_DIR: dataDir,
        COFFER_STORE_TYPE: "memory",
        COFFER_LOG_LEVEL: "silent",
      },
      settings: { port: 0 },
      log: false,
    });
    // Each audit write takes 300 ms more: the outcome record, written after the reply is sent, is
    // still on its way when close() is called.
    const trail = running.service.audit!;
    const record = trail.record.bind(trail);
    const written: string[] = [];
    trail.record = async (event: AuditEvent) => {
      await sleep(300);
      try {
        const result = await record(event);
        written.push(`${event.action} ${event.outcome}`);
        return result;
      } catch (error) {
        written.push(`${event.action} ${event.outcome}: ${(error as Error).message}`);
        throw error;
      }
    };
    const reply = await fetch(`${running.url}/api/v1/tokens`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${running.bootstrapToken!.token}`,
        "content-type": "application/json",
      },
      body: JSON.stringify({ description: "made just before a shutdown" }),
    });
    expect(reply.status).toBe(201);
    await running.close();
    expect(written).toEqual(["token.create started", "token.create ok"]);
  });
});
