/**
 * /ui: the web dashboard's built files (packages/dashboard), served as they are. The dashboard is a
 * separate package that speaks only the public API; the server just hands out its files, without a
 * token (they hold no data: everything the page shows comes from /api/v1 with the user's token).
 *
 * The bundle's directory is flat (index.html, app.js, app.css), so a file name is one path segment
 * of safe characters: nothing else is looked up, and no `..` or `/` can reach the file system.
 * Every reply carries a strict Content-Security-Policy: scripts and styles from this origin only
 * (no inline script, no eval), API calls to this origin only, no frames, no plugins.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyPluginAsync, FastifyReply } from "fastify";

export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
};
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Where the built dashboard is: in this checkout, packages/dashboard/dist beside packages/server
 * (this file runs from packages/server/dist/routes). Deployments that put it elsewhere set
 * COFFER_SERVER_DASHBOARD_DIR.
 */
export function defaultDashboardDir(): string {
  return fileURLToPath(new URL("../../../dashboard/dist/", import.meta.url));
}

export interface DashboardRouteOptions {
  /** The directory with the built dashboard (index.html and its assets). */
  dir: string;
}

export const dashboardRoutes: FastifyPluginAsync<DashboardRouteOptions> = async (app, { dir }) => {
  const config = { permission: "public" as const };
  const schema = { hide: true };

  async function send(reply: FastifyReply, file: string): Promise<FastifyReply> {
    const type = TYPES[path.extname(file)];
    let body: Buffer | undefined;
    if (type && FILE_NAME.test(file) && !file.includes("..")) {
      body = await readFile(path.join(dir, file)).catch(() => undefined);
    }
    reply.header("content-security-policy", DASHBOARD_CSP);
    reply.header("referrer-policy", "no-referrer");
    if (!body) {
      return reply.status(404).send({
        error: {
          code: "NOT_FOUND",
          message: `The dashboard has no file ${JSON.stringify(file)}.`,
          hint:
            file === "index.html"
              ? `The dashboard is not built in ${dir}: run ./dev build, or set COFFER_SERVER_DASHBOARD_DIR.`
              : "Open /ui/ for the dashboard.",
        },
      });
    }
    return reply.type(type as string).send(body);
  }

  // index.html names its assets by absolute path (/ui/app.js), so /ui and /ui/ both serve it.
  app.get("/ui", { config, schema }, async (_request, reply) => send(reply, "index.html"));
  app.get("/ui/", { config, schema }, async (_request, reply) => send(reply, "index.html"));
  app.get<{ Params: { file: string } }>("/ui/:file", { config, schema }, async (request, reply) =>
    send(reply, request.params.file),
  );
};
