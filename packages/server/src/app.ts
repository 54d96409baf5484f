/**
 * The HTTP application: the route groups (routes/), each under its prefix, behind one
 * authentication hook (authentication.ts) and one permission check (access.ts) — every route
 * declares in its config who may call it; /health, /ready, the OpenAPI document and the web
 * dashboard's files (/ui, routes/dashboard.ts) are public. Every reply says `Cache-Control:
 * no-store` (replies carry secret values and tokens; no cache or proxy should keep one) and
 * `X-Content-Type-Options: nosniff`.
 */

import fastifySwagger from "@fastify/swagger";
import Fastify, { type FastifyServerOptions } from "fastify";
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from "fastify-type-provider-zod";
import { installAccessControl } from "./access.js";
import { installAuditContext, installAuditRecording } from "./audit/hooks.js";
import { AuthLimiter } from "./auth-limiter.js";
import { installAuthentication } from "./authentication.js";
import { EventStreams } from "./events/event-streams.js";
import { clientErrorHandler, frameworkErrors, installErrorHandler } from "./http-errors.js";
import { installJsonParser } from "./input/json-body.js";
import { installUrlCheck } from "./input/url.js";
import { ServerMetrics } from "./metrics/registry.js";
import { installRequestMetrics, metricsRoute } from "./metrics/routes.js";
import { adminRoutes } from "./routes/admin.js";
import { auditRoutes } from "./routes/audit.js";
import { backupRoutes } from "./routes/backup.js";
import type { AppContext, CofferApp } from "./routes/context.js";
import { dashboardRoutes, defaultDashboardDir } from "./routes/dashboard.js";
import { eventRoutes } from "./routes/events.js";
import { meRoutes } from "./routes/me.js";
import { probeRoutes } from "./routes/probes.js";
import { referenceRoutes } from "./routes/references.js";
import { secretHistoryRoutes } from "./routes/secret-history.js";
import { secretRoutes } from "./routes/secrets.js";
import { storeInfoRoutes } from "./routes/store-info.js";
import { tokenRoutes } from "./routes/tokens.js";
import { userRoutes } from "./routes/users.js";
import { trackRequests } from "./shutdown.js";
import type { Tracing } from "./tracing/tracing.js";

export interface AppOptions extends AppContext {
  /** Fastify's logger option: false in tests, pino options in the server. */
  logger?: FastifyServerOptions["logger"];
  /** A pino logger to use instead (startServer shares one with the service, so all lines match). */
  loggerInstance?: FastifyServerOptions["loggerInstance"];
  /** Largest request body accepted, in bytes. */
  bodyLimit?: number;
  /** Largest archive the restore and diff endpoints read from a request, in bytes (default 1 GiB). */
  archiveLimitBytes?: number;
  /** Serve HTTPS with this certificate chain and key (PEM). */
  https?: { cert: string | Buffer; key: string | Buffer };
  /** Fastify's trustProxy: whose X-Forwarded-For to believe for the client address. */
  trustProxy?: boolean | string;
  /** Failed authentications allowed per client address and window (default 20 per minute; 0: no limit). */
  authFailureLimit?: number;
  authFailureWindowMs?: number;
  /** The built web dashboard served at /ui (default: packages/dashboard/dist in this checkout). */
  dashboardDir?: string;
  /**
   * Where the request metrics go (startServer passes the one its measured store also reports to);
   * by default a registry of this app's own.
   */
  metrics?: ServerMetrics;
  /** GET /metrics without a token (a scraper on a private network); by default auditor or admin. */
  metricsPublic?: boolean;
  /** OpenTelemetry tracing, when configured (startServer starts it; tracing/tracing.ts). */
  tracing?: Tracing;
  /** GET /api/v1/events: heartbeat interval and longest stream (routes/events.ts). */
  events?: { heartbeatMs?: number; maxStreamMs?: number };
}

export const API_VERSION = "1.0.0";
/** Where the versioned API lives; /health and /ready stay at the root for probes. */
const API = "/api/v1";

