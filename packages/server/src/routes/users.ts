/** /api/v1/users (registered with that prefix): managing users, for admins. */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { User } from "../identity.js";
import { createUserBody, setRoleBody, userListSchema, userParams, userSchema } from "../schemas.js";
import type { AppContext } from "./context.js";
import { errorReplies as errors, noContent } from "./responses.js";

const tags = ["identity"];

export const userRoutes: FastifyPluginAsyncZod<AppContext> = async (api, { identity }) => {
  api.get("", {
    config: { permission: "admin", action: "list users" },
    schema: { tags, summary: "List users (admin)", response: { 200: userListSchema, ...errors } },
    handler: async () => ({ users: (await identity.listUsers()).map(userJson) }),
  });
  api.post("", {
    config: { permission: "admin", action: "create users" },
    schema: {
      tags,
      summary: "Create a user (admin)",
      body: createUserBody,
      response: { 201: userSchema, ...errors },
    },
    handler: async (request, reply) =>
      reply.status(201).send(userJson(await identity.createUser(request.body.name, request.body.role))),
  });
  api.put("/:name/role", {
    config: { permission: "admin", action: "change roles" },
    schema: {
      tags,
      summary: "Change a user's role (admin)",
      params: userParams,
      body: setRoleBody,
      response: { 200: userSchema, ...errors },
    },
    handler: async (request) => userJson(await identity.setRole(request.params.name, request.body.role)),
  });
  api.delete("/:name", {
    config: { permission: "admin", action: "delete users" },
    schema: {
      tags,
      summary: "Delete a user and revoke their tokens (admin)",
      params: userParams,
      response: { 204: noContent, ...errors },
    },
    handler: async (request, reply) => {
      await identity.deleteUser(request.params.name);
      return reply.status(204).send(null);
    },
  });
};

function userJson(user: User) {
  return { id: user.id, name: user.name, role: user.role, createdAt: user.createdAt.toISOString() };
}
