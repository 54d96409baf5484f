/** References, identity (users, tokens, me), health and operations endpoints. */
import { MirroredStore } from "@coffer/service";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Caller, TokenInfo, User } from "../identity.js";
import { can, requirePermission } from "../roles.js";
import {
  copyValuesBody,
  copyValuesSchema,
  createTokenBody,
  createUserBody,
  errorSchema,
  healthSchema,
  meSchema,
  problemsSchema,
  readinessSchema,
  reconcileSchema,
  referencesBody,
  resolvedSchema,
  rotateKeyBody,
  rotateKeySchema,
  setRoleBody,
  storeInfoSchema,
  tokenListSchema,
  tokenParams,
  tokenSchema,
  userListSchema,
  userParams,
  userSchema,
} from "../schemas.js";
import type { AppContext, CofferApp } from "./context.js";
import { caller } from "./secrets.js";

const noContent = z.null().describe("No content");
const errors = {
  400: errorSchema,
  401: errorSchema,
  403: errorSchema,
  404: errorSchema,
  409: errorSchema,
  503: errorSchema,
};

export function referenceRoutes(app: CofferApp, { service }: AppContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  api.post("/api/v1/references/validate", {
    schema: {
      tags: ["references"],
      summary: "Check the {{name.key}} references in a document (metadata only; no values read)",
      body: referencesBody,
      response: { 200: problemsSchema, ...errors },
    },
    handler: async (request) => {
      const who = caller(request);
      requirePermission(who, "read-metadata", "validate references");
      const session = service.as({ id: who.userId });
      return { problems: await session.validateReferences(request.body.document, request.body.level) };
    },
  });
  api.post("/api/v1/references/resolve", {
    schema: {
      tags: ["references"],
      summary: "Return the document with every reference replaced by its value",
      body: referencesBody,
      response: { 200: resolvedSchema, ...errors },
    },
    handler: async (request) => {
      const who = caller(request);
      requirePermission(who, "read-values", "resolve references");
      const session = service.as({ id: who.userId });
      return { document: await session.resolveReferences(request.body.document, request.body.level) };
    },
  });
}

export function identityRoutes(app: CofferApp, { identity }: AppContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const tags = ["identity"];

  api.get("/api/v1/me", {
    schema: { tags, summary: "Who the token belongs to", response: { 200: meSchema, ...errors } },
    handler: async (request) => {
      const who = caller(request);
      return {
        user: who.user,
        userId: who.userId,
        role: who.role,
        ...(who.enrollment ? { enrollment: true } : {}),
      };
    },
  });
  api.get("/api/v1/users", {
    schema: { tags, summary: "List users (admin)", response: { 200: userListSchema, ...errors } },
    handler: async (request) => {
      requirePermission(caller(request), "admin", "list users");
      return { users: (await identity.listUsers()).map(userJson) };
    },
  });
  api.post("/api/v1/users", {
    schema: {
      tags,
      summary: "Create a user (admin)",
      body: createUserBody,
      response: { 201: userSchema, ...errors },
    },
    handler: async (request, reply) => {
      requirePermission(caller(request), "admin", "create users");
      return reply
        .status(201)
        .send(userJson(await identity.createUser(request.body.name, request.body.role)));
    },
  });
  api.put("/api/v1/users/:name/role", {
    schema: {
      tags,
      summary: "Change a user's role (admin)",
      params: userParams,
      body: setRoleBody,
      response: { 200: userSchema, ...errors },
    },
    handler: async (request) => {
      requirePermission(caller(request), "admin", "change roles");
      return userJson(await identity.setRole(request.params.name, request.body.role));
    },
  });
  api.delete("/api/v1/users/:name", {
    schema: {
      tags,
      summary: "Delete a user and revoke their tokens (admin)",
      params: userParams,
      response: { 204: noContent, ...errors },
    },
    handler: async (request, reply) => {
      requirePermission(caller(request), "admin", "delete users");
      await identity.deleteUser(request.params.name);
      return reply.status(204).send(null);
    },
  });
  api.get("/api/v1/tokens", {
    schema: {
      tags,
      summary: "List tokens (your own; all of them for admins)",
      response: { 200: tokenListSchema, ...errors },
    },
    handler: async (request) => {
      const who = caller(request);
      const tokens = await identity.listTokens(can(who.role, "admin") ? undefined : who.userId);
      return { tokens: tokens.map(tokenJson) };
    },
  });
  api.post("/api/v1/tokens", {
    schema: {
      tags,
      summary:
        "Create your own token (the response is the only time it is shown); for another user, an admin gets an enrollment token",
      body: createTokenBody,
      response: { 201: tokenSchema, ...errors },
    },
    handler: async (request, reply) => {
      const who = caller(request);
      const issued = await identity.createTokenFor(who, request.body.user ?? who.user, {
        ...(request.body.description !== undefined ? { description: request.body.description } : {}),
        ...(request.body.expiresInDays !== undefined ? { expiresInDays: request.body.expiresInDays } : {}),
      });
      return reply.status(201).send({ ...tokenJson(issued), token: issued.token });
    },
  });
  api.delete("/api/v1/tokens/:id", {
    schema: { tags, summary: "Revoke a token", params: tokenParams, response: { 204: noContent, ...errors } },
    handler: async (request, reply) => {
      await identity.revokeToken(request.params.id, caller(request));
      return reply.status(204).send(null);
    },
  });
}

