/** /api/v1/admin (registered with that prefix): operations on the whole deployment, for admins. */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import {
  copyValuesBody,
  copyValuesSchema,
  reconcileSchema,
  rotateKeyBody,
  rotateKeySchema,
} from "../schemas.js";
import type { AppContext } from "./context.js";
import { errorReplies as errors } from "./responses.js";

const tags = ["operations"];

export const adminRoutes: FastifyPluginAsyncZod<AppContext> = async (api, { service }) => {
  api.post("/rotate-key", {
    config: { permission: "admin", action: "rotate keys" },
    schema: {
      tags,
      summary: "Rotate the store's encryption key online (admin)",
      body: rotateKeyBody,
      response: { 200: rotateKeySchema, ...errors },
    },
    handler: async (request) =>
      service.rotateKey(request.body.batchSize !== undefined ? { batchSize: request.body.batchSize } : {}),
  });
  api.post("/copy-values", {
    config: { permission: "admin", action: "copy values between stores" },
    schema: {
      tags,
      summary: "Copy every secret's values to the backup store, or back to the primary (admin)",
      body: copyValuesBody,
      response: { 200: copyValuesSchema, ...errors },
    },
    handler: async (request) => service.copyAllValues(request.body.direction),
  });
  api.post("/reconcile", {
    config: { permission: "admin", action: "run reconcile" },
    schema: {
      tags,
      summary: "Repair writes an outage left half-done (admin)",
      response: { 200: reconcileSchema, ...errors },
    },
    handler: async () => service.reconcile(),
  });
};
