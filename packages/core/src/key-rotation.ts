/**
 * An optional extension of the store contract: stores that encrypt values themselves (the sql
 * store) can rotate their keys online. `coffer store rotate-key` works with any store that has these
 * methods, found with isKeyRotatingStore.
 */
import type { SecretId } from "./model.js";
import type { SecretsStore } from "./store.js";

export interface RotateKeyOptions {
  /** Rows per batch, each batch one transaction (default 100). */
  batchSize?: number;
  /**
   * File-backed keyring only: generate a new active key first (default true). `false` only
   * re-encrypts onto the current active key, e.g. to finish a rotation that was interrupted.
   */
  generateKey?: boolean;
  /** Called after each batch, e.g. to print progress; the next batch waits for it. */
  onBatch?: (progress: RotationProgress) => void | Promise<void>;
}

export interface RotationProgress {
  batches: number;
  reencrypted: number;
  skipped: number;
}

export interface RotateKeyResult {
  /** The key every readable secret is now encrypted with. */
  activeKeyId: string;
  /** The key that was active before. Equal to activeKeyId when no key was generated. */
  previousKeyId: string;
  /** Whether a new key was generated and added to the keyring file. */
  generated: boolean;
  /** Rows moved onto the active key. */
  reencrypted: number;
  /** Rows a concurrent write changed while their batch ran: left to the writer, looked at again. */
  skipped: number;
  /** Rows that could not be decrypted (key missing from the keyring, or altered): left as they are. */
  unreadable: Array<{ id: SecretId; keyId: string }>;
  /** Rows still not under the active key at the end: 0 unless some were unreadable or old-key writers kept writing. */
  remaining: number;
  batches: number;
  /**
   * Earlier revisions (stores with `versions` that encrypt them): moved onto the active key after
   * the current values. Absent when the store keeps none.
   */
  history?: { reencrypted: number; unreadable: number; remaining: number };
}

export interface KeyStatus {
  /** Where the keys come from: the keyring file's path, or the option. */
  source: string;
  activeKeyId: string;
  /** `rows`: current values under the key; `revisions`: earlier revisions under it (when any). */
  keys: Array<{ id: string; active: boolean; rows: number; revisions?: number }>;
  /** Key ids that rows use but the keyring lacks. */
  missing: Array<{ keyId: string; rows: number }>;
}

export interface RetireKeysResult {
  activeKeyId: string;
  /** Keys removed from the keyring file. Always empty for keys given in options. */
  removed: string[];
  /** Keys no secret uses (other than the active one); for keys in options, the ones you may remove. */
  unused: string[];
  /** The keys the keyring holds now. */
  keys: string[];
}

/** A store whose encryption keys can be rotated: `coffer store rotate-key` works with any of these. */
export interface KeyRotatingStore extends SecretsStore {
  rotateKey(options?: RotateKeyOptions): Promise<RotateKeyResult>;
  retireUnusedKeys(): Promise<RetireKeysResult>;
  keyStatus(): Promise<KeyStatus>;
}

export function isKeyRotatingStore(store: SecretsStore): store is KeyRotatingStore {
  const candidate = store as Partial<KeyRotatingStore>;
  return (
    typeof candidate.rotateKey === "function" &&
    typeof candidate.retireUnusedKeys === "function" &&
    typeof candidate.keyStatus === "function"
  );
}
