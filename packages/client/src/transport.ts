/**
 * How a client reaches a SecretsService. Local mode runs the service in this process on the
 * deploy-time configuration (the embedded default unless told otherwise); remote mode — with the
 * server — will speak HTTP behind the same interface, so that `createClient({ url, token })` is
 * the only difference a program sees.
 */
import type { HealthReport, SecretsSession, StoreCapabilities } from "@coffer/core";

export type ClientMode = "local" | "remote";

export interface Transport {
  readonly mode: ClientMode;
  /** The API as the client's user sees it; opens the connection on first call. */
  session(): Promise<SecretsSession>;
  storeInfo(): Promise<StoreInfo>;
  rotateKey(options?: RotateKeyOptions): Promise<KeyRotationResult>;
  reconcile(options?: { olderThanMs?: number }): Promise<ReconcileResult>;
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
  metadata: { location: string; status: "ready" | "error"; latencyMs: number; message?: string };
  dataDir: string;
  configFile?: string;
}

export interface RotateKeyOptions {
  /** Rows per batch (the store's default otherwise). */
  batchSize?: number;
  /** Generate a new active key first (default true); false finishes an interrupted rotation. */
  generateKey?: boolean;
  onBatch?: (progress: { batches: number; reencrypted: number; skipped: number }) => void;
}

/** What a key-rotating store reports (the shape `@coffer/store-sql` returns). */
export interface KeyRotationResult {
  activeKeyId: string;
  previousKeyId: string;
  generated: boolean;
  reencrypted: number;
  skipped: number;
  unreadable: Array<{ id: string; keyId: string }>;
  remaining: number;
  batches: number;
}

export interface ReconcileResult {
  completedCreates: string[];
  rolledBackCreates: string[];
  completedUpdates: string[];
  completedDeletes: string[];
  failed: Array<{ id: string; code: string }>;
}
