/**
 * The SecretsService: the one place where names, owners, visibility, versions, listing and
 * references live. Every interface (CLI, client, server) goes through it, and every backend sits
 * under it as a SecretsStore that only knows values by id.
 *
 * This class is the facade: it wires the parts and hands each call to the module that owns it —
 * secret-actions.ts (each secret call as audited) over lookup.ts (reads), writes.ts (the order of
 * writes) and write-protocol.ts (their steps, kept consistent with the store without a shared
 * transaction), history.ts (versions, old values, rollback) and references.ts; listing.ts;
 * repair.ts (reconcile); operations.ts (health, key rotation); and deployment-operations.ts (the
 * deployment as a whole: backup store copies, migration, diff snapshots, archives out and in).
 */
import type { Writable } from "node:stream";
import type { AuditTrail } from "@coffer/audit";
import type {
  ArchiveDecryption,
  ArchivedSecret,
  ArchiveEncryption,
  ArchiveInput,
  ArchiveSummary,
} from "@coffer/backup";
import type {
  Actor,
  CreateSecretInput,
  KeyRotatingStore,
  ListQuery,
  ReadOptions,
  ReferenceProblem,
  RotateKeyOptions,
  RotateKeyResult,
  Secret,
  SecretHistory,
  SecretMetadata,
  SecretPage,
  SecretRef,
  SecretsSession,
  SecretsStore,
  SecretValidationLevel,
  UpdateSecretInput,
  WriteOptions,
} from "@coffer/core";
import type { Database } from "@coffer/sql";
import { actorSession } from "./actor-session.js";
import { operator, SecretAudit } from "./audit-recorder.js";
import type { CopyReport } from "./backup-copy.js";
import type { ExportOptions } from "./backup-export.js";
import type { RestoreOptions, RestoreReport } from "./backup-restore.js";
import { ChangeFeed } from "./change-feed.js";
import { ChangeLog } from "./change-log.js";
import { runOncePerDeployment } from "./deployment-lock.js";
import { type BackupOptions, DeploymentOperations, type DiffOptions } from "./deployment-operations.js";
import type { SecretDiff, SnapshotSource } from "./diff-snapshot.js";
import { HistoryRecorder, SecretHistoryReader } from "./history.js";
import { HistoryRepository } from "./history-repository.js";
import { SecretListing } from "./listing.js";
import { MetadataRepository } from "./metadata.js";
import type { MetadataSealer } from "./metadata-seal.js";
import type { MigrationPlan } from "./migrate-plan.js";
import type { MigrateOptions, MigrationReport } from "./migrate-values.js";
import { health, keyRotatingStore, rotateKey, type ServiceHealth } from "./operations.js";
import { ReadCache, type ReadCacheView } from "./read-cache.js";
import type { ReconcileReport } from "./reconcile-report.js";
import { ReferenceResolver } from "./references.js";
import { reconcile } from "./repair.js";
import { SecretActions } from "./secret-actions.js";
import type { ServiceOptions } from "./service-options.js";
import { ValueDigester } from "./value-digests.js";
import { WriteContext } from "./write-context.js";
import { SecretWriter } from "./writes.js";

export type { CopyReport } from "./backup-copy.js";
export type { ExportOptions } from "./backup-export.js";
export type { ServiceOptions } from "./service-options.js";
export type { ServiceHooks } from "./write-context.js";

export class SecretsService {
  readonly deploymentId: string;
  /** Seals metadata rows; the server's identity migration re-seals the rows it re-owns with it. */
  readonly sealer: MetadataSealer;
  readonly store: SecretsStore;
  readonly validationLevel: SecretValidationLevel;
  readonly #metadata: MetadataRepository;
  readonly #database: Database;
  readonly #writes: WriteContext;
  readonly #listing: SecretListing;
  readonly #references: ReferenceResolver;
  readonly #audit: SecretAudit;
  readonly #secrets: SecretActions;
  readonly #deployment: DeploymentOperations;
  /** The change feed (change-feed.ts): events since an id, and following them as they commit. */
  readonly changes: ChangeFeed;
  readonly #readCache: ReadCache | undefined;

