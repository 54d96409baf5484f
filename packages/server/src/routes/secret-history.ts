/**
 * /api/v1/secrets/:id/history, /:id/versions/:version and /:id/rollback (registered under the
 * secrets prefix): a secret's versions, an old version's values, and a rollback that writes a new
 * version with them. History carries no values; an old version's values go out to those who may
 * read the secret's values (value-readers and up, and the owner), exactly as for the current one.
 * A store that keeps no earlier values answers 501 (NotSupportedError) for them.
 */
import { type SecretHistory, SecretNotFoundError, type SecretRef } from "@coffer/core";
import { parseVersion } from "@coffer/service";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { callerOf } from "../access.js";
import type { Caller, IdentityStore } from "../identity.js";
import { queryText } from "../input/fields.js";
import { can } from "../roles.js";
import { errorSchema, secretSchema } from "../schemas.js";
import type { AppContext } from "./context.js";
import { preferHeaders } from "./prefer.js";
import { secretErrorReplies } from "./responses.js";
import { ownerNames, secretJson, sendSecret, sendWrittenSecret } from "./secret-replies.js";
import { writeOptions } from "./secret-requests.js";

const tags = ["secrets"];
const errors = { ...secretErrorReplies, 501: errorSchema };

const keyNames = z.array(z.string());

export const versionSchema = z
  .object({
    version: z.number().int(),
    created: z.string(),
    createdBy: z.string().describe("The user who wrote this version (their id when the user was deleted)."),
    createdById: z.string().describe("That user's immutable id."),
    action: z.enum(["create", "update", "rename", "visibility", "rollback"]),
    name: z.string().describe("The secret's name at this version."),
    private: z.boolean(),
    keys: keyNames,
    changes: z
      .object({
        added: keyNames,
        removed: keyNames,
        changed: keyNames,
        renamedFrom: z.string().optional(),
        private: z.boolean().optional(),
      })
      .strict()
      .describe("Keys added, removed and changed since the version before (by key name; never values)."),
    rolledBackTo: z.number().int().optional(),
  })
  .strict();

export const historySchema = z
  .object({
    id: z.string(),
    version: z.number().int().describe("The current version."),
    versions: z.array(versionSchema).describe("Newest first; never values."),
  })
  .strict();

const idParams = z.object({ id: queryText() }).strict();
const versionParams = z
  .object({ id: queryText(), version: queryText().describe("A version number, from 1.") })
  .strict();
const rollbackBody = z
  .object({ toVersion: z.number().describe("The version whose values to write again.") })
  .strict();

export const secretHistoryRoutes: FastifyPluginAsyncZod<AppContext> = async (api, { service, identity }) => {
  const as = (request: Parameters<typeof callerOf>[0]) => service.as({ id: callerOf(request).userId });

  api.get("/:id/history", {
    config: { permission: "read-metadata", action: "read secrets" },
    schema: {
      tags,
      summary: "A secret's versions, newest first: who, when, keys added, removed or changed (never values)",
      params: idParams,
      response: { 200: historySchema, ...errors },
    },
    handler: async (request) => {
      const history = await as(request).history({ id: request.params.id });
      return historyJson(history, identity, callerOf(request));
    },
  });

  api.get("/:id/versions/:version", {
    config: { permission: "read-metadata", action: "read secrets" },
    schema: {
      tags,
      summary: "A secret as it was at a version; its values when the caller may read them",
      params: versionParams,
      response: { 200: secretSchema, ...errors },
    },
    handler: async (request, reply) => {
      const who = callerOf(request);
      const session = as(request);
      const ref: SecretRef = { id: request.params.id };
      const version = parseVersion(versionNumber(request.params.version));
      const metadata = await session.getMetadata(ref);
      if (can(who.role, "read-values") || metadata.owner === who.userId) {
        const secret = await session.get(ref, { version });
        return sendSecret(identity, reply, secret.metadata(), who, secret);
      }
      // Metadata only, from the history: the store is not read for a caller who gets no values.
      const entry = (await session.history(ref)).versions.find((each) => each.version === version);
      if (!entry) {
        // Worded as the service words a version it does not have (or hides).
        throw new SecretNotFoundError(`The secret '${metadata.name}' has no version ${version}.`, {
          hint: "`coffer secret history NAME` lists its versions.",
          details: { id: metadata.id, version },
        });
      }
      const names = await ownerNames(identity, who, [metadata]);
      return reply.send(
        secretJson(
          { ...metadata, version: entry.version, keys: entry.keys, updatedAt: entry.created },
          names,
        ),
      );
    },
  });

  api.post("/:id/rollback", {
    config: { permission: "write", action: "roll back secrets" },
    schema: {
      tags,
      summary:
        "Write a new version with the values of an earlier one (If-Match: only at that version); history is kept",
      params: idParams,
      body: rollbackBody,
      headers: preferHeaders,
      response: { 200: secretSchema, ...errors },
    },
    handler: async (request, reply) => {
      const metadata = await as(request).rollback(
        { id: request.params.id },
        request.body.toVersion,
        writeOptions(request),
      );
      return sendWrittenSecret(identity, request, reply, metadata, callerOf(request));
    },
  });
};

/**
 * A version number from the path. Anything but digits goes to the service as it is, so that the
 * service's own check words the error (the same one local mode gives).
 */
function versionNumber(text: string): number {
  return /^\d{1,15}$/.test(text) ? Number(text) : (text as unknown as number);
}

async function historyJson(history: SecretHistory, identity: IdentityStore, who: Caller) {
  const ids = [...new Set(history.versions.map((each) => each.createdBy))];
  const others = ids.filter((id) => id !== who.userId);
  const names = others.length > 0 ? await identity.namesOf(others) : new Map<string, string>();
  names.set(who.userId, who.user);
  return {
    ...history,
    versions: history.versions.map((each) => ({
      ...each,
      created: each.created.toISOString(),
      createdBy: names.get(each.createdBy) ?? each.createdBy,
      createdById: each.createdBy,
    })),
  };
}
