/**
 * The audit section of the configuration: `audit:` in the YAML file, `COFFER_AUDIT_*` in the
 * environment, read by the core config loader like the server's section.
 *
 *   COFFER_AUDIT_SINKS=database,file,stdout   where records go (default: database; `none`: off)
 *   COFFER_AUDIT_FILE=/var/log/coffer/audit.jsonl   the file sink's path (default <data dir>/audit.jsonl)
 *   COFFER_AUDIT_BEST_EFFORT=stdout           sinks whose failure is logged, not fatal
 *   COFFER_AUDIT_RETENTION_DAYS=90            records older than this are pruned (default: kept)
 *   COFFER_AUDIT_CHECKPOINT_EVERY=1           a keyed checkpoint every n records (default every one)
 */
import { InvalidConfigError, z } from "@coffer/core";

export const SINK_KINDS = ["database", "file", "stdout"] as const;
export type SinkKind = (typeof SINK_KINDS)[number];

const sinkList = z.string().transform((text, context) => {
  const kinds = text
    .split(",")
    .map((each) => each.trim())
    // `none` turns auditing off (an empty variable counts as unset, so it cannot say that).
    .filter((each) => each !== "" && each !== "none");
  for (const kind of kinds) {
    if (!(SINK_KINDS as readonly string[]).includes(kind)) {
      context.addIssue({ code: "custom", message: `'${kind}' is not a sink; use ${SINK_KINDS.join(", ")}` });
    }
  }
  return [...new Set(kinds)] as SinkKind[];
});

export const auditSettings = z
  .object({
    sinks: sinkList.default(["database"]),
    file: z.string().optional(),
    bestEffort: sinkList.default([]),
    retentionDays: z.number().int().min(1).max(36_500).optional(),
    checkpointEvery: z.number().int().min(1).max(100_000).default(1),
  })
  .strict();

export type AuditSettings = z.output<typeof auditSettings>;

export const auditSection = { schema: auditSettings, envPrefix: "COFFER_AUDIT_" };

/** The settings from a loaded configuration's `audit` section (or the defaults). */
export function auditSettingsFrom(section: unknown): AuditSettings {
  // What the config loader hands over is already parsed (lists are arrays): make it text again.
  const given = { ...(section as Record<string, unknown> | undefined) };
  for (const key of ["sinks", "bestEffort"]) {
    const value = given[key];
    if (Array.isArray(value)) given[key] = value.join(",");
  }
  const parsed = auditSettings.safeParse(given);
  if (!parsed.success) {
    throw new InvalidConfigError(`The audit settings are not usable: ${parsed.error.issues[0]?.message}.`, {
      hint: `Set COFFER_AUDIT_SINKS to some of ${SINK_KINDS.join(", ")}.`,
      details: { setting: "audit" },
    });
  }
  return parsed.data;
}
