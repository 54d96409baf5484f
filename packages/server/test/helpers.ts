import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { silentLogger } from "@coffer/core";
import { createService } from "@coffer/service";
import { openDatabase } from "@coffer/sql";
import { MemoryStore } from "@coffer/store-memory";
import type { FastifyInstance } from "fastify";
import {
  type AppOptions,
  buildApp,
  type IdentityOptions,
  IdentityStore,
  type Role,
  type RunningServer,
} from "../src/index.js";

export interface TestServer {
  url: string;
  adminToken: string;
  identity: IdentityStore;
  /** Creates a user with `role` and returns a token for them. */
  user(name: string, role: Role): Promise<string>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  /** App options (rate limits, HTTPS…). The failed-authentication limit is off unless given. */
  app?: Partial<Omit<AppOptions, "service" | "identity">>;
  identity?: IdentityOptions;
  /** An existing SQLite database file to serve (default: a new one). */
  databaseFile?: string;
}

/** A real server on 127.0.0.1 over a fresh SQLite metadata database and a memory store. */
export async function startTestServer(
  options: TestServerOptions = {},
): Promise<TestServer & { app: FastifyInstance }> {
  const dir = mkdtempSync(path.join(tmpdir(), "coffer-server-"));
  const databaseUrl = `sqlite://${options.databaseFile ?? path.join(dir, "coffer.db")}`;
  const service = await createService({
    databaseUrl,
    dataDir: dir,
    store: () => new MemoryStore({ maxValueBytes: 4096 }),
    logger: silentLogger,
  });
  const database = openDatabase(databaseUrl);
  const identity = await IdentityStore.open(database, options.identity);
  const bootstrap = await identity.bootstrap("admin");
  const app = await buildApp({ service, identity, authFailureLimit: 0, ...options.app });
  const address = await app.listen({ host: "127.0.0.1", port: 0 });
  return {
    url: address,
    app,
    adminToken: bootstrap?.token ?? "",
    identity,
    async user(name, role) {
      await identity.createUser(name, role);
      return (await identity.issueToken(name)).token;
    },
    async close() {
      await app.close();
      await service.close();
      await database.close();
    },
  };
}

/** A server started with startServer (the real configuration path), seen as a TestServer. */
export function asTestServer(running: RunningServer): TestServer {
  if (!running.bootstrapToken)
    throw new Error("the server did not bootstrap an admin (not a fresh database?)");
  const { identity } = running;
  return {
    url: running.url,
    adminToken: running.bootstrapToken.token,
    identity,
    async user(name, role) {
      await identity.createUser(name, role);
      return (await identity.issueToken(name)).token;
    },
    close: () => running.close(),
  };
}

export async function call(
  server: TestServer,
  token: string | undefined,
  method: string,
  route: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: unknown; text: string; headers: Headers }> {
  return callRaw(
    server,
    token,
    method,
    route,
    body === undefined ? undefined : JSON.stringify(body),
    headers,
  );
}

/** `call` with the body as bytes, exactly as sent (malformed JSON, invalid UTF-8…). */
export async function callRaw(
  server: TestServer,
  token: string | undefined,
  method: string,
  route: string,
  body: string | Buffer | undefined,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: unknown; text: string; headers: Headers }> {
  const response = await fetch(`${server.url}${route}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body } : {}),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  return { status: response.status, body: parsed, text, headers: response.headers };
}
