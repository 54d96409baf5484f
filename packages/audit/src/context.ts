/**
 * Who is asking and from where, carried along a request without threading it through every call:
 * the server opens a context per request (origin, client address, user agent, request id) and
 * fills in the caller once the token is checked; the CLI opens one for its whole run. The service
 * reads it when it records a secret action. Outside any context the caller is an SDK user.
 */
// The default import, not a named one: AsyncLocalStorage is a lazy getter of node:async_hooks,
// which the CLI's bundle cannot import by name (packages/cli/build.mjs).
import asyncHooks from "node:async_hooks";
import type { AuditActor, AuditOrigin } from "./record.js";

export interface AuditRequestContext {
  origin: AuditOrigin;
  requestId?: string;
  /** The authenticated caller, once known (its id must match the service's actor to be used). */
  actor?: AuditActor;
  /**
   * What a read of values is for, when more than a plain read: `secret.export` (coffer secret
   * export) or `secret.resolve` (coffer run) — set by the command that reads.
   */
  readAs?: "secret.export" | "secret.resolve";
}

const storage = new asyncHooks.AsyncLocalStorage<AuditRequestContext>();

export function withAuditContext<T>(context: AuditRequestContext, work: () => T): T {
  return storage.run(context, work);
}

export function currentAuditContext(): AuditRequestContext | undefined {
  return storage.getStore();
}

export const SDK_ORIGIN: AuditOrigin = { kind: "sdk" };
