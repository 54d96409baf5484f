/**
 * The store with a child span around each backend call made during a request:
 * `coffer.store.<operation>` (get, getMany, create…), attribute `coffer.store.type`, and on
 * failure `error.type` = the typed code. No id, name, key or value: the arguments are never
 * looked at. Wrapped like the measured store (store-calls.ts), so the store's extras (the sql
 * store's key rotation) stay visible to the service.
 * Calls the store makes inside (a metadata query on a shared database) become its children.
 */
import type { Tracer } from "@opentelemetry/api";
import { aroundStoreCalls, type StoreCall } from "../store-calls.js";
import { failSpan, runInSpan, startChildSpan } from "./active-span.js";
import { ATTR_COFFER_STORE_TYPE } from "./attributes.js";

export function tracedStore<S extends object>(inner: S, tracer: Tracer): S {
  const type = String((inner as { type?: unknown }).type ?? "unknown");
  return aroundStoreCalls(inner, (call, operation) => traced(call, operation, type, tracer));
}

function traced(
  call: StoreCall,
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
