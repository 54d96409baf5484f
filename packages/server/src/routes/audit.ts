/**
 * /api/v1/audit (registered with that prefix): the audit log, for admins and auditors (the
 * `read-audit` permission; an auditor sees records and metadata, never a value). Reading it is
 * itself recorded (`audit.read`), before the records are handed out.
 */
import { type AuditFilter, type AuditRecord, type AuditTrail, currentAuditContext } from "@coffer/audit";
import { AuditUnavailableError, ValidationError } from "@coffer/core";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { callerOf } from "../access.js";
import { auditListSchema, auditQuery, auditVerifySchema } from "../audit/schemas.js";
import type { AppContext } from "./context.js";
import { errorReplies as errors } from "./responses.js";

const tags = ["audit"];

export const auditRoutes: FastifyPluginAsyncZod<AppContext> = async (api, { service }) => {
  const trail = (): AuditTrail => {
    const audit = service.audit;
    if (!audit?.enabled) {
      throw new AuditUnavailableError("This server keeps no audit log (COFFER_AUDIT_SINKS is empty).", {
        hint: "Set COFFER_AUDIT_SINKS=database (the default) to keep one.",
        details: { sink: "none" },
      });
    }
    return audit;
  };
  const recordRead = async (request: Parameters<typeof callerOf>[0], what: string) => {
    const caller = callerOf(request);
    const context = currentAuditContext();
    await trail().record({
      action: "audit.read",
      actor: { id: caller.userId, name: caller.user, tokenId: caller.tokenId },
      target: { route: what },
      outcome: "ok",
      origin: context?.origin ?? { kind: "server" },
      ...(context?.requestId !== undefined ? { requestId: context.requestId } : {}),
    });
  };

  api.get("", {
    config: { permission: "read-audit", action: "read the audit log" },
    schema: {
      tags,
      summary: "Audit records, newest first (admins and auditors; never values)",
      querystring: auditQuery,
      response: { 200: auditListSchema, ...errors },
    },
    handler: async (request) => {
      const filter = toFilter(request.query);
      const records = await trail().list(filter);
      await recordRead(request, "list");
      return { records: records.map(recordJson) };
    },
  });

  api.get("/verify", {
    config: { permission: "read-audit", action: "verify the audit log" },
    schema: {
      tags,
      summary: "Check the audit log's hash chain and checkpoints (admins and auditors)",
      response: { 200: auditVerifySchema, ...errors },
    },
    handler: async (request) => {
      const report = await trail().verify();
      await recordRead(request, "verify");
      return report;
    },
  });
};

function toFilter(query: Record<string, unknown>): AuditFilter {
  const filter: AuditFilter = {};
  for (const key of ["actor", "secret", "outcome"] as const) {
    if (typeof query[key] === "string") filter[key] = query[key];
  }
  if (typeof query.action === "string") filter.action = query.action as AuditFilter["action"];
  if (typeof query.limit === "number") filter.limit = query.limit;
  for (const key of ["since", "until"] as const) {
    const value = query[key];
    if (typeof value !== "string") continue;
    const time = Date.parse(value);
    if (Number.isNaN(time)) {
      throw new ValidationError(`'${key}' must be an ISO 8601 time, e.g. 2026-12-07T04:00:00Z.`, {
        details: { field: key },
      });
    }
    filter[key] = time;
  }
  return filter;
}

function recordJson(record: AuditRecord) {
  return { ...record, time: new Date(record.time).toISOString(), target: { ...record.target } };
}
