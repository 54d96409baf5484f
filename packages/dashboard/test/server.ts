/**
 * A real Coffer server for the browser tests, started the way `coffer server start` starts it
 * (startServer, configuration from COFFER_* variables): metadata in SQLite in a fresh directory or
 * in a PostgreSQL database, values in the embedded sql store, on 127.0.0.1 and a free port,
 * serving the built dashboard at /ui. Users and tokens are made through the public API only.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type RunningServer, startServer } from "@coffer/server";

export const DASHBOARD_DIST = fileURLToPath(new URL("../dist/", import.meta.url));

export interface DashboardServer {
  url: string;
  adminToken: string;
  running: RunningServer;
  close(): Promise<void>;
}

export async function startDashboardServer(databaseUrl?: string): Promise<DashboardServer> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "coffer-dashboard-e2e-"));
  const running = await startServer({
    env: {
      COFFER_DATA_DIR: dataDir,
      COFFER_LOG_LEVEL: "silent",
      ...(databaseUrl ? { COFFER_DATABASE_URL: databaseUrl } : {}),
    },
    settings: { host: "127.0.0.1", port: 0, dashboardDir: DASHBOARD_DIST, authFailureLimit: 0 },
    log: false,
  });
  const adminToken = running.bootstrapToken?.token;
  if (!adminToken) throw new Error("the server made no bootstrap token");
  return { url: running.url, adminToken, running, close: () => running.close() };
}

export async function api<T = unknown>(
  server: DashboardServer,
  token: string,
  method: string,
  route: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${server.url}/api/v1${route}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** A user with `role` and their own working token, made as a person would: user, enrollment, token. */
export async function makeUser(server: DashboardServer, name: string, role: string): Promise<string> {
  const created = await api(server, server.adminToken, "POST", "/users", { name, role });
  if (created.status !== 201)
    throw new Error(`POST /users: ${created.status} ${JSON.stringify(created.body)}`);
  const enrollment = await api<{ token: string }>(server, server.adminToken, "POST", "/tokens", {
    user: name,
    description: "e2e enrollment",
  });
  const own = await api<{ token: string }>(server, enrollment.body.token, "POST", "/tokens", {
    description: "e2e",
  });
  if (!own.body.token) throw new Error(`no token for ${name}: ${JSON.stringify(own.body)}`);
  return own.body.token;
}
