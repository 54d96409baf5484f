/**
 * Building a trail from the configuration: the sinks it names (database by default), the file
 * sink's path, which sinks are best-effort, and the audit key's source (the metadata keyring).
 */
import path from "node:path";
import type { Logger } from "@coffer/core";
import type { Database } from "@coffer/sql";
import type { KeySource } from "./chain.js";
import type { AuditSettings } from "./settings.js";
import { DatabaseSink } from "./sinks/database.js";
import { FileSink } from "./sinks/file.js";
import type { AuditSink } from "./sinks/sink.js";
import { StdoutSink } from "./sinks/stdout.js";
import { AuditTrail } from "./trail.js";

export const DEFAULT_AUDIT_FILE = "audit.jsonl";
/** See AuditTrailOptions.gatherMs: long enough to share an fsync, short beside a request. */
const SQLITE_GATHER_MS = 2;

export async function openAuditTrail(options: {
  settings: AuditSettings;
  database: Database;
  dataDir: string;
  keys: KeySource;
  logger: Logger;
  clock?: () => number;
}): Promise<AuditTrail> {
  const { settings } = options;
  const sinks: Array<{ sink: AuditSink; required: boolean }> = [];
  // The database first: it numbers the records when several processes share it.
  for (const kind of [...settings.sinks].sort((a, b) => order(a) - order(b))) {
    const sink =
      kind === "database"
        ? await DatabaseSink.open(options.database)
        : kind === "file"
          ? new FileSink(path.resolve(options.dataDir, settings.file ?? DEFAULT_AUDIT_FILE))
          : new StdoutSink();
    sinks.push({ sink, required: !settings.bestEffort.includes(kind) });
  }
  const trail = await AuditTrail.open({
    sinks,
    keys: options.keys,
    logger: options.logger,
    checkpointEvery: settings.checkpointEvery,
    ...(settings.sinks.includes("database") && options.database.dialect === "sqlite"
      ? { gatherMs: SQLITE_GATHER_MS }
      : {}),
    ...(settings.retentionDays !== undefined ? { retentionDays: settings.retentionDays } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  await trail.prune();
  return trail;
}

function order(kind: string): number {
  return kind === "database" ? 0 : kind === "file" ? 1 : 2;
}
