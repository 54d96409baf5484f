/**
 * /api/v1/me (registered with that prefix): whose token this is, and revoking it (`coffer logout`).
 * An enrollment token may do both: asking who it is, and giving itself up, harm no one.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { callerOf } from "../access.js";
import { meSchema } from "../schemas.js";
import type { AppContext } from "./context.js";
import { errorReplies as errors, noContent } from "./responses.js";

export const meRoutes: FastifyPluginAsyncZod<AppContext> = async (api, { identity }) => {
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
  api.delete("/token", {
    // The caller's own token, found by the token itself: logging out needs no token id (and an
    // enrollment token, which may not list tokens, can give itself up too).
    config: { permission: "authenticated", enrollment: true },
    schema: {
      tags: ["identity"],
      summary: "Revoke the token this request carries (log out)",
      response: { 204: noContent, ...errors },
    },
    handler: async (request, reply) => {
      const who = callerOf(request);
      await identity.revokeToken(who.tokenId, who);
      return reply.status(204).send(null);
    },
  });
};
