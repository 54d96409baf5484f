/** /api/v1/references (registered with that prefix): check and resolve `{{name.key}}` references in a document. */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { callerOf } from "../access.js";
import { problemsSchema, referencesBody, resolvedSchema } from "../schemas.js";
import type { AppContext } from "./context.js";
import { errorReplies as errors } from "./responses.js";

const tags = ["references"];

export const referenceRoutes: FastifyPluginAsyncZod<AppContext> = async (api, { service }) => {
  api.post("/validate", {
    config: { permission: "read-metadata", action: "validate references" },
    schema: {
      tags,
      summary: "Check the {{name.key}} references in a document (metadata only; no values read)",
      body: referencesBody,
      response: { 200: problemsSchema, ...errors },
    },
    handler: async (request) => {
      const session = service.as({ id: callerOf(request).userId });
      return { problems: await session.validateReferences(request.body.document, request.body.level) };
    },
  });
  api.post("/resolve", {
    config: { permission: "read-values", action: "resolve references" },
    schema: {
      tags,
      summary: "Return the document with every reference replaced by its value",
      body: referencesBody,
      response: { 200: resolvedSchema, ...errors },
    },
    handler: async (request) => {
      const session = service.as({ id: callerOf(request).userId });
      return { document: await session.resolveReferences(request.body.document, request.body.level) };
    },
  });
};