export async function buildApp(options: AppOptions): Promise<CofferApp> {
  const app = Fastify({
    ...(options.loggerInstance
      ? { loggerInstance: options.loggerInstance }
      : { logger: options.logger ?? false }),
    bodyLimit: options.bodyLimit ?? 2 * 1024 * 1024,
    ...(options.https ? { https: options.https } : {}),
    ...(options.trustProxy !== undefined ? { trustProxy: options.trustProxy } : {}),
    // Errors fastify answers before a route runs get the documented error body too.
    frameworkErrors,
    clientErrorHandler,
  }) as unknown as CofferApp;
  // First of the hooks: every request counts as in flight for a graceful shutdown (shutdown.ts).
  const endOfRequest = trackRequests(app);
  // Next, the request's span, so that every later hook and the handler run inside it.
  options.tracing?.installRequestSpans(app);
  installJsonParser(app);
  installUrlCheck(app);
  const limiter = new AuthLimiter({
    limit: options.authFailureLimit ?? 20,
    windowMs: options.authFailureWindowMs ?? 60_000,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app);

  await app.register(fastifySwagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Coffer",
        version: API_VERSION,
        description:
          "Coffer's REST API. Authenticate with `Authorization: Bearer <token>`. Errors are `{ error: { code, message, hint?, details? } }` and never contain secret values. The writes that answer with the secret (create, replace, change, rename, visibility, rollback) honour `Prefer: return=minimal` (RFC 7240): the reply is then the metadata only, without `values`, and says `Preference-Applied: return=minimal`.",
      },
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });

  app.addHook("onSend", async (_request, reply, payload) => {
    reply.header("cache-control", "no-store");
    reply.header("x-content-type-options", "nosniff");
    return payload;
  });

  const metrics = options.metrics ?? new ServerMetrics({ processMetrics: false });
  installRequestMetrics(app, metrics);
  metrics.watchAudit(options.service.audit);
  installAuditContext(app);
  installAuthentication(app, options.identity, limiter);
  installAccessControl(app);
  installAuditRecording(app, options.service.audit);
  // Last of the hooks: a request counts as in flight until the audit's onResponse work is done.
  endOfRequest();

  // Each group under its prefix; registered in this order, which is the OpenAPI document's order.
  const context: AppContext = { service: options.service, identity: options.identity };
  await app.register(secretRoutes, { ...context, prefix: `${API}/secrets` });
  await app.register(secretHistoryRoutes, { ...context, prefix: `${API}/secrets` });
  // Event streams never end by themselves: a shutdown ends them first (shutdown.ts).
  const streams = new EventStreams();
  app.addHook("preClose", async () => streams.endAll());
  await app.register(eventRoutes, { ...context, ...options.events, streams, prefix: `${API}/events` });
  await app.register(referenceRoutes, { ...context, prefix: `${API}/references` });
  await app.register(meRoutes, { ...context, prefix: `${API}/me` });
  await app.register(userRoutes, { ...context, prefix: `${API}/users` });
  await app.register(tokenRoutes, { ...context, prefix: `${API}/tokens` });
  await app.register(probeRoutes, context);
  await app.register(storeInfoRoutes, { ...context, prefix: `${API}/store` });
  await app.register(adminRoutes, { ...context, prefix: `${API}/admin` });
  await app.register(auditRoutes, { ...context, prefix: `${API}/audit` });
  await app.register(backupRoutes, {
    ...context,
    ...(options.archiveLimitBytes !== undefined ? { archiveLimitBytes: options.archiveLimitBytes } : {}),
    prefix: `${API}/admin`,
  });
  await app.register(dashboardRoutes, { dir: options.dashboardDir ?? defaultDashboardDir() });
  metricsRoute(app, metrics, options.metricsPublic ?? false);
  app.get(`${API}/openapi.json`, { config: { permission: "public" }, schema: { hide: true } }, async () =>
    app.swagger(),
  );
  await app.ready();
  return app;
}
