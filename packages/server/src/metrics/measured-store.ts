/**
 * The store as the service sees it, with every backend call timed and every failure counted, for
 * the server's metrics. Wrapping at this boundary measures every backend (sql, cloud, vault, a
 * plugin) without touching any of them.
 *
 * A Proxy rather than a class implementing SecretsStore: a store has more than the interface —
 * the sql store's key rotation (found by isKeyRotatingStore, which looks for its methods), a
 * plugin's own extras, `instanceof` checks in tests — and a wrapper class would hide all of that
 * (it did: rotate-key answered 501 through one). Everything passes through unchanged; the calls
 * named in STORE_CALLS are timed on the way. Methods run on the real store (bound to it), so stores
 * with private fields work.
 */
import type { SecretsStore } from "@coffer/core";
import { errorCode, type ServerMetrics } from "./registry.js";

/** The backend calls timed (and traced): the SecretsStore contract and the key-rotation extension. */
export const STORE_CALLS: ReadonlySet<string | symbol> = new Set<string | symbol>([
  "init",
  "create",
  "get",
  "getMany",
  "update",
  "delete",
  "health",
  "currentRevision",
  "getRevision",
  "restore",
  "rotateKey",
  "retireUnusedKeys",
  "keyStatus",
]);

export function measuredStore<S extends SecretsStore>(inner: S, metrics: ServerMetrics): S {
  const wrapped = new Map<string | symbol, unknown>();
  return new Proxy(inner, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      let method = wrapped.get(property);
      if (method === undefined) {
        const bound = (value as (...args: unknown[]) => unknown).bind(target);
        method = STORE_CALLS.has(property) ? measure(bound, String(property), target, metrics) : bound;
        wrapped.set(property, method);
      }
      return method;
    },
  });
}

function measure(
  call: (...args: unknown[]) => unknown,
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
