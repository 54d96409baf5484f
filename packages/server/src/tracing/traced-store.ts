/**
 * The store with a child span around each backend call made during a request:
 * `coffer.store.<operation>` (get, getMany, create…), attribute `coffer.store.type`, and on
 * failure `error.type` = the typed code. No id, name, key or value: the arguments are never
 * looked at. A pass-through Proxy like the measured store (metrics/measured-store.ts), for the
 * same reason: the store's extras (the sql store's key rotation) stay visible to the service.
 * Calls the store makes inside (a metadata query on a shared database) become its children.
 */
import type { Tracer } from "@opentelemetry/api";
import { STORE_CALLS } from "../metrics/measured-store.js";
import { failSpan, runInSpan, startChildSpan } from "./active-span.js";
import { ATTR_COFFER_STORE_TYPE } from "./attributes.js";

export function tracedStore<S extends object>(inner: S, tracer: Tracer): S {
  const wrapped = new Map<string | symbol, unknown>();
  const type = String((inner as { type?: unknown }).type ?? "unknown");
  return new Proxy(inner, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      let method = wrapped.get(property);
      if (method === undefined) {
        const bound = (value as (...args: unknown[]) => unknown).bind(target);
        method = STORE_CALLS.has(property) ? traced(bound, String(property), type, tracer) : bound;
        wrapped.set(property, method);
      }
      return method;
    },
  });
}

function traced(
  call: (...args: unknown[]) => unknown,
  operation: string,
  type: string,
  tracer: Tracer,
): (...args: unknown[]) => Promise<unknown> {
  const name = `coffer.store.${operation}`;
  return async (...args) => {
    const child = startChildSpan(tracer, name, { [ATTR_COFFER_STORE_TYPE]: type });
    if (!child) return call(...args);
    const { span, context } = child;
    try {
      return await runInSpan(context, span, () => call(...args));
    } catch (error) {
      failSpan(span, error);
      throw error;
    } finally {
      span.end();
    }
  };
}
