/**
 * /api/v1/secrets (registered with that prefix): the SecretsService over HTTP. Check-and-set uses
 * the version as the ETag: `If-Match: "3"` on a write applies it only at version 3 (412 otherwise);
 * `If-None-Match: *` on `PUT /secrets/by-name` only creates. Each route declares its permission
 * in its config (access.ts checks it).
 */
import type { SecretRef } from "@coffer/core";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { callerOf } from "../access.js";
import { can } from "../roles.js";
import {
  byNameQuery,
  createSecretBody,
  getByIdQuery,
  idParams,
  listQuery,
  pageSchema,
  patchSecretBody,
  putByNameBody,
  putByNameQuery,
  renameBody,
  replaceSecretBody,
  secretSchema,
  visibilityBody,
} from "../schemas.js";
import type { AppContext } from "./context.js";
import { preferHeaders } from "./prefer.js";
import { secretErrorReplies as errors, noContent } from "./responses.js";
import { ownerNames, secretJson, sendSecret, sendWrittenSecret } from "./secret-replies.js";
import { byName, expectedVersionFrom, toListQuery, writeOptions } from "./secret-requests.js";

const tags = ["secrets"];

export const secretRoutes: FastifyPluginAsyncZod<AppContext> = async (api, { service, identity }) => {
  // The service knows users by their immutable id only (see identity.ts).
  const as = (request: FastifyRequest) => service.as({ id: callerOf(request).userId });

  api.post("", {
    config: { permission: "write", action: "create secrets" },
    schema: {
      tags,
      summary: "Create a secret",
      body: createSecretBody,
      headers: preferHeaders,
      response: { 201: secretSchema, ...errors },
    },
    handler: async (request, reply) => {
      const secret = await as(request).create(request.body);
      return sendWrittenSecret(
        identity,
        request,
        reply.status(201),
        secret.metadata(),
        callerOf(request),
        secret,
      );
    },
  });

  api.get("", {
    config: { permission: "read-metadata", action: "list secrets" },
    schema: {
      tags,
      summary: "List secrets (metadata only, never values)",
      querystring: listQuery,
      response: { 200: pageSchema, ...errors },
    },
    handler: async (request) => {
      const who = callerOf(request);
      const query = toListQuery(request.query);
      // The owner filter names a user; the service stores ids. A name no user has now (or an id
      // given as is) is passed through and matches only what it literally names.
      if (query.owner !== undefined) query.owner = (await identity.idOf(query.owner)) ?? query.owner;
      const page = await as(request).list(query);
      const names = await ownerNames(identity, who, page.items);
      return {
        items: page.items.map((metadata) => secretJson(metadata, names)),
        ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
      };
    },
  });

  api.get("/by-name", {
    config: { permission: "read-metadata", action: "read secrets" },
    schema: {
      tags,
      summary: "Get a secret by name (the caller's private one first, then the public one)",
      querystring: byNameQuery,
      response: { 200: secretSchema, ...errors },
    },
    handler: async (request, reply) =>
      readSecret(request, reply, byName(request.query), request.query.values !== false),
  });

  api.put("/by-name", {
    config: { permission: "write", action: "write secrets" },
    schema: {
      tags,
      summary:
        "Create or replace the secret of this name (If-None-Match: * only creates; If-Match only replaces that version); 201 when it created",
      querystring: putByNameQuery,
      body: putByNameBody,
      headers: preferHeaders,
      response: { 200: secretSchema, 201: secretSchema, ...errors },
    },
    handler: async (request, reply) => {
      const expectedVersion = request.headers["if-none-match"] === "*" ? 0 : expectedVersionFrom(request);
      const metadata = await as(request).put(request.query.name, request.body.values, {
        ...(request.query.private !== undefined ? { private: request.query.private } : {}),
        ...(expectedVersion !== undefined ? { expectedVersion } : {}),
      });
      // A put that created the secret wrote its first version: 201, as POST /secrets answers.
      return sendWrittenSecret(
        identity,
        request,
        reply.status(metadata.version === 1 ? 201 : 200),
        metadata,
        callerOf(request),
      );
    },
  });

  api.get("/:id", {
    config: { permission: "read-metadata", action: "read secrets" },
    schema: {
      tags,
      summary: "Get a secret by id",
      params: idParams,
      querystring: getByIdQuery,
      response: { 200: secretSchema, ...errors },
    },
    handler: async (request, reply) =>
      readSecret(request, reply, { id: request.params.id }, request.query.values !== false),
  });

  api.put("/:id", {
    config: { permission: "write", action: "update secrets" },
    schema: {
      tags,
      summary: "Replace a secret's values",
      params: idParams,
      body: replaceSecretBody,
      headers: preferHeaders,
      response: { 200: secretSchema, ...errors },
    },
    handler: async (request, reply) => {
      const { values, ...rest } = request.body;
      const metadata = await as(request).update(
        { id: request.params.id },
        { values, mode: "replace", ...rest },
        writeOptions(request),
      );
      return sendWrittenSecret(identity, request, reply, metadata, callerOf(request));
    },
  });

  api.patch("/:id", {
    config: { permission: "write", action: "update secrets" },
    schema: {
      tags,
      summary: "Change some values (null removes a key), the name or the visibility",
      params: idParams,
      body: patchSecretBody,
      headers: preferHeaders,
      response: { 200: secretSchema, ...errors },
    },
    handler: async (request, reply) => {
      const metadata = await as(request).update(
        { id: request.params.id },
        request.body,
        writeOptions(request),
      );
      return sendWrittenSecret(identity, request, reply, metadata, callerOf(request));
    },
  });

  api.post("/:id/rename", {
    config: { permission: "write", action: "rename secrets" },
    schema: {
      tags,
      summary: "Rename a secret",
      params: idParams,
      body: renameBody,
      headers: preferHeaders,
      response: { 200: secretSchema, ...errors },
    },
    handler: async (request, reply) => {
      const metadata = await as(request).rename(
        { id: request.params.id },
        request.body.name,
        writeOptions(request),
      );
      return sendWrittenSecret(identity, request, reply, metadata, callerOf(request));
    },
  });

  api.post("/:id/visibility", {
    config: { permission: "write", action: "change visibility" },
    schema: {
      tags,
      summary: "Make a secret private or public (owner only)",
      params: idParams,
      body: visibilityBody,
      headers: preferHeaders,
      response: { 200: secretSchema, ...errors },
    },
    handler: async (request, reply) => {
      const metadata = await as(request).setVisibility(
        { id: request.params.id },
        request.body.private,
        writeOptions(request),
      );
      return sendWrittenSecret(identity, request, reply, metadata, callerOf(request));
    },
  });

  api.delete("/:id", {
    config: { permission: "write", action: "delete secrets" },
    schema: { tags, summary: "Delete a secret", params: idParams, response: { 204: noContent, ...errors } },
    handler: async (request, reply) => {
      await as(request).delete({ id: request.params.id }, writeOptions(request));
      return reply.status(204).send(null);
    },
  });

  /** Values go out only to callers who may read them: value-readers and up, and the owner. */
  async function readSecret(
    request: FastifyRequest,
    reply: FastifyReply,
    ref: SecretRef,
    withValues: boolean,
  ) {
    const who = callerOf(request);
    const session = service.as({ id: who.userId });
    if (!withValues) return sendSecret(identity, reply, await session.getMetadata(ref), who);
    if (can(who.role, "read-values")) {
      const secret = await session.get(ref);
      return sendSecret(identity, reply, secret.metadata(), who, secret);
    }
    const metadata = await session.getMetadata(ref);
    if (metadata.owner === who.userId) {
      const secret = await session.get({ id: metadata.id });
      return sendSecret(identity, reply, secret.metadata(), who, secret);
    }
    return sendSecret(identity, reply, metadata, who);
  }
};
