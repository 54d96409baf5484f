/**
 * The store as the service sees it, with every backend call timed and every failure counted, for
 * the server's metrics. Wrapping at this boundary measures every backend (sql, cloud, vault, a
 * plugin) without touching any of them; how the store stays visible through the wrapper:
 * store-calls.ts.
 */
import type { SecretsStore } from "@coffer/core";
import { aroundStoreCalls, type StoreCall } from "../store-calls.js";
import { errorCode, type ServerMetrics } from "./registry.js";

export function measuredStore<S extends SecretsStore>(inner: S, metrics: ServerMetrics): S {
  return aroundStoreCalls(inner, (call, operation) => measure(call, operation, inner, metrics));
}

function measure(
  call: StoreCall,
  operation: string,
  store: SecretsStore,
  metrics: ServerMetrics,
): (...args: unknown[]) => Promise<unknown> {
  return async (...args) => {
    const labels = { store: store.type, operation };
    const stop = metrics.storeDuration.startTimer(labels);
    try {
      const result = await call(...args);
      stop({ outcome: "ok" });
      return result;
    } catch (error) {
      stop({ outcome: "error" });
      metrics.storeErrors.inc({ ...labels, code: errorCode(error) });
      throw error;
    }
  };
}
