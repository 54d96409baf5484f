/**
 * The identity routes and what each records in the audit log, with the target read from the
 * request's parameters (never its body's secrets: a token's value is never recorded, only its id;
 * of a role change only the new role). Secret and operation routes are recorded by the service,
 * which knows the secret each one touched.
 */
import type { AuditAction, AuditTarget } from "@coffer/audit";
import type { FastifyRequest } from "fastify";

interface IdentityAction {
  action: AuditAction;
  target(request: FastifyRequest): AuditTarget;
}

const params = (request: FastifyRequest) => (request.params ?? {}) as Record<string, string | undefined>;
const body = (request: FastifyRequest) => (request.body ?? {}) as Record<string, unknown>;
const text = (value: unknown) => (typeof value === "string" ? value.slice(0, 255) : undefined);

function target(fields: AuditTarget): AuditTarget {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

/** By route key (`METHOD /path/:param`, as access.ts keys them). */
export const IDENTITY_ACTIONS: Record<string, IdentityAction> = {
  // `coffer login` checks its token here: the sign-in.
  "GET /api/v1/me": { action: "auth.login", target: () => ({}) },
  "POST /api/v1/users": {
    action: "user.create",
    target: (request) => target({ user: text(body(request).name), role: text(body(request).role) }),
  },
  "PUT /api/v1/users/:name/role": {
    action: "user.role",
    target: (request) => target({ user: text(params(request).name), role: text(body(request).role) }),
  },
  "DELETE /api/v1/users/:name": {
    action: "user.delete",
    target: (request) => target({ user: text(params(request).name) }),
  },
  "POST /api/v1/tokens": {
    action: "token.create",
    target: (request) => target({ user: text(body(request).user) }),
  },
  "DELETE /api/v1/tokens/:id": {
    action: "token.revoke",
    target: (request) => target({ token: text(params(request).id) }),
  },
};
