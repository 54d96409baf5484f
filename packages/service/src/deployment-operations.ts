/**
 * The service's calls on the deployment as a whole, for operators: copying every value between
 * the primary and the backup store (backup-copy.ts), migrating to another store
 * (migrate-values.ts, migrate-plan.ts), the snapshot `coffer diff` compares (diff-snapshot.ts),
 * and encrypted archives out and in (backup-export.ts with @coffer/backup, backup-restore.ts).
 * The SecretsService facade hands these calls here; front ends check the caller is an admin.
 *
 * Each run is audited as one `deployment.*` action (audit-recorder.ts's write order: `started`
 * before anything is read or written, so a required audit sink that fails refuses the run; then
 * the outcome with counts — never a value, never a credential): who (the request's actor, else
 * the operator), when, the counts, and `ok`, the error code, or INCOMPLETE for a migration that
 * finished with failed items. These are distinct from `store.backup` / `store.restore`, the value
 * copies to and from the backup store.
 */
import type { Writable } from "node:stream";
import type {
  ArchiveDecryption,
  ArchivedSecret,
  ArchiveEncryption,
  ArchiveInput,
  ArchiveSummary,
  WriteProgress,
} from "@coffer/backup";
import type { SecretsStore } from "@coffer/core";
import type { Database } from "@coffer/sql";
import { archives } from "./archives-on-demand.js";
import { operator, type SecretAudit } from "./audit-recorder.js";
import { type CopyReport, copyAllValues } from "./backup-copy.js";
import { type ExportOptions, exportSecrets } from "./backup-export.js";
import { type RestoreOptions, type RestoreReport, restoreArchive } from "./backup-restore.js";
import { diffSnapshots, type SecretDiff, type SnapshotSource, serviceSnapshot } from "./diff-snapshot.js";
import { noBackupStore } from "./errors.js";
import type { SecretHistoryReader } from "./history.js";
import type { MetadataRepository } from "./metadata.js";
import { type MigrationPlan, planMigration } from "./migrate-plan.js";
import {
  type MigrateOptions,
  type MigrationReport,
  migrateValues,
  newMigrationId,
} from "./migrate-values.js";
import { MigrationJournal } from "./migration-journal.js";
import { MirroredStore } from "./mirrored-store.js";
import type { SecretsService } from "./service.js";
import { ValueFingerprinter } from "./value-fingerprint.js";

/** A migration that returned with failed items: its outcome in the audit log. */
export const INCOMPLETE = "INCOMPLETE";

/** How this deployment takes part in a diff (the other side is a snapshot source). */
export interface DiffOptions {
  /** This deployment's label in the result (default "current deployment"). */
  label?: string;
  /** Which side this deployment is: "b" (default, as `coffer diff A`) or "a". */
  side?: "a" | "b";
  /** What the other side is, for the audit record. */
  against?: "archive" | "deployment";
}

/** What a backup's caller may be told while it runs: the archive's progress and the total to reach. */
export type BackupOptions = ExportOptions & {
  onProgress?: (progress: WriteProgress & { total: number }) => void;
};

export class DeploymentOperations {
  constructor(
    /** The facade itself: a restore writes each secret through it, as its owner. */
    private readonly service: SecretsService,
    private readonly metadata: MetadataRepository,
    private readonly database: Database,
    private readonly history: SecretHistoryReader,
    private readonly audit: SecretAudit,
  ) {}

