/**
 * Who may call which route, declared once per route and checked in one place.
 *
 * Every route says in its config who may call it: `permission: "public"` (no token),
 * `"authenticated"` (any valid token; the handler may decide more, e.g. "your own tokens"), or a
 * permission from roles.ts with the `action` its refusal names (`permission: "write", action:
 * "create secrets"`). Registering a route without a declaration throws, so the server does not
 * start (and every test fails) until the route says who may call it.
 *
 * The permission is checked in a preHandler hook: after the token (onRequest, authentication.ts)
 * and after the request was parsed and validated, so the order of refusals is 401, then 400, then
 * 403, then whatever the handler decides.
 *
 * The declarations are also kept in `app.routeAccess` (route key → access), which the access
 * matrix test reads so that the permission it expects comes from the server itself.
 */
import type { FastifyInstance, RouteOptions } from "fastify";
import type { Caller } from "./identity.js";
import { type Permission, requirePermission } from "./roles.js";

export type RoutePermission = "public" | "authenticated" | Permission;

const PERMISSIONS: readonly string[] = [
  "public",
  "authenticated",
  "read-metadata",
  "read-values",
  "write",
  "admin",
  "read-audit",
];

/** A route's declared access, as checked at registration. */
export interface RouteAccess {
  permission: RoutePermission;
  /** For a role permission: what the 403 says the caller may not do. */
  action?: string;
  /** A public route that still reads a token when one is sent (/ready shows admins more). */
  optionalAuth?: boolean;
  /** An enrollment token may call the route (it may only ask who it is and make its own token). */
  enrollment?: boolean;
}

declare module "fastify" {
  interface FastifyContextConfig {
    /** Who may call the route (required on every route; see access.ts). */
    permission?: RoutePermission;
    /** For a role permission: what the refusal says the caller may not do ("create secrets"). */
    action?: string;
    /** A public route that authenticates a token when one is sent; a bad one is ignored. */
    optionalAuth?: boolean;
    /** An enrollment token may call this route. */
    enrollment?: boolean;
  }
  interface FastifyRequest {
    /** The token's holder, set by authentication.ts; undefined only on public routes. */
    caller: Caller | undefined;
  }
  interface FastifyInstance {
    /** Every registered route's declared access, by `METHOD /path/:param`. */
    routeAccess: ReadonlyMap<string, RouteAccess>;
  }
}

/**
 * Makes every route declare its access (checked as it is registered) and checks the declared
 * permission before each handler. Call before any route is registered.
 */
export function installAccessControl(app: FastifyInstance): void {
  const table = new Map<string, RouteAccess>();
  app.decorate("routeAccess", table);
  app.addHook("onRoute", (route) => {
    const access = declaredAccess(route);
    for (const method of [route.method].flat()) table.set(`${method} ${route.url}`, access);
  });
  app.addHook("preHandler", async (request) => {
    if (!request.routeOptions.url) return; // unknown route: the not-found handler answers
    const { permission, action } = request.routeOptions.config;
    if (permission === "public" || permission === "authenticated") return;
    requirePermission(callerOf(request), permission as Permission, action ?? "do this");
  });
}

/** The caller of a route that needs a token. */
export function callerOf(request: { caller: Caller | undefined }): Caller {
  if (!request.caller) throw new Error("route is missing authentication");
  return request.caller;
}

function declaredAccess(route: RouteOptions): RouteAccess {
  const where = `${[route.method].flat().join(",")} ${route.url}`;
  const config = route.config ?? {};
  const { permission, action, optionalAuth, enrollment } = config;
  if (permission === undefined || !PERMISSIONS.includes(permission)) {
    throw new Error(
      `Route ${where} declares no valid permission (config.permission: ${JSON.stringify(permission)}); ` +
        `declare one of ${PERMISSIONS.join(", ")}.`,
    );
  }
  const rolePermission = permission !== "public" && permission !== "authenticated";
  if (rolePermission !== (typeof action === "string" && action !== "")) {
    throw new Error(`Route ${where}: config.action is required with a role permission, and only then.`);
  }
  if (optionalAuth && permission !== "public")
    throw new Error(`Route ${where}: optionalAuth is for public routes.`);
  if (enrollment && permission !== "authenticated") {
    throw new Error(`Route ${where}: enrollment tokens may only be let into "authenticated" routes.`);
  }
  return {
    permission,
    ...(action !== undefined ? { action } : {}),
    ...(optionalAuth ? { optionalAuth } : {}),
    ...(enrollment ? { enrollment } : {}),
  };
}
