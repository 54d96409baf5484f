/**
 * @coffer/audit: the tamper-evident audit log (issue 15, items 5–9). Records say who did what to
 * which secret, from where, and how it ended — never a value.
 */
export { AUDIT_ACTION_NAMES, AUDIT_ACTIONS, type AuditAction, isAuditAction } from "./actions.js";
export { auditKey, canonical, checkpointMac, type KeySource, recordHash } from "./chain.js";
export { type AuditRequestContext, currentAuditContext, SDK_ORIGIN, withAuditContext } from "./context.js";
export { DEFAULT_AUDIT_FILE, openAuditTrail } from "./open.js";
export type { AuditActor, AuditEvent, AuditOrigin, AuditRecord, AuditTarget, OriginKind } from "./record.js";
export {
  type AuditSettings,
  auditSection,
  auditSettings,
  auditSettingsFrom,
  SINK_KINDS,
  type SinkKind,
} from "./settings.js";
export {
  AUDIT_MIGRATIONS_TABLE,
  AUDIT_TABLE,
  auditMigrations,
  ChainMoved,
  DatabaseSink,
} from "./sinks/database.js";
export { FileSink } from "./sinks/file.js";
export {
  type AuditFilter,
  type AuditSink,
  isReadable,
  MAX_LIST_LIMIT,
  type ReadableAuditSink,
  type StoredRecord,
} from "./sinks/sink.js";
export { StdoutSink } from "./sinks/stdout.js";
export { AuditTrail, type AuditTrailOptions, type SinkEntry, type SinkHealth } from "./trail.js";
export {
  type ProblemKind,
  type VerifyOptions,
  type VerifyProblem,
  type VerifyReport,
  verifyRecords,
} from "./verify.js";
