/**
 * Wrapping a store's backend calls without hiding the store: the metrics (metrics/measured-store.ts)
 * and the tracing (tracing/traced-store.ts) each put something around every call the service makes.
 *
 * A Proxy rather than a class implementing SecretsStore: a store has more than the interface —
 * the sql store's key rotation (found by isKeyRotatingStore, which looks for its methods), a
 * plugin's own extras, `instanceof` checks in tests — and a wrapper class would hide all of that
 * (it did: rotate-key answered 501 through one). Everything passes through unchanged; the calls
 * named in STORE_CALLS go through `around` on the way. Methods run on the real store (bound to
 * it), so stores with private fields work.
 */

/** The backend calls wrapped: the SecretsStore contract and the key-rotation extension. */
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

export type StoreCall = (...args: unknown[]) => unknown;

/** `inner` with each of STORE_CALLS replaced by `around(call, operation)`, made once per method. */
export function aroundStoreCalls<S extends object>(
  inner: S,
  around: (call: StoreCall, operation: string) => StoreCall,
): S {
  const wrapped = new Map<string | symbol, unknown>();
  return new Proxy(inner, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      let method = wrapped.get(property);
      if (method === undefined) {
        const bound = (value as StoreCall).bind(target);
        method = STORE_CALLS.has(property) ? around(bound, String(property)) : bound;
        wrapped.set(property, method);
      }
      return method;
    },
  });
}
