/** `coffer audit list` and `coffer audit verify`: the audit log, through the client (local or remote). */
import type { AuditFilter, AuditTarget } from "@coffer/audit";
import type { Command } from "commander";
import { CliError, usageError } from "../cli-errors.js";
import type { Context } from "../context.js";
import { table } from "../table.js";

export async function list(context: Context, command: Command): Promise<void> {
  const options = command.opts<{
    actor?: string;
    secret?: string;
    action?: string;
    outcome?: string;
    since?: string;
    until?: string;
    limit?: number;
  }>();
  const filter: AuditFilter = {};
  if (options.actor !== undefined) filter.actor = options.actor;
  if (options.secret !== undefined) filter.secret = options.secret;
  if (options.action !== undefined) filter.action = options.action as AuditFilter["action"];
  if (options.outcome !== undefined) filter.outcome = options.outcome;
  if (options.since !== undefined) filter.since = time("--since", options.since);
  if (options.until !== undefined) filter.until = time("--until", options.until);
  if (options.limit !== undefined) filter.limit = options.limit;
  const client = await context.client();
  const records = await client.auditRecords(filter);
  context.result({ items: records }, () =>
    records.length === 0
      ? "No audit records match."
      : table(
          ["SEQ", "TIME", "ACTOR", "ACTION", "TARGET", "OUTCOME", "ORIGIN"],
          records.map((record) => [
            String(record.seq),
            new Date(record.time).toISOString(),
            record.actor.name ?? record.actor.id,
            record.action,
            describeTarget(record.target),
            `${record.outcome}${record.denied ? " (denied)" : ""}`,
            [record.origin.kind, record.origin.address].filter(Boolean).join(" "),
          ]),
        ),
  );
}

export async function verify(context: Context): Promise<void> {
  const client = await context.client();
  const report = await client.verifyAudit();
  context.result(report, () =>
    report.ok
      ? `The audit log verifies: ${report.records} records${report.first !== undefined ? ` (${report.first}–${report.last})` : ""}, chain and checkpoints intact.`
      : report.problems.map((problem) => `${problem.kind} at ${problem.seq}: ${problem.message}`).join("\n"),
  );
  if (!report.ok) {
    throw new CliError(
      "integrity",
      `The audit log failed verification: ${report.problems.length} problem(s), the first at record ${report.problems[0]?.seq}.`,
      "Records were changed outside Coffer. Compare with a shipped copy (the stdout or file sink) and restore from a backup.",
    );
  }
}

function time(flag: string, text: string): number {
  const value = Date.parse(text);
  if (Number.isNaN(value))
    throw usageError(
      `${flag} '${text}' is not a time.`,
      "Write ISO 8601, e.g. 2026-12-01 or 2026-12-01T08:00:00Z.",
    );
  return value;
}

function describeTarget(target: AuditTarget | undefined): string {
  if (!target) return "";
  const parts: string[] = [];
  if (typeof target.name === "string") parts.push(target.name);
  else if (typeof target.secretId === "string") parts.push(target.secretId);
  if (typeof target.version === "number") parts.push(`v${target.version}`);
  if (typeof target.newName === "string") parts.push(`→ ${target.newName}`);
  if (Array.isArray(target.names)) parts.push(target.names.join(","));
  if (typeof target.user === "string") parts.push(`user ${target.user}`);
  if (typeof target.token === "string") parts.push(`token ${target.token}`);
  if (typeof target.role === "string") parts.push(`role ${target.role}`);
  if (typeof target.route === "string") parts.push(target.route);
  return parts.join(" ");
}
