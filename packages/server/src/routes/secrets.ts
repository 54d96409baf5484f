/**
 * /api/v1/secrets: the SecretsService over HTTP. Check-and-set uses the version as the ETag:
 * `If-Match: "3"` on a write applies it only at version 3 (412 otherwise); `If-None-Match: *` on
 * `PUT /secrets/by-name` only creates.
 */
import {
  type ListQuery,
  metadataToJson,
  type Secret,
  type SecretMetadata,
  type SecretRef,
  ValidationError,
} from "@coffer/core";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Caller, IdentityStore } from "../identity.js";
import { can, requirePermission } from "../roles.js";
import {
  byNameQuery,
  createSecretBody,
  errorSchema,
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
import type { AppContext, CofferApp } from "./context.js";

const noContent = z.null().describe("No content");
const errors = {
  400: errorSchema,
  401: errorSchema,
  403: errorSchema,
  404: errorSchema,
  409: errorSchema,
  412: errorSchema,
  413: errorSchema,
  503: errorSchema,
};
const tags = ["secrets"];

export function secretRoutes(app: CofferApp, { service, identity }: AppContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  // The service knows users by their immutable id only (see identity.ts).
  const as = (request: FastifyRequest) => service.as({ id: caller(request).userId });
  const sendSecret = (reply: FastifyReply, metadata: SecretMetadata, who: Caller, secret?: Secret) =>
    sendSecretAs(identity, reply, metadata, who, secret);

  api.post("/api/v1/secrets", {
    schema: {
      tags,
      summary: "Create a secret",
      body: createSecretBody,
      response: { 201: secretSchema, ...errors },
    },
    handler: async (request, reply) => {
      requirePermission(caller(request), "write", "create secrets");
      const secret = await as(request).create(request.body);
      return sendSecret(reply.status(201), secret.metadata(), caller(request), secret);
    },
  });

  api.get("/api/v1/secrets", {
    schema: {
      tags,
      summary: "List secrets (metadata only, never values)",
      querystring: listQuery,
      response: { 200: pageSchema, ...errors },
    },
    handler: async (request) => {
      requirePermission(caller(request), "read-metadata", "list secrets");
      const who = caller(request);
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

  api.get("/api/v1/secrets/by-name", {
    schema: {
      tags,
      summary: "Get a secret by name (the caller's private one first, then the public one)",
      querystring: byNameQuery,
      response: { 200: secretSchema, ...errors },
    },
    handler: async (request, reply) =>
      readSecret(request, reply, byName(request.query), request.query.values !== false),
  });

  api.put("/api/v1/secrets/by-name", {
    schema: {
      tags,
      summary:
        "Create or replace the secret of this name (If-None-Match: * only creates; If-Match only replaces that version)",
      querystring: putByNameQuery,
      body: putByNameBody,
      response: { 200: secretSchema, ...errors },
    },
    handler: async (request, reply) => {
      requirePermission(caller(request), "write", "write secrets");
      const expectedVersion = request.headers["if-none-match"] === "*" ? 0 : expectedVersionFrom(request);
      const metadata = await as(request).put(request.query.name, request.body.values, {
        ...(request.query.private !== undefined ? { private: request.query.private } : {}),
        ...(expectedVersion !== undefined ? { expectedVersion } : {}),
      });
      return sendSecret(reply, metadata, caller(request));
    },
  });

  api.get("/api/v1/secrets/:id", {
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

  api.put("/api/v1/secrets/:id", {
    schema: {
      tags,
      summary: "Replace a secret's values",
      params: idParams,
      body: replaceSecretBody,
      response: { 200: secretSchema, ...errors },
    },
    handler: async (request, reply) => {
      requirePermission(caller(request), "write", "update secrets");
      const { values, ...rest } = request.body;
      const metadata = await as(request).update(
        { id: request.params.id },
        { values, mode: "replace", ...rest },
        writeOptions(request),
      );
      return sendSecret(reply, metadata, caller(request));
    },
  });

  api.patch("/api/v1/secrets/:id", {
    schema: {
      tags,
      summary: "Change some values (null removes a key), the name or the visibility",
      params: idParams,
      body: patchSecretBody,
      response: { 200: secretSchema, ...errors },
    },
    handler: async (request, reply) => {
      requirePermission(caller(request), "write", "update secrets");
      const metadata = await as(request).update(
        { id: request.params.id },
        request.body,
        writeOptions(request),
      );
      return sendSecret(reply, metadata, caller(request));
    },
  });

  api.post("/api/v1/secrets/:id/rename", {
    schema: {
      tags,
      summary: "Rename a secret",
      params: idParams,
      body: renameBody,
      response: { 200: secretSchema, ...errors },
    },
    handler: async (request, reply) => {
      requirePermission(caller(request), "write", "rename secrets");
      const metadata = await as(request).rename(
        { id: request.params.id },
        request.body.name,
        writeOptions(request),
      );
      return sendSecret(reply, metadata, caller(request));
    },
  });

  api.post("/api/v1/secrets/:id/visibility", {
    schema: {
      tags,
      summary: "Make a secret private or public (owner only)",
      params: idParams,
      body: visibilityBody,
      response: { 200: secretSchema, ...errors },
    },
    handler: async (request, reply) => {
      requirePermission(caller(request), "write", "change visibility");
      const metadata = await as(request).setVisibility(
        { id: request.params.id },
        request.body.private,
        writeOptions(request),
      );
      return sendSecret(reply, metadata, caller(request));
    },
  });

  api.delete("/api/v1/secrets/:id", {
    schema: { tags, summary: "Delete a secret", params: idParams, response: { 204: noContent, ...errors } },
    handler: async (request, reply) => {
      requirePermission(caller(request), "write", "delete secrets");
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
    const who = caller(request);
    requirePermission(who, "read-metadata", "read secrets");
    const session = service.as({ id: who.userId });
    if (!withValues) return sendSecret(reply, await session.getMetadata(ref), who);
    if (can(who.role, "read-values")) {
      const secret = await session.get(ref);
      return sendSecret(reply, secret.metadata(), who, secret);
    }
    const metadata = await session.getMetadata(ref);
    if (metadata.owner === who.userId) {
      const secret = await session.get({ id: metadata.id });
      return sendSecret(reply, secret.metadata(), who, secret);
    }
    return sendSecret(reply, metadata, who);
  }
}

export function caller(request: FastifyRequest): Caller {
  const found = (request as FastifyRequest & { caller?: Caller }).caller;
  if (!found) throw new Error("route is missing authentication");
  return found;
}

async function sendSecretAs(
  identity: IdentityStore,
  reply: FastifyReply,
  metadata: SecretMetadata,
  who: Caller,
  secret?: Secret,
) {
  reply.header("etag", `"${metadata.version}"`);
  const body = secretJson(metadata, await ownerNames(identity, who, [metadata]));
  if (secret && (can(who.role, "read-values") || metadata.owner === who.userId)) body.values = secret.values;
  return reply.send(body);
}

/** The owners' names by id; the caller's own name is known without asking. */
async function ownerNames(
  identity: IdentityStore,
  who: Caller,
  items: SecretMetadata[],
): Promise<Map<string, string>> {
  const others = items.map((item) => item.owner).filter((owner) => owner !== who.userId);
  const names = others.length > 0 ? await identity.namesOf(others) : new Map<string, string>();
  names.set(who.userId, who.user);
  return names;
}

/**
 * A secret as the API shows it: `owner` is the owner's user name, `ownerId` their immutable id.
 * When the owner was deleted (or the secret came from local mode) there is no name: `owner`
 * shows the stored id.
 */
export function secretJson(
  metadata: SecretMetadata,
  names: Map<string, string>,
): z.input<typeof secretSchema> {
  return {
    ...metadataToJson(metadata),
    owner: names.get(metadata.owner) ?? metadata.owner,
    ownerId: metadata.owner,
  };
}

function byName(query: { name: string; private?: boolean | undefined }): SecretRef {
  return query.private === undefined ? { name: query.name } : { name: query.name, private: query.private };
}

function writeOptions(request: FastifyRequest): { expectedVersion?: number } {
  const expectedVersion = expectedVersionFrom(request);
  return expectedVersion === undefined ? {} : { expectedVersion };
}

function expectedVersionFrom(request: FastifyRequest): number | undefined {
  const header = request.headers["if-match"];
  if (header === undefined || header === "*") return undefined;
  const match = /^(?:W\/)?"?(\d+)"?$/.exec(String(header).trim());
  if (!match) {
    throw new ValidationError(`If-Match '${String(header).slice(0, 40)}' is not a version.`, {
      hint: 'Send the ETag you received, e.g. If-Match: "3".',
      details: { field: "If-Match" },
    });
  }
  return Number(match[1]);
}

function toListQuery(query: z.output<typeof listQuery>): ListQuery {
  const names = [
    query.name !== undefined ? { equals: query.name } : undefined,
    query.name_contains !== undefined ? { contains: query.name_contains } : undefined,
    query.name_startswith !== undefined ? { startsWith: query.name_startswith } : undefined,
    query.name_endswith !== undefined ? { endsWith: query.name_endswith } : undefined,
  ].filter((each) => each !== undefined);
  if (names.length > 1) {
    throw new ValidationError("Give at most one of name, name_contains, name_startswith and name_endswith.", {
      details: { field: "name" },
    });
  }
  const result: ListQuery = {};
  if (names[0]) result.name = names[0];
  if (query.private !== undefined) result.private = query.private;
  if (query.owner !== undefined) result.owner = query.owner;
  if (query.created_after !== undefined || query.created_before !== undefined) {
    result.created = {
      ...(query.created_after ? { after: query.created_after } : {}),
      ...(query.created_before ? { before: query.created_before } : {}),
    };
  }
  if (query.updated_after !== undefined || query.updated_before !== undefined) {
    result.updated = {
      ...(query.updated_after ? { after: query.updated_after } : {}),
      ...(query.updated_before ? { before: query.updated_before } : {}),
    };
  }
  if (query.sort !== undefined) {
    const descending = query.sort.startsWith("-");
    result.sort = {
      by: query.sort.replace(/^-/, "") as "name" | "created" | "updated",
      direction: descending ? "desc" : "asc",
    };
  }
  if (query.limit !== undefined) result.limit = query.limit;
  if (query.cursor !== undefined) result.cursor = query.cursor;
  return result;
}
