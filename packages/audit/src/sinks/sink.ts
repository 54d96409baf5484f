/**
 * Where records go. Every sink takes the same records in the same order; the ones that can be read
 * back (the database, a file) also answer `head` (to continue the chain after a restart), `read`
 * (to list and verify) and `prune` (retention).
 */
import type { AuditAction } from "../actions.js";
import type { AuditRecord } from "../record.js";

export interface AuditSink {
  /** "database", "file" or "stdout": what the configuration and errors call it. */
  readonly kind: "database" | "file" | "stdout";
  /** Where it writes, for messages (a database location, a file path). */
  readonly location: string;
  /** Writes records in order, all or none where the sink can promise it (the database). */
  write(records: readonly AuditRecord[]): Promise<void>;
  close(): Promise<void>;
}

export interface AuditFilter {
  /** A user id or name. */
  actor?: string;
  /** A secret name or id. */
  secret?: string;
  action?: AuditAction;
  /** `ok`, `started`, or an error code. */
  outcome?: string;
  /** Milliseconds since the epoch, inclusive. */
  since?: number;
  until?: number;
  /** Newest first, at most this many (default 100, at most 1000). */
  limit?: number;
}

/** A record as stored, with where it was found (for verify's report). */
export interface StoredRecord {
  record: AuditRecord;
  /** "row seq 12" or "line 12": where an operator finds it. */
  where: string;
  /** Why the stored row does not agree with the record it carries (a column edited alone). */
  mismatch?: string;
}

export interface ReadableAuditSink extends AuditSink {
  /** The last record's seq and hash, or undefined when the log is empty. */
  head(): Promise<{ seq: number; hash: string } | undefined>;
  list(filter: AuditFilter): Promise<AuditRecord[]>;
  /** Every record in stored order (by seq for the database, by line for a file). */
  readAll(): Promise<StoredRecord[]>;
  /** Deletes the records before `seq`. */
  pruneBefore(seq: number): Promise<number>;
  /** The newest checkpoint (a record with a MAC) written before `time`, if any. */
  lastCheckpointBefore(time: number): Promise<number | undefined>;
}

export function isReadable(sink: AuditSink): sink is ReadableAuditSink {
  return "readAll" in sink;
}

export const DEFAULT_LIST_LIMIT = 100;
export const MAX_LIST_LIMIT = 1000;

/** The filter applied to records in memory (the file sink; the database filters in SQL). */
export function matches(record: AuditRecord, filter: AuditFilter): boolean {
  if (filter.actor !== undefined && record.actor.id !== filter.actor && record.actor.name !== filter.actor) {
    return false;
  }
  if (
    filter.secret !== undefined &&
    record.target?.name !== filter.secret &&
    record.target?.secretId !== filter.secret &&
    !(record.target?.names ?? []).includes(filter.secret)
  ) {
    return false;
  }
  if (filter.action !== undefined && record.action !== filter.action) return false;
  if (filter.outcome !== undefined && record.outcome !== filter.outcome) return false;
  if (filter.since !== undefined && record.time < filter.since) return false;
  if (filter.until !== undefined && record.time > filter.until) return false;
  return true;
}

export function listLimit(filter: AuditFilter): number {
  return Math.min(Math.max(1, filter.limit ?? DEFAULT_LIST_LIMIT), MAX_LIST_LIMIT);
}