  constructor(options: ServiceOptions) {
    this.deploymentId = options.deploymentId;
    this.store = options.store;
    this.validationLevel = options.validationLevel ?? "SECRET_AND_KEY_EXISTS";
    this.#database = options.database;
    this.sealer = options.sealer;
    const changeLog = new ChangeLog(options.database.dialect, options.changes?.retention);
    this.changes = new ChangeFeed(options.database, changeLog, options.logger, options.changes);
    this.#readCache = ReadCache.open(options.metadataCache?.entries, {
      database: options.database,
      feed: this.changes,
      log: changeLog,
      logger: options.logger,
    });
    this.#metadata = new MetadataRepository(
      options.database,
      options.sealer,
      {
        log: changeLog,
        committed: (id) => {
          this.#readCache?.committedHere(id);
          this.changes.committed();
        },
      },
      this.#readCache?.cache,
    );
    const clock = options.clock ?? Date.now;
    const history = new HistoryRepository(options.database, options.sealer);
    const digester = new ValueDigester(options.sealer.keyring);
    const warn = (message: string, fields: Record<string, unknown>) => options.logger.warn(message, fields);
    const reader = new SecretHistoryReader(this.#metadata, history, digester, options.store);
    this.#writes = new WriteContext(
      this.#metadata,
      options.store,
      options.logger,
      clock,
      options.hooks ?? {},
      options.leaseMs ?? 30_000,
      options.lockWaitMs ?? 10_000,
      new HistoryRecorder(history, digester, options.store, warn),
    );
    this.#listing = new SecretListing(this.#metadata, options.logger, clock);
    this.#references = new ReferenceResolver(this.#metadata, options.store);
    this.#audit = new SecretAudit(options.audit, this.#metadata, options.logger);
    const writer = new SecretWriter(this.#writes);
    this.#secrets = new SecretActions(this.#metadata, writer, reader, this.#references, this.#audit);
    this.#deployment = new DeploymentOperations(this, this.#metadata, options.database, reader, this.#audit);
  }

  /** The audit trail (the server records identity actions in it; `coffer audit` reads it). */
  get audit(): AuditTrail | undefined {
    return this.#audit.trail;
  }

  /** Waits until the records of failures still being written are in the trail (tests). */
  async flushAudit(): Promise<void> {
    await this.#audit.flush();
  }

  get databaseLocation(): string {
    return this.#database.location;
  }

  /** The read cache of metadata lookups (read-cache.ts); undefined when turned off. */
  get metadataCache(): ReadCacheView | undefined {
    return this.#readCache;
  }

  /** The API as `actor` sees it, without passing the actor to every call (actor-session.ts). */
  as(actor: Actor): SecretsSession {
    return actorSession(this, actor);
  }

  // --- reads (secret-actions.ts, over lookup.ts and history.ts) --------------------------------

  /**
   * A secret with its values — with `version`, as they were at that version (history.ts).
   * SecretNotFoundError when it does not exist for this actor.
   */
  async get(actor: Actor, ref: SecretRef, options: ReadOptions = {}): Promise<Secret> {
    return this.#secrets.get(actor, ref, options);
  }

  /** A secret's metadata only: no call to the store. */
  async getMetadata(actor: Actor, ref: SecretRef): Promise<SecretMetadata> {
    return this.#secrets.getMetadata(actor, ref);
  }

  /** One page of the secrets visible to `actor`. Never carries values. */
  async list(actor: Actor, query: ListQuery = {}): Promise<SecretPage> {
    return this.#listing.list(actor, query);
  }

  // --- writes (secret-actions.ts, over writes.ts) ----------------------------------------------

  async create(actor: Actor, input: CreateSecretInput): Promise<Secret> {
    return this.#secrets.create(actor, input);
  }

  /**
   * Changes values, name or visibility. Every change bumps the version by one. Returns the new
   * metadata (use get for the values).
   */
  async update(
    actor: Actor,
    ref: SecretRef,
    input: UpdateSecretInput,
    options: WriteOptions = {},
  ): Promise<SecretMetadata> {
    return this.#secrets.update(actor, ref, input, options);
  }

  async rename(
    actor: Actor,
    ref: SecretRef,
    newName: string,
    options?: WriteOptions,
  ): Promise<SecretMetadata> {
    return this.update(actor, ref, { name: newName }, options);
  }

  async setVisibility(
    actor: Actor,
    ref: SecretRef,
    isPrivate: boolean,
    options?: WriteOptions,
  ): Promise<SecretMetadata> {
    return this.update(actor, ref, { private: isPrivate }, options);
  }

  /**
   * Creates or replaces the secret `name` (in the given visibility). With `expectedVersion` 0 it
   * only creates; with n > 0 it only replaces version n.
   */
  async put(
    actor: Actor,
    name: string,
    values: Record<string, string>,
    options: WriteOptions & { private?: boolean } = {},
  ): Promise<SecretMetadata> {
    return this.#secrets.put(actor, name, values, options);
  }

  async delete(actor: Actor, ref: SecretRef, options: WriteOptions = {}): Promise<void> {
    return this.#secrets.delete(actor, ref, options);
  }

  // --- history (history.ts) -----------------------------------------------------------------

  /** The versions of a secret, newest first: who, when, which keys changed. Never values. */
  async history(actor: Actor, ref: SecretRef): Promise<SecretHistory> {
    return this.#secrets.listHistory(actor, ref);
  }

  /**
   * Writes a new version holding the values `toVersion` had; the versions between stay in the
   * history. `expectedVersion` makes it check-and-set like any write.
   */
  async rollback(
    actor: Actor,
    ref: SecretRef,
    toVersion: number,
    options: WriteOptions = {},
  ): Promise<SecretMetadata> {
    return this.#secrets.rollback(actor, ref, toVersion, options);
  }

  // --- references (references.ts) --------------------------------------------------------------

  /**
   * Checks every `{{name.key}}` in `config` against the metadata database only (no store call).
   * Returns the problems found; an empty list means the configuration is ready.
   */
  async validateReferences(
    actor: Actor,
    config: unknown,
    level: SecretValidationLevel = this.validationLevel,
  ): Promise<ReferenceProblem[]> {
    return this.#references.validate(actor, config, level);
  }

  /** Returns a copy of `config` with every reference replaced by its value. */
  async resolveReferences<T>(
    actor: Actor,
    config: T,
    level: SecretValidationLevel = this.validationLevel,
  ): Promise<T> {
    return this.#secrets.resolveReferences(actor, config, level);
  }

  // --- operations ----------------------------------------------------------------------------

  /** Repairs writes left half-done (by a crash or an outage) for longer than `olderThanMs`. */
  async reconcile(options: { olderThanMs?: number } = {}): Promise<ReconcileReport> {
    return this.#audit.write(operator(), "store.reconcile", {}, () =>
      runOncePerDeployment(this.#database, this.deploymentId, "reconcile", () =>
        reconcile(this.#writes, options.olderThanMs),
      ),
    );
  }

  // --- the deployment as a whole (deployment-operations.ts) ---------------------------------

  /** Copies every secret's values between the primary and the backup store (backup-copy.ts). */
  async copyAllValues(
    direction: "to-backup" | "to-primary",
    options: { batchSize?: number } = {},
  ): Promise<CopyReport> {
    return this.#deployment.copyAllValues(direction, options);
  }

  /**
   * Moves every value from the primary store to the backup store (migrate-values.ts): the service
   * must have been opened with the migration's target as its backup store, so that writes made
   * meanwhile reach both. `target` names the target (no credentials) in the journal; a run for the
   * same target continues the unfinished one.
   */
  async migrateValues(target: string, options: MigrateOptions = {}): Promise<MigrationReport> {
    return this.#deployment.migrateValues(target, options);
  }

  /** What `migrateValues(target)` would do (migrate-plan.ts): reads both stores, writes nothing. */
  async migrationPlan(target: string): Promise<MigrationPlan> {
    return this.#deployment.migrationPlan(target);
  }

  /** This deployment as `coffer diff` reads it: metadata and keyed hashes of values (diff-snapshot.ts). */
  snapshot(label: string = this.#database.location): SnapshotSource {
    return this.#deployment.snapshot(label);
  }

  /** This deployment as another deployment's diff reads it, recorded in this one's audit log too. */
  readForDiff(label: string = this.#database.location): SnapshotSource {
    return this.#deployment.readForDiff(label);
  }

  /**
   * Compares this deployment with `other` (an archive, archive-snapshot.ts; or another deployment's
   * snapshot): names, keys, versions, values by keyed hash under a key made for this call. Audited.
   */
  async diff(other: SnapshotSource, options: DiffOptions = {}): Promise<SecretDiff> {
    return this.#deployment.diff(other, options);
  }

  /**
   * Every secret, whoever owns it, with its values (and older versions with `withHistory`), a page
   * at a time (backup-export.ts). For operators only: front ends check the caller is an admin.
   */
  exportSecrets(options: ExportOptions = {}): AsyncGenerator<ArchivedSecret> {
    return this.#deployment.exportSecrets(options);
  }

  /** Writes an encrypted archive of every secret to `output` (@coffer/backup). */
  async backup(
    output: Writable,
    encryption: ArchiveEncryption,
    options: BackupOptions = {},
  ): Promise<ArchiveSummary> {
    return this.#deployment.backup(output, encryption, options);
  }

  /** Restores an archive through this service (backup-restore.ts); `open` is called once per pass. */
  async restore(
    open: () => ArchiveInput,
    decryption: ArchiveDecryption,
    options: RestoreOptions = {},
  ): Promise<RestoreReport> {
    return this.#deployment.restore(open, decryption, options);
  }

  // --- upkeep (operations.ts) ----------------------------------------------------------------

  /** The store that manages encryption keys (the primary, behind a backup mirror), if any. */
  keyRotatingStore(): KeyRotatingStore | undefined {
    return keyRotatingStore(this.store);
  }

  /** Rotates the store's encryption key online (`coffer store rotate-key`). */
  async rotateKey(options?: RotateKeyOptions): Promise<RotateKeyResult> {
    return this.#audit.write(operator(), "store.rotate-key", {}, () =>
      runOncePerDeployment(this.#database, this.deploymentId, "rotate-key", () =>
        rotateKey(this.store, options),
      ),
    );
  }

  async health(): Promise<ServiceHealth> {
    return health(this.#metadata, this.store);
  }

  async close(): Promise<void> {
    try {
      await this.#readCache?.close();
      await this.changes.close();
      await this.#audit.flush();
      await this.#audit.trail?.close();
      await this.store.close();
    } finally {
      await this.#database.close();
    }
  }
}
