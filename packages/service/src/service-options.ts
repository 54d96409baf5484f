/**
 * What a SecretsService is built from (service.ts): the wired parts — metadata database, sealer,
 * store, logger, audit trail — and the write protocol's timings. The composition root (parts.ts)
 * fills it in; tests build one by hand.
 */
import type { AuditTrail } from "@coffer/audit";
import type { Logger, SecretsStore, SecretValidationLevel } from "@coffer/core";
import type { Database } from "@coffer/sql";
import type { ChangeFeedOptions } from "./change-feed.js";
import type { ChangeRetention } from "./change-log.js";
import type { MetadataSealer } from "./metadata-seal.js";
import type { ServiceHooks } from "./write-context.js";

export interface ServiceOptions {
  database: Database;
  /** Seals and checks metadata rows (metadata-seal.ts). */
  sealer: MetadataSealer;
  /** An initialised store. */
  store: SecretsStore;
  deploymentId: string;
  validationLevel?: SecretValidationLevel;
  logger: Logger;
  /** Milliseconds since the epoch; injectable for tests. */
  clock?: () => number;
  hooks?: ServiceHooks;
  /**
   * How long a write may sit in a transitional state before others treat it as abandoned and
   * repair it (default 30 s).
   */
  leaseMs?: number;
  /**
   * How long a write waits for another process's write to the same secret to finish before it
   * gives up with a retryable BackendUnavailableError (default 10 s). Writers in this process
   * queue instead (see WriteQueue).
   */
  lockWaitMs?: number;
  /** The audit trail secret actions are recorded in (audit-recorder.ts); none: not audited. */
  audit?: AuditTrail;
  /** The change feed: how long events are kept (change-log.ts), how often others' are polled for. */
  changes?: ChangeFeedOptions & { retention?: ChangeRetention };
  /**
   * The read cache of metadata lookups (metadata-cache.ts): at most `entries` lookups (default
   * 10,000; 0 turns it off). COFFER_METADATA_CACHE_ENTRIES in deploy-time configuration.
   */
  metadataCache?: { entries: number };
}