  get #store(): SecretsStore {
    return this.service.store;
  }

  async copyAllValues(
    direction: "to-backup" | "to-primary",
    options: { batchSize?: number } = {},
  ): Promise<CopyReport> {
    const action = direction === "to-backup" ? "store.backup" : "store.restore";
    return this.audit.write(operator(), action, {}, () =>
      copyAllValues(this.metadata, this.#store, direction, options),
    );
  }

  async migrateValues(target: string, options: MigrateOptions = {}): Promise<MigrationReport> {
    return this.audit.write(
      operator(),
      "deployment.migrate",
      { store: target.slice(0, 255) },
      async () => {
        const store = this.#store;
        if (!(store instanceof MirroredStore)) throw noBackupStore();
        const journal = await MigrationJournal.open(this.database, target, newMigrationId(), Date.now());
        const report = await migrateValues(this.metadata, store.primary, store.backup, journal, options);
        if (report.failed.length === 0) await journal.finish(Date.now());
        return report;
      },
      (report) => ({
        counts: {
          total: report.total,
          copied: report.copied.length,
          already: report.already.length,
          failed: report.failed.length,
          verified: report.verified,
          recopied: report.recopied.length,
        },
      }),
      (report) => (report.failed.length > 0 ? INCOMPLETE : "ok"),
    );
  }

  async migrationPlan(target: string): Promise<MigrationPlan> {
    const store = this.#store;
    if (!(store instanceof MirroredStore)) throw noBackupStore();
    return planMigration(this.metadata, this.database, store.backup, target);
  }

  snapshot(label: string): SnapshotSource {
    return serviceSnapshot(label, this.metadata, this.#store);
  }

  /**
   * This deployment read for another deployment's diff: recorded here too (deployment.diff,
   * against "deployment", with the count read), since the comparison's own record is in the other
   * deployment's log. Started at the first read; ok when the read ends, or the error that ended it.
   */
  readForDiff(label: string): SnapshotSource {
    const inner = this.snapshot(label);
    const audit = this.audit;
    return {
      label,
      async *entries(hash) {
        let read = 0;
        let settle: (error?: unknown) => void = () => {};
        const reading = new Promise<number>((resolve, reject) => {
          settle = (error) => (error === undefined ? resolve(read) : reject(error));
        });
        const recorded = audit
          .write(
            operator(),
            "deployment.diff",
            { against: "deployment" },
            () => reading,
            (count) => ({ against: "deployment", counts: { secrets: count } }),
          )
          .catch(() => undefined); // the error reaches the caller through the read itself
        try {
          for await (const entry of inner.entries(hash)) {
            read++;
            yield entry;
          }
          settle();
        } catch (error) {
          settle(error);
          throw error;
        } finally {
          settle(); // a reader that stopped early: what was read is recorded
          await recorded;
        }
      },
    };
  }

  /** Compares this deployment with `other` by keyed hash under a key made for this call. */
  async diff(other: SnapshotSource, options: DiffOptions = {}): Promise<SecretDiff> {
    const self = this.snapshot(options.label ?? "current deployment");
    const [a, b] = options.side === "a" ? [self, other] : [other, self];
    return this.audit.write(
      operator(),
      "deployment.diff",
      { against: options.against ?? "deployment" },
      () => diffSnapshots(a, b, new ValueFingerprinter()),
      (result) => ({ counts: { ...result.counts } }),
    );
  }

  exportSecrets(options: ExportOptions = {}): AsyncGenerator<ArchivedSecret> {
    return exportSecrets(this.metadata, this.#store, this.history, options);
  }

  async backup(
    output: Writable,
    encryption: ArchiveEncryption,
    options: BackupOptions = {},
  ): Promise<ArchiveSummary> {
    const withHistory = options.withHistory === true;
    const onProgress = options.onProgress;
    return this.audit.write(
      operator(),
      "deployment.backup",
      { withHistory },
      async () => {
        // The total (counted once, before the walk) is what the progress bar's ETA is computed from.
        const total = onProgress ? await this.metadata.countLive() : 0;
        const source = { storeType: this.#store.type, deploymentId: this.service.deploymentId };
        return (await archives()).writeArchive(
          { header: { source, withHistory }, secrets: this.exportSecrets(options) },
          output,
          encryption,
          onProgress ? { onProgress: (progress) => onProgress({ ...progress, total }) } : {},
        );
      },
      (summary) => ({ counts: { ...summary.counts } }),
    );
  }

  async restore(
    open: () => ArchiveInput,
    decryption: ArchiveDecryption,
    options: RestoreOptions = {},
  ): Promise<RestoreReport> {
    return this.audit.write(
      operator(),
      "deployment.restore",
      { onConflict: options.onConflict ?? "fail", dryRun: options.dryRun === true },
      () => restoreArchive(this.service, open, decryption, options),
      (report) => ({
        counts: {
          secrets: report.archive.counts.secrets,
          created: report.created,
          overwritten: report.overwritten,
          skipped: report.skipped,
          identical: report.identical,
          alreadyRestored: report.alreadyRestored,
          verified: report.verified,
          historyVersions: report.historyVersions,
        },
      }),
    );
  }
}
