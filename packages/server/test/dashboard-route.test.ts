// /ui serves the web dashboard's built files (src/routes/dashboard.ts): without a token, with a
// strict Content-Security-Policy, and nothing outside the dashboard's directory.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DASHBOARD_CSP } from "../src/routes/dashboard.js";
import { call, startTestServer, type TestServer } from "./helpers.js";

/** A GET sent byte for byte as written (fetch would normalise `..` away before sending). */
function rawGet(url: string, target: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, path: target, method: "GET" }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => {
        body += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("the dashboard route", () => {
  let server: TestServer;
  const root = mkdtempSync(path.join(tmpdir(), "coffer-dashboard-route-"));
  const dir = path.join(root, "dist");
  beforeAll(async () => {
    mkdirSync(dir);
    writeFileSync(path.join(dir, "index.html"), "<!doctype html><title>fake dashboard</title>");
    writeFileSync(path.join(dir, "app.js"), "console.log('fake bundle');");
    writeFileSync(path.join(dir, "app.css"), "body{}");
    writeFileSync(path.join(dir, ".hidden.js"), "HIDDEN-FILE-CONTENT");
    // Beside the dashboard's directory: what a path traversal would try to reach.
    writeFileSync(path.join(root, "outside.js"), "OUTSIDE-THE-DASHBOARD");
    server = await startTestServer({ app: { dashboardDir: dir } });
  });
  afterAll(() => server?.close());

  it("serves index.html at /ui and /ui/ without a token", async () => {
    for (const route of ["/ui", "/ui/"]) {
      const page = await call(server, undefined, "GET", route);
      expect(page.status, route).toBe(200);
      expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(page.text).toContain("fake dashboard");
    }
  });

  it("serves the bundle's files with their types", async () => {
    const script = await call(server, undefined, "GET", "/ui/app.js");
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(script.text).toBe("console.log('fake bundle');");
    const style = await call(server, undefined, "GET", "/ui/app.css");
    expect(style.headers.get("content-type")).toBe("text/css; charset=utf-8");
  });

  it("sends a strict Content-Security-Policy: same-origin scripts only, nothing inline", async () => {
    for (const route of ["/ui", "/ui/", "/ui/app.js", "/ui/missing.js"]) {
      const reply = await call(server, undefined, "GET", route);
      const csp = reply.headers.get("content-security-policy");
      expect(csp, route).toBe(DASHBOARD_CSP);
      expect(reply.headers.get("cache-control")).toBe("no-store");
      expect(reply.headers.get("x-content-type-options")).toBe("nosniff");
    }
    const directives = new Map(
      DASHBOARD_CSP.split("; ").map((directive) => {
        const [name, ...sources] = directive.split(" ");
        return [name, sources];
      }),
    );
    expect(directives.get("default-src")).toEqual(["'none'"]);
    expect(directives.get("script-src")).toEqual(["'self'"]);
    expect(directives.get("frame-ancestors")).toEqual(["'none'"]);
    expect(DASHBOARD_CSP).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  });

  it("serves nothing outside the dashboard's directory, nor hidden files or unknown types", async () => {
    for (const target of [
      "/ui/../outside.js",
      "/ui/..%2Foutside.js",
      "/ui/%2E%2E%2Foutside.js",
      "/ui/..%5Coutside.js",
      "/ui/.hidden.js",
      "/ui/index.html%00.js",
      "/ui/app",
    ]) {
      const reply = await rawGet(server.url, target);
      expect(reply.body, target).not.toContain("OUTSIDE-THE-DASHBOARD");
      expect(reply.body, target).not.toContain("HIDDEN-FILE-CONTENT");
      expect([400, 404], target).toContain(reply.status);
    }
  });

  it("answers a missing file with the API's 404 body", async () => {
    const reply = await call(server, undefined, "GET", "/ui/nothing.js");
    expect(reply.status).toBe(404);
    expect(reply.body).toMatchObject({ error: { code: "NOT_FOUND", hint: "Open /ui/ for the dashboard." } });
  });
});

describe("the dashboard route without a built dashboard", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      app: { dashboardDir: path.join(tmpdir(), "coffer-no-dashboard-here") },
    });
  });
  afterAll(() => server?.close());

  it("says how to build it", async () => {
    const reply = await call(server, undefined, "GET", "/ui/");
    expect(reply.status).toBe(404);
    expect((reply.body as { error: { hint: string } }).error.hint).toMatch(/run \.\/dev build/);
  });
});
