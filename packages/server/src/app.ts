/**
 * The HTTP application: every /api/v1 route requires a bearer token; /health, /ready and the
 * OpenAPI document are public. Every reply says `Cache-Control: no-store` (replies carry secret
 * values and tokens; no cache or proxy should keep one) and `X-Content-Type-Options: nosniff`.
 */

import { PermissionDeniedError, UnauthenticatedError } from "@coffer/core";
import fastifySwagger from "@fastify/swagger";
import Fastify, { type FastifyServerOptions } from "fastify";
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from "fastify-type-provider-zod";
import { AuthLimiter } from "./auth-limiter.js";
import { bearerToken } from "./bearer.js";
import { clientErrorHandler, frameworkErrors, installErrorHandler } from "./http-errors.js";
import type { Caller } from "./identity.js";
import { installJsonParser } from "./input/json-body.js";
import { installUrlCheck } from "./input/url.js";
import type { AppContext, CofferApp } from "./routes/context.js";
import { identityRoutes, operationRoutes, referenceRoutes } from "./routes/other.js";
import { secretRoutes } from "./routes/secrets.js";

export interface AppOptions extends AppContext {
  /** Fastify's logger option: false in tests, pino options in the server. */
  logger?: FastifyServerOptions["logger"];
  /** Largest request body accepted, in bytes. */
  bodyLimit?: number;
  /** Serve HTTPS with this certificate chain and key (PEM). */
  https?: { cert: string | Buffer; key: string | Buffer };
  /** Fastify's trustProxy: whose X-Forwarded-For to believe for the client address. */
  trustProxy?: boolean | string;
  /** Failed authentications allowed per client address and window (default 20 per minute; 0: no limit). */
  authFailureLimit?: number;
  authFailureWindowMs?: number;
}

/** What an enrollment token may do: ask whose it is, and make its user's own token. */
const ENROLLMENT_ROUTES = new Set(["GET /api/v1/me", "POST /api/v1/tokens"]);

export const API_VERSION = "1.0.0";

export async function buildApp(options: AppOptions): Promise<CofferApp> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? 2 * 1024 * 1024,
    ...(options.https ? { https: options.https } : {}),
    ...(options.trustProxy !== undefined ? { trustProxy: options.trustProxy } : {}),
    // Errors fastify answers before a route runs get the documented error body too.
    frameworkErrors,
    clientErrorHandler,
  }) as unknown as CofferApp;
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
          "Coffer's REST API. Authenticate with `Authorization: Bearer <token>`. Errors are `{ error: { code, message, hint?, details? } }` and never contain secret values.",
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

  app.decorateRequest("caller", undefined);
  app.addHook("onRequest", async (request, reply) => {
    const config = request.routeOptions.config as { public?: boolean; optionalAuth?: boolean } | undefined;
    if (!request.routeOptions.url) return; // unknown route: the not-found handler answers
    const token = bearerToken(request.headers.authorization);
    // Public routes need no token; one that takes an optional token (/ready) still counts guesses.
    if (config?.public && !(config.optionalAuth && token !== undefined)) return;
    const wait = limiter.retryAfterSeconds(request.ip);
    if (wait > 0) {
      return reply
        .status(429)
        .header("retry-after", String(wait))
        .send({
          error: {
            code: "RATE_LIMITED",
            message: "Too many failed authentications from this address.",
            hint: `Wait ${wait} s before trying again, with a valid token.`,
            details: { retryAfterSeconds: wait },
            retryable: true,
          },
        });
    }
    let who: Caller;
    try {
      who = await options.identity.authenticate(token);
    } catch (error) {
      // A wrong token is a guess; a missing one is not.
      if (error instanceof UnauthenticatedError && token !== undefined) limiter.recordFailure(request.ip);
      if (config?.optionalAuth) return; // answered as for an anonymous caller
      throw error;
    }
    if (who.enrollment && !ENROLLMENT_ROUTES.has(`${request.method} ${request.routeOptions.url}`)) {
      if (config?.optionalAuth) return;
      throw new PermissionDeniedError("An enrollment token can only make its user's own token.", {
        hint: "Run `coffer token create` with it (or POST /api/v1/tokens), then use the token that makes.",
        details: { user: who.user },
      });
    }
    (request as typeof request & { caller: Caller }).caller = who;
  });

  secretRoutes(app, options);
  referenceRoutes(app, options);
  identityRoutes(app, options);
  operationRoutes(app, options);
  app.get("/api/v1/openapi.json", { config: { public: true }, schema: { hide: true } }, async () =>
    app.swagger(),
  );
  await app.ready();
  return app;
}
