/**
 * The service's composition root with the configured store (measured-store.ts) and the metadata
 * database (measured-database.ts) measured: both parts are registered again, built the way
 * configRoot builds them, wrapped. A backup store, when configured, is left as it is (its calls
 * are the mirror's, behind the primary's). With tracing on, both are traced too
 * (tracing/traced-store.ts, tracing/traced-database.ts).
 */
import type { StoreContext } from "@coffer/core";
import type { CofferConfig } from "@coffer/core/config";
import type { ServiceRoot } from "@coffer/service";
import { openDatabase } from "@coffer/sql";
import type { Tracing } from "../tracing/tracing.js";
import { measuredDatabase } from "./measured-database.js";
import { measuredStore } from "./measured-store.js";
import type { ServerMetrics } from "./registry.js";

export function measuredRoot(
  root: ServiceRoot,
  config: CofferConfig,
  metrics: ServerMetrics,
  tracing?: Tracing,
): ServiceRoot {
  return root
    .provide("store", (context: StoreContext) => {
      const store = measuredStore(config.store.registration.create(config.store.options, context), metrics);
      return tracing ? tracing.traceStore(store) : store;
    })
    .register("database", (parts) => {
      const database = measuredDatabase(openDatabase(parts.resolve("settings").databaseUrl), metrics);
      return tracing ? tracing.traceDatabase(database) : database;
    });
}