export function operationRoutes(app: CofferApp, { service }: AppContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  api.get("/health", {
    config: { public: true },
    schema: { tags: ["operations"], summary: "Liveness: the process is up" },
    handler: async () => ({ status: "ok" }),
  });
  api.get("/ready", {
    config: { public: true, optionalAuth: true },
    schema: {
      tags: ["operations"],
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
      const who = (request as typeof request & { caller?: Caller }).caller;
      if (who?.role !== "admin") {
        return reply.status(status).send({ status: health.status });
      }
      return reply.status(status).send({ ...health, store: { type: service.store.type, ...health.store } });
    },
  });
  api.get("/api/v1/store", {
    schema: {
      tags: ["operations"],
      summary: "Which backend, its capabilities and health",
      response: { 200: storeInfoSchema, ...errors },
    },
    handler: async (request) => {
      const who = caller(request);
      requirePermission(who, "read-metadata", "see the store");
      const store = service.store;
      const [health, rotating] = [await service.health(), service.keyRotatingStore()];
      const keys = rotating && can(who.role, "admin") ? await rotating.keyStatus() : undefined;
      return {
        deploymentId: service.deploymentId,
        status: health.status,
        store: {
          type: store.type,
          capabilities: { ...store.capabilities() },
          keyRotation: rotating !== undefined,
          health: health.store,
          ...(keys
            ? {
                keys: {
                  source: keys.source,
                  activeKeyId: keys.activeKeyId,
                  keyCount: keys.keys.length,
                  missing: keys.missing.length,
                },
              }
            : {}),
        },
        ...(store instanceof MirroredStore
          ? { backup: { type: store.backup.type, health: await store.backup.health() } }
          : {}),
        metadata: { status: health.metadata.status, latencyMs: health.metadata.latencyMs },
      };
    },
  });
  api.post("/api/v1/admin/rotate-key", {
    schema: {
      tags: ["operations"],
      summary: "Rotate the store's encryption key online (admin)",
      body: rotateKeyBody,
      response: { 200: rotateKeySchema, ...errors },
    },
    handler: async (request) => {
      requirePermission(caller(request), "admin", "rotate keys");
      return service.rotateKey(
        request.body.batchSize !== undefined ? { batchSize: request.body.batchSize } : {},
      );
    },
  });
  api.post("/api/v1/admin/copy-values", {
    schema: {
      tags: ["operations"],
      summary: "Copy every secret's values to the backup store, or back to the primary (admin)",
      body: copyValuesBody,
      response: { 200: copyValuesSchema, ...errors },
    },
    handler: async (request) => {
      requirePermission(caller(request), "admin", "copy values between stores");
      return service.copyAllValues(request.body.direction);
    },
  });
  api.post("/api/v1/admin/reconcile", {
    schema: {
      tags: ["operations"],
      summary: "Repair writes an outage left half-done (admin)",
      response: { 200: reconcileSchema, ...errors },
    },
    handler: async (request) => {
      requirePermission(caller(request), "admin", "run reconcile");
      return service.reconcile();
    },
  });
}

function userJson(user: User) {
  return { id: user.id, name: user.name, role: user.role, createdAt: user.createdAt.toISOString() };
}

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
