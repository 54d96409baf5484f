// Every route declares who may call it (src/access.ts): the server refuses to start with a route
// that does not, and what each route declares is what its refusals enforce.
import Fastify, { type FastifyInstance, type RouteShorthandOptions } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installAccessControl } from "../src/access.js";
import { installErrorHandler } from "../src/http-errors.js";
import { call, startTestServer, type TestServer } from "./helpers.js";
import { declaredRoutes, registeredRoutes, routeKeys } from "./route-table.js";

describe("the server's routes", () => {
  let server: TestServer & { app: FastifyInstance };
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  it("each declares a permission, HEAD twins included", () => {
    const routes = registeredRoutes(server.app);
    expect(routes.length).toBeGreaterThan(20);
    const declared = declaredRoutes(server.app);
    expect(declared.map((route) => `${route.method} ${route.url}`)).toEqual(
      routes.map((route) => `${route.method} ${route.url}`),
    );
    expect(routeKeys(routes).length).toBe(new Set(routeKeys(routes)).size);
  });

  it("the refusal of a role permission names the declared action", async () => {
    const reader = await server.user("route-access-reader", "reader");
    const reply = await call(
      server,
      reader,
      "DELETE",
      "/api/v1/secrets/00000000-0000-4000-8000-000000000000",
    );
    expect(reply.status).toBe(403);
    expect((reply.body as { error: { message: string } }).error.message).toBe(
      "User 'route-access-reader' (role reader) may not delete secrets.",
    );
  });
});

describe("a route without a declared permission", () => {
  async function appWith(options: RouteShorthandOptions): Promise<FastifyInstance> {
    const app = Fastify();
    installErrorHandler(app);
    installAccessControl(app);
    app.decorateRequest("caller", undefined);
    app.get("/probe", options, async () => ({ ok: true }));
    await app.ready();
    return app;
  }

  it("stops the app from starting", async () => {
    await expect(appWith({})).rejects.toThrow(/GET \/probe declares no valid permission/);
    await expect(appWith({ config: { permission: "wite" as "write" } })).rejects.toThrow(
      /declares no valid permission/,
    );
  });

  it("is refused when a declaration is incomplete or contradicts itself", async () => {
    await expect(appWith({ config: { permission: "write" } })).rejects.toThrow(/config.action is required/);
    await expect(appWith({ config: { permission: "public", action: "read" } })).rejects.toThrow(
      /config.action is required with a role permission, and only then/,
    );
    await expect(appWith({ config: { permission: "authenticated", optionalAuth: true } })).rejects.toThrow(
      /optionalAuth is for public routes/,
    );
    await expect(appWith({ config: { permission: "admin", action: "x", enrollment: true } })).rejects.toThrow(
      /enrollment tokens may only/,
    );
  });

  it("once declared, starts, and the declaration is in the route access table (HEAD twin too)", async () => {
    const app = await appWith({ config: { permission: "admin", action: "probe" } });
    expect(app.routeAccess.get("GET /probe")).toEqual({ permission: "admin", action: "probe" });
    expect(app.routeAccess.get("HEAD /probe")).toEqual({ permission: "admin", action: "probe" });
    await app.close();
  });
});
