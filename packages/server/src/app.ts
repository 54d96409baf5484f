/**
 * The HTTP application: every /api/v1 route requires a bearer token; /health, /ready and the
 * OpenAPI document are public.
 */
import fastifySwagger from "@fastify/swagger";
import Fastify, { type FastifyServerOptions } from "fastify";
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from "fastify-type-provider-zod";
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
}

export const API_VERSION = "1.0.0";

export async function buildApp(options: AppOptions): Promise<CofferApp> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? 2 * 1024 * 1024,
    // Errors fastify answers before a route runs get the documented error body too.
    frameworkErrors,
    clientErrorHandler,
  }) as unknown as CofferApp;
  installJsonParser(app);
  installUrlCheck(app);
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

  app.decorateRequest("caller", undefined);
  app.addHook("onRequest", async (request) => {
    if ((request.routeOptions.config as { public?: boolean } | undefined)?.public) return;
    if (!request.routeOptions.url) return; // unknown route: the not-found handler answers
    const header = request.headers.authorization;
    const token = header?.startsWith("Bearer ") ? header.slice("Bearer ".length).trim() : undefined;
    (request as typeof request & { caller: Caller }).caller = await options.identity.authenticate(token);
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
