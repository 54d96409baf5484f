/** /api/v1/me (registered with that prefix): whose token this is. An enrollment token may ask too. */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { callerOf } from "../access.js";
import { meSchema } from "../schemas.js";
import { errorReplies as errors } from "./responses.js";

export const meRoutes: FastifyPluginAsyncZod = async (api) => {
  api.get("", {
    config: { permission: "authenticated", enrollment: true },
    schema: {
      tags: ["identity"],
      summary: "Who the token belongs to",
      response: { 200: meSchema, ...errors },
    },
    handler: async (request) => {
      const who = callerOf(request);
      return {
        user: who.user,
        userId: who.userId,
        role: who.role,
        ...(who.enrollment ? { enrollment: true } : {}),
      };
    },
  });
};
