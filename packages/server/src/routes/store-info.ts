/** /api/v1/store (registered with that prefix): which backend serves, its capabilities and health. */
import { MirroredStore } from "@coffer/service";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { callerOf } from "../access.js";
import { can } from "../roles.js";
import { storeInfoSchema } from "../schemas.js";
import type { AppContext } from "./context.js";
import { errorReplies as errors } from "./responses.js";

export const storeInfoRoutes: FastifyPluginAsyncZod<AppContext> = async (api, { service }) => {
  api.get("", {
    config: { permission: "read-metadata", action: "see the store" },
    schema: {
      tags: ["operations"],
      summary: "Which backend, its capabilities and health",
      response: { 200: storeInfoSchema, ...errors },
    },
    handler: async (request) => {
      const who = callerOf(request);
      const store = service.store;
      const [health, rotating] = [await service.health(), service.keyRotatingStore()];
      // The keyring's state is for admins.
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
                  rows: [...keys.keys, ...keys.missing].reduce((sum, key) => sum + key.rows, 0),
                  rowsOnActiveKey: keys.keys.find((key) => key.active)?.rows ?? 0,
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
};
