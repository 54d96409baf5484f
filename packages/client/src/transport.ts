/**
 * How a client reaches a SecretsService. Local mode runs the service in this process on the
 * deploy-time configuration (the embedded default unless told otherwise); remote mode
 * (remote-transport.ts) speaks the server's REST API behind the same interface, so that
 * `createClient({ url, token })` is the only difference a program sees.
 */
import type { AuditFilter, AuditRecord, VerifyReport } from "@coffer/audit";
import type {
  HealthReport,
  RotateKeyOptions,
  RotateKeyResult,
  SecretsSession,
  StoreCapabilities,
} from "@coffer/core";

export type { RotateKeyOptions };
/** What a key-rotating store reports (see RotateKeyResult in @coffer/core). */
export type KeyRotationResult = RotateKeyResult;

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
