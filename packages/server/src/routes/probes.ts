/** /health and /ready: liveness and readiness for load balancers and orchestrators, without a token. */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { healthSchema, readinessSchema } from "../schemas.js";
import type { AppContext } from "./context.js";

const tags = ["operations"];

export const probeRoutes: FastifyPluginAsyncZod<AppContext> = async (api, { service }) => {
  api.get("/health", {
    config: { permission: "public" },
    schema: { tags, summary: "Liveness: the process is up" },
    handler: async () => ({ status: "ok" }),
  });
  api.get("/ready", {
    config: { permission: "public", optionalAuth: true },
    schema: {
      tags,
      summary:
        "Readiness: metadata database and store both answer. Without an admin token only the status; with one, the details",
      response: {
        200: z.union([healthSchema, readinessSchema]),
        503: z.union([healthSchema, readinessSchema]),
      },
    },
    handler: async (request, reply) => {
      const health = await service.health();
      const status = health.status === "ready" ? 200 : 503;
      // The details name the database user and host, the data directory and the keyring path:
      // for admins only. Anyone else (a load balancer, a probe) gets the status.
      if (request.caller?.role !== "admin") {
        return reply.status(status).send({ status: health.status });
      }
      return reply.status(status).send({ ...health, store: { type: service.store.type, ...health.store } });
    },
  });
};
