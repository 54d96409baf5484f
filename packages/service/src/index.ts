/** The public surface of @coffer/service: the service, how to open one, and what it reports. */
export { auditSection } from "@coffer/audit";
export { archiveSnapshot } from "./archive-snapshot.js";
export type { ExportOptions } from "./backup-export.js";
export {
  CONFLICT_POLICIES,
  type ConflictEntry,
  type ConflictPolicy,
  RestoreConflictError,
  type RestoreOptions,
  type RestorePlan,
  type RestoreProgress,
  type RestoreReport,
} from "./backup-restore.js";
export { CHANGE_PAGE_SIZE, type ChangeBatch, ChangeFeed, type ChangeFeedOptions } from "./change-feed.js";
export {
  type ChangeAction,
  type ChangePage,
  type ChangeRetention,
  DEFAULT_RETENTION,
  type SecretChangeEvent,
} from "./change-log.js";
export { type BackupOptions, type DiffOptions, INCOMPLETE } from "./deployment-operations.js";
export {
  diffSnapshots,
  type SecretChange,
  type SecretDiff,
  type SnapshotEntry,
  type SnapshotSource,
} from "./diff-snapshot.js";
export { parseVersion } from "./history.js";
export { DEFAULT_PAGE_SIZE, listQuerySchema, MAX_PAGE_SIZE } from "./list-query.js";
export { DEFAULT_CACHE_ENTRIES, type MetadataCacheStats } from "./metadata-cache.js";
export { metadataCacheSection } from "./metadata-cache-section.js";
export { METADATA_KEYRING_FILE } from "./metadata-keyring.js";
export { MetadataSealer, SEALED_COLUMNS } from "./metadata-seal.js";
export type { MigrationPlan } from "./migrate-plan.js";
export {
  type MigrateOptions,
  type MigrationProgress,
  type MigrationReport,
  NOT_IN_SOURCE,
  VERIFY_MISMATCH,
} from "./migrate-values.js";
export { MirroredStore } from "./mirrored-store.js";
export { createService, openService, type ServiceParts, startService } from "./open.js";
export {
  type ApplicationParts,
  configRoot,
  type ServiceRoot,
  type ServiceSettings,
  serviceRoot,
} from "./parts.js";
export type { ReadCacheView } from "./read-cache.js";
export type { ReconcileReport } from "./reconcile-report.js";
export { laterMetadataMigrations, MIGRATIONS_TABLE, metadataMigrations } from "./schema.js";
export { type CopyReport, SecretsService, type ServiceHooks, type ServiceOptions } from "./service.js";
export { ValueFingerprinter } from "./value-fingerprint.js";
