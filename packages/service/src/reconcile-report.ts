/** What `reconcile()` did: the interrupted writes it finished or rolled back, and those it could not. */
import type { SecretId } from "@coffer/core";

export interface ReconcileReport {
  /** Creates whose values had been stored: finished. */
  completedCreates: SecretId[];
  /** Creates whose values never reached the store: rolled back. */
  rolledBackCreates: SecretId[];
  /** Updates interrupted midway: the metadata now matches what the store holds. */
  completedUpdates: SecretId[];
  /** Deletes interrupted midway: finished. */
  completedDeletes: SecretId[];
  /** Rows that could not be repaired this time (the store is down, say); they are retried later. */
  failed: Array<{ id: SecretId; code: string }>;
}
