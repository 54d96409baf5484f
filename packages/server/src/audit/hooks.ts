/**
 * The server's part of the audit log:
 * - every request runs in an audit context (origin `server`, the client's address as fastify sees
 *   it — trustProxy decides —, the user agent, the request id), which the service reads when it
 *   records a secret action; the caller is added once the token is checked;
 * - identity actions (identity-actions.ts) are recorded here: `started` before the handler runs —
 *   a required sink that fails refuses the request, nothing changed — and the outcome after;
 * - a refusal by authentication or by a route's permission (401, 403 before any handler ran) is
 *   recorded as `access.denied` with the route;
 * - each request's log lines carry the acting user (pino child logger), so the request log says
 *   who; the audit log stays separate from the logs.
 */
import {
  type AuditEvent,
  type AuditRequestContext,
  type AuditTrail,
  currentAuditContext,
  withAuditContext,
} from "@coffer/audit";
import { isCofferError } from "@coffer/core";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { IDENTITY_ACTIONS } from "./identity-actions.js";

declare module "fastify" {
  interface FastifyRequest {
    /** Set once the route's permission check passed: later refusals are the handler's. */
    auditPassedAccess: boolean;
    /** The typed error the request ended with, for its outcome record. */
    auditErrorCode: string | undefined;
  }
}

/** Before installAuthentication: the context must wrap the token check and everything after. */
export function installAuditContext(app: FastifyInstance): void {
  app.decorateRequest("auditPassedAccess", false);
  app.decorateRequest("auditErrorCode", undefined);
  app.addHook("onRequest", (request, _reply, done) => {
    const userAgent = request.headers["user-agent"];
    const context: AuditRequestContext = {
      origin: {
        kind: "server",
        address: request.ip,
        ...(typeof userAgent === "string" ? { userAgent: userAgent.slice(0, 255) } : {}),
      },
      requestId: String(request.id),
    };
    withAuditContext(context, done);
  });
}

/** After installAccessControl: its permission check is the preHandler before these. */
export function installAuditRecording(app: FastifyInstance, trail: AuditTrail | undefined): void {
  // The caller, known after the token check: on the audit context and on every log line.
  app.addHook("preValidation", async (request, reply) => {
    const caller = request.caller;
    if (!caller) return;
    const context = currentAuditContext();
    if (context) context.actor = { id: caller.userId, name: caller.user, tokenId: caller.tokenId };
    request.log = request.log.child({ user: caller.user, userId: caller.userId });
    reply.log = request.log;
  });

  app.addHook("preHandler", async (request) => {
    request.auditPassedAccess = true;
    const identity = trail?.enabled ? identityAction(request) : undefined;
    if (identity)
      await trail!.record({
        ...event(request, identity.action, identity.target(request)),
        outcome: "started",
      });
  });

  app.addHook("onError", async (request, _reply, error) => {
    request.auditErrorCode = isCofferError(error) ? error.code : "INTERNAL";
  });

  app.addHook("onResponse", async (request, reply) => {
    if (!trail?.enabled) return;
    const status = reply.statusCode;
    const refused = status === 401 || status === 403;
    let record: AuditEvent | undefined;
    if (refused && !request.auditPassedAccess) {
      const route = `${request.method} ${request.routeOptions.url ?? "(unknown)"}`;
      record = {
        ...event(request, "access.denied", { route }),
        outcome: codeFor(request, status),
        denied: true,
      };
    } else if (request.auditPassedAccess) {
      const identity = identityAction(request);
      if (identity) {
        const outcome = status < 400 ? "ok" : codeFor(request, status);
        record = {
          ...event(request, identity.action, identity.target(request)),
          outcome,
          ...(refused ? { denied: true } : {}),
        };
      }
    }
    if (!record) return;
    // The reply is sent: a record that cannot be written now is logged, not answered.
    await trail
      .record(record)
      .catch((error: unknown) =>
        request.log.error(
          { action: record.action, reason: String(error) },
          "audit record could not be written",
        ),
      );
  });
}

function identityAction(request: FastifyRequest) {
  const url = request.routeOptions.url;
  return url ? IDENTITY_ACTIONS[`${request.method} ${url}`] : undefined;
}

function event(
  request: FastifyRequest,
  action: AuditEvent["action"],
  target: AuditEvent["target"],
): AuditEvent {
  const caller = request.caller;
  const context = currentAuditContext();
  const userAgent = request.headers["user-agent"];
  return {
    action,
    actor: caller ? { id: caller.userId, name: caller.user, tokenId: caller.tokenId } : { id: "anonymous" },
    origin: context?.origin ?? {
      kind: "server",
      address: request.ip,
      ...(typeof userAgent === "string" ? { userAgent: userAgent.slice(0, 255) } : {}),
    },
    ...(target ? { target } : {}),
    outcome: "ok",
    requestId: String(request.id),
  };
}

function codeFor(request: FastifyRequest, status: number): string {
  if (request.auditErrorCode) return request.auditErrorCode;
  if (status === 401) return "UNAUTHENTICATED";
  if (status === 403) return "PERMISSION_DENIED";
  if (status === 429) return "RATE_LIMITED";
  return `HTTP_${status}`;
}
