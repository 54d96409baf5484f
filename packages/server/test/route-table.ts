/**
 * The routes a running fastify app serves, read from fastify itself, so that a test can hold a
 * hand-written list (the access matrix) against what the server really registers.
 *
 * Fastify has no public "list the routes" call once an app is ready (an onRoute hook must be in
 * place before the routes are added, and buildApp adds them itself). `printRoutes({ commonPrefix:
 * false })` is public and prints one node per route path as a tree; each parsed route is then
 * confirmed with `hasRoute`, so a change in the printed format fails loudly instead of silently
 * listing fewer routes.
 *
 * Each route's declared access (who may call it, from its config; see src/access.ts) is read from
 * the table the server keeps as it registers the routes, `app.routeAccess`.
 */
import type { FastifyInstance } from "fastify";
import type { RouteAccess } from "../src/access.js";

export interface RegisteredRoute {
  method: string;
  /** The path as registered, with `:param` placeholders: `/api/v1/secrets/:id`. */
  url: string;
}

// "│   ├── /by-name (GET, HEAD, PUT)": indentation in steps of four, then the node.
const LINE = /^((?:│ {3}| {4})*)[├└]── (\S+)(?: \(([A-Z, ]+)\))?$/;

export function registeredRoutes(app: FastifyInstance): RegisteredRoute[] {
  const printed = app.printRoutes({ commonPrefix: false });
  const pathAt: string[] = [];
  const routes: RegisteredRoute[] = [];
  for (const line of printed.split("\n")) {
    if (line.trim() === "") continue;
    const match = LINE.exec(line);
    if (!match)
      throw new Error(`printRoutes printed a line this parser does not know: ${JSON.stringify(line)}`);
    const depth = match[1]!.length / 4;
    if (depth > pathAt.length) throw new Error(`printRoutes skipped a level before ${JSON.stringify(line)}`);
    const url = (depth === 0 ? "" : pathAt[depth - 1]!) + match[2]!;
    pathAt.length = depth;
    pathAt.push(url);
    for (const method of match[3]?.split(", ") ?? []) {
      if (!app.hasRoute({ method: method as "GET", url })) {
        throw new Error(`parsed ${method} ${url} from printRoutes, but fastify has no such route`);
      }
      routes.push({ method, url });
    }
  }
  if (routes.length === 0) throw new Error(`no routes parsed from printRoutes:\n${printed}`);
  return routes;
}

export interface DeclaredRoute extends RegisteredRoute {
  access: RouteAccess;
}

/** Every registered route with the access it declares; throws for a route that declares none. */
export function declaredRoutes(app: FastifyInstance): DeclaredRoute[] {
  return registeredRoutes(app).map((route) => {
    const access = app.routeAccess.get(`${route.method} ${route.url}`);
    if (!access) throw new Error(`${route.method} ${route.url} declares no access`);
    return { ...route, access };
  });
}

/**
 * The routes a client calls on purpose: fastify adds a HEAD twin to every GET (exposeHeadRoutes),
 * which runs the GET's handler; those are left out here and tried beside their GET.
 */
export function routeKeys(routes: RegisteredRoute[]): string[] {
  const gets = new Set(routes.filter((route) => route.method === "GET").map((route) => route.url));
  return routes
    .filter((route) => !(route.method === "HEAD" && gets.has(route.url)))
    .map((route) => `${route.method} ${route.url}`)
    .sort();
}

/** `GET /api/v1/secrets/{id}` in OpenAPI is `GET /api/v1/secrets/:id` in fastify. */
export function openApiRouteKeys(document: { paths: Record<string, Record<string, unknown>> }): string[] {
  return Object.entries(document.paths)
    .flatMap(([path, operations]) =>
      Object.keys(operations).map(
        (method) => `${method.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ":$1")}`,
      ),
    )
    .sort();
}
