/**
 * How a client reaches a SecretsService. Local mode runs the service in this process on the
 * deploy-time configuration (the embedded default unless told otherwise); remote mode
 * (remote-transport.ts) speaks the server's REST API behind the same interface, so that
 * `createClient({ url, token })` is the only difference a program sees.
 */

import type { Writable } from "node:stream";
import type { AuditFilter, AuditRecord, VerifyReport } from "@coffer/audit";
import type {
  ArchiveDecryption,
  ArchiveEncryption,
  ArchiveInput,
  ArchiveSummary,
  WriteProgress,
} from "@coffer/backup";
import type {
  HealthReport,
  RotateKeyOptions,
  RotateKeyResult,
  SecretsSession,
  StoreCapabilities,
} from "@coffer/core";
import type { ConflictPolicy, RestoreProgress, RestoreReport, SecretDiff } from "@coffer/service";
import type { WatchEvent, WatchOptions } from "./watch.js";

export type { RotateKeyOptions };
/** What a key-rotating store reports (see RotateKeyResult in @coffer/core). */
export type KeyRotationResult = RotateKeyResult;

export interface BackupRequest {
  encryption: ArchiveEncryption;
  withHistory?: boolean;
  onProgress?: (progress: WriteProgress) => void;
}

/** What a backup reports: the archive's counts and checksum, and its size. */
export interface BackupResult {
  /** Counts and checksum; absent when a remote backup to a recipient key could not be read back. */
  summary?: ArchiveSummary;
  encryptedBytes: number;
}

export interface RestoreRequest {
  decryption: ArchiveDecryption;
  onConflict?: ConflictPolicy;
  dryRun?: boolean;
  onProgress?: (progress: RestoreProgress) => void;
  /** Test hook: wait before each write (to kill a restore mid-way). */
  writeDelayMs?: number;
  /** Secrets restored at once (local deployments; default 8, see the service's README). */
  concurrency?: number;
}

/** What to open an archive with, for a diff against the deployment. */
export interface DiffRequest {
  decryption: ArchiveDecryption;
}

export type { ArchiveSummary, ConflictPolicy, RestoreReport, SecretDiff };

export type ClientMode = "local" | "remote";

export interface Transport {
  readonly mode: ClientMode;
  /** The API as the client's user sees it; opens the connection on first call. */
  session(): Promise<SecretsSession>;
  storeInfo(): Promise<StoreInfo>;
  rotateKey(options?: RotateKeyOptions): Promise<KeyRotationResult>;
  reconcile(options?: { olderThanMs?: number }): Promise<ReconcileResult>;
  /** Audit records, newest first (remote: admins and auditors). */
  auditRecords(filter: AuditFilter): Promise<AuditRecord[]>;
  /** Checks the audit log's chain (remote: admins and auditors). */
  verifyAudit(): Promise<VerifyReport>;
  /** Writes an encrypted archive of every secret to `output` (operators: admin on a server). */
  backup(output: Writable, request: BackupRequest): Promise<BackupResult>;
  /** Restores an archive; `open` gives its bytes afresh for each pass (backup-restore.ts). */
  restore(open: () => ArchiveInput, request: RestoreRequest): Promise<RestoreReport>;
  /**
   * Compares an archive (side a) with the deployment (side b) by keyed hash; `open` is read once
   * (operators: admin on a server).
   */
  diffArchive(open: () => ArchiveInput, request: DiffRequest): Promise<SecretDiff>;
  /** The change feed from `since` (default: now), as the client's user may see it (watch.ts). */
  changes(names: string[] | undefined, options: WatchOptions): AsyncGenerator<WatchEvent>;
  close(): Promise<void>;
}

export interface StoreInfo {
  mode: ClientMode;
  /** The user the client acts as. */
  user: string;
  status: "ready" | "error";
  deploymentId: string;
  store: {
    type: string;
    description: string;
    /** For a custom store: the module it was loaded from. */
    module?: string;
    /** Where the values live, as the store describes it (a file, an endpoint, a region). */
    location: string;
    /** The store's options, credentials shown as [redacted]. */
    options: Record<string, unknown>;
    capabilities: StoreCapabilities;
    /** Whether `rotateKey()` works on this store. */
    keyRotation: boolean;
    health: HealthReport;
    /** For stores that manage encryption keys: where they come from and which is active. */
    keys?: { source: string; activeKeyId: string; keyCount: number; missing: number };
  };
  /** The backup store, when one is configured (written through, read when the primary fails). */
  backup?: { type: string; location: string; options: Record<string, unknown>; health: HealthReport };
  metadata: { location: string; status: "ready" | "error"; latencyMs: number; message?: string };
  dataDir: string;
  configFile?: string;
}

export interface ReconcileResult {
  completedCreates: string[];
  rolledBackCreates: string[];
  completedUpdates: string[];
  completedDeletes: string[];
  failed: Array<{ id: string; code: string }>;
}
