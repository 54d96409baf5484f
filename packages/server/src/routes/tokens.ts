/**
 * /api/v1/tokens (registered with that prefix): everyone lists, makes and revokes their own
 * tokens; admins see and revoke all of them and make enrollment tokens for new users. Those
 * rules depend on whose token it is, so identity.ts decides them, not the route's permission.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { callerOf } from "../access.js";
import type { TokenInfo } from "../identity.js";
import { can } from "../roles.js";
import { createTokenBody, tokenListSchema, tokenParams, tokenSchema } from "../schemas.js";
import type { AppContext } from "./context.js";
import { errorReplies as errors, noContent } from "./responses.js";

const tags = ["identity"];

export const tokenRoutes: FastifyPluginAsyncZod<AppContext> = async (api, { identity }) => {
  api.get("", {
    config: { permission: "authenticated" },
    schema: {
      tags,
      summary: "List tokens (your own; all of them for admins)",
      response: { 200: tokenListSchema, ...errors },
    },
    handler: async (request) => {
      const who = callerOf(request);
      const tokens = await identity.listTokens(can(who.role, "admin") ? undefined : who.userId);
      return { tokens: tokens.map(tokenJson) };
    },
  });
  api.post("", {
    // The one thing an enrollment token is for.
    config: { permission: "authenticated", enrollment: true },
    schema: {
      tags,
      summary:
        "Create your own token (the response is the only time it is shown); for another user, an admin gets an enrollment token",
      body: createTokenBody,
      response: { 201: tokenSchema, ...errors },
    },
    handler: async (request, reply) => {
      const who = callerOf(request);
      const issued = await identity.createTokenFor(who, request.body.user ?? who.user, {
        ...(request.body.description !== undefined ? { description: request.body.description } : {}),
        ...(request.body.expiresInDays !== undefined ? { expiresInDays: request.body.expiresInDays } : {}),
      });
      return reply.status(201).send({ ...tokenJson(issued), token: issued.token });
    },
  });
  api.delete("/:id", {
    config: { permission: "authenticated" },
    schema: { tags, summary: "Revoke a token", params: tokenParams, response: { 204: noContent, ...errors } },
    handler: async (request, reply) => {
      await identity.revokeToken(request.params.id, callerOf(request));
      return reply.status(204).send(null);
    },
  });
};

function tokenJson(token: TokenInfo) {
  return {
    id: token.id,
    user: token.user,
    userId: token.userId,
    kind: token.kind,
    description: token.description,
    createdBy: token.createdBy,
    createdById: token.createdById,
    createdAt: token.createdAt.toISOString(),
    expiresAt: token.expiresAt?.toISOString() ?? null,
    revoked: token.revoked,
  };
}
