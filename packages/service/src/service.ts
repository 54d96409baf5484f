/**
 * The SecretsService: the one place where names, owners, visibility, versions, listing and
 * references live. Every interface (CLI, client, server) goes through it, and every backend sits
 * under it as a SecretsStore that only knows values by id.
 *
 * This class is the facade: it holds the parts and hands each call to the module that owns it —
 * lookup.ts (reads), listing.ts, writes.ts (the order of writes) over write-protocol.ts (their
 * steps, kept consistent with the store without a shared transaction), repair.ts (reconcile),
 * references.ts, backup-copy.ts, operations.ts (health, key rotation) and history.ts (versions,
 * old values, rollback).
 */
import type { Writable } from "node:stream";
import { type AuditTrail, currentAuditContext } from "@coffer/audit";
import {
  type ArchiveDecryption,
  type ArchivedSecret,
  type ArchiveEncryption,
  type ArchiveInput,
  type ArchiveSummary,
  type WriteProgress,
  writeArchive,
} from "@coffer/backup";
import {
  type Actor,
  type CreateSecretInput,
  findReferences,
  type KeyRotatingStore,
  type ListQuery,
  type Logger,
  type ReadOptions,
  type ReferenceProblem,
  type RotateKeyOptions,
  type RotateKeyResult,
  type Secret,
  type SecretHistory,
  type SecretMetadata,
  type SecretPage,
  type SecretRef,
  type SecretsSession,
  type SecretsStore,
  type SecretValidationLevel,
  type UpdateSecretInput,
  type WriteOptions,
} from "@coffer/core";
import type { Database } from "@coffer/sql";
import { refTarget, SecretAudit } from "./audit-recorder.js";
import { type CopyReport, copyAllValues } from "./backup-copy.js";
import { type ExportOptions, exportSecrets } from "./backup-export.js";
import { type RestoreOptions, type RestoreReport, restoreArchive } from "./backup-restore.js";
import { type SnapshotSource, serviceSnapshot } from "./diff-snapshot.js";
import { noBackupStore } from "./errors.js";
import { HistoryRecorder, parseVersion, SecretHistoryReader } from "./history.js";
import { HistoryRepository } from "./history-repository.js";
import { parseExpectedVersion } from "./input-checks.js";
import { SecretListing } from "./listing.js";
import { findSecret } from "./lookup.js";
import { MetadataRepository, rowToMetadata } from "./metadata.js";
import type { MetadataSealer } from "./metadata-seal.js";
import { type MigrationPlan, planMigration } from "./migrate-plan.js";
import {
  type MigrateOptions,
  type MigrationReport,
  migrateValues,
  newMigrationId,
} from "./migrate-values.js";
import { MigrationJournal } from "./migration-journal.js";
import { MirroredStore } from "./mirrored-store.js";
import { health, keyRotatingStore, rotateKey, type ServiceHealth } from "./operations.js";
import type { ReconcileReport } from "./reconcile-report.js";
import { ReferenceResolver } from "./references.js";
import { reconcile } from "./repair.js";
import { normalizeUpdate } from "./update-input.js";
import { ValueDigester } from "./value-digests.js";
import { type ServiceHooks, WriteContext } from "./write-context.js";
import { replaceWith, SecretWriter } from "./writes.js";

export type { CopyReport } from "./backup-copy.js";
export type { ExportOptions } from "./backup-export.js";
export type { ServiceHooks } from "./write-context.js";

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
}

export class SecretsService {
  readonly deploymentId: string;
  /** Seals metadata rows; the server's identity migration re-seals the rows it re-owns with it. */
  readonly sealer: MetadataSealer;
  readonly store: SecretsStore;
  readonly validationLevel: SecretValidationLevel;
  readonly #metadata: MetadataRepository;
  readonly #database: Database;
  readonly #writes: WriteContext;
  readonly #writer: SecretWriter;
  readonly #listing: SecretListing;
  readonly #references: ReferenceResolver;
  readonly #history: SecretHistoryReader;
  readonly #audit: SecretAudit;

  constructor(options: ServiceOptions) {
    this.deploymentId = options.deploymentId;
    this.store = options.store;
    this.validationLevel = options.validationLevel ?? "SECRET_AND_KEY_EXISTS";
    this.#database = options.database;
    this.sealer = options.sealer;
    this.#metadata = new MetadataRepository(options.database, options.sealer);
    const clock = options.clock ?? Date.now;
    const history = new HistoryRepository(options.database, options.sealer);
    const digester = new ValueDigester(options.sealer.keyring);
    const warn = (message: string, fields: Record<string, unknown>) => options.logger.warn(message, fields);
    this.#history = new SecretHistoryReader(this.#metadata, history, digester, options.store);
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
    this.#writer = new SecretWriter(this.#writes);
    this.#listing = new SecretListing(this.#metadata, options.logger, clock);
    this.#references = new ReferenceResolver(this.#metadata, options.store);
    this.#audit = new SecretAudit(options.audit, this.#metadata, options.logger);
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

  /** The API as `actor` sees it, without passing the actor to every call. */
  as(actor: Actor): SecretsSession {
    return {
      create: (input) => this.create(actor, input),
      get: (ref, options) => this.get(actor, ref, options),
      getMetadata: (ref) => this.getMetadata(actor, ref),
      list: (query) => this.list(actor, query),
      update: (ref, input, options) => this.update(actor, ref, input, options),
      rename: (ref, newName, options) => this.rename(actor, ref, newName, options),
      setVisibility: (ref, isPrivate, options) => this.setVisibility(actor, ref, isPrivate, options),
      put: (name, values, options) => this.put(actor, name, values, options),
      delete: (ref, options) => this.delete(actor, ref, options),
      history: (ref) => this.history(actor, ref),
      rollback: (ref, toVersion, options) => this.rollback(actor, ref, toVersion, options),
      validateReferences: (config, level) => this.validateReferences(actor, config, level),
      resolveReferences: (config, level) => this.resolveReferences(actor, config, level),
    };
  }

  // --- reads ---------------------------------------------------------------------------------

  /**
   * A secret with its values — with `version`, as they were at that version (history.ts).
   * SecretNotFoundError when it does not exist for this actor.
   */
  async get(actor: Actor, ref: SecretRef, options: ReadOptions = {}): Promise<Secret> {
    const version = options?.version === undefined ? undefined : parseVersion(options.version);
    const action =
      version === undefined ? (currentAuditContext()?.readAs ?? "secret.read") : "secret.read-version";
    return this.#audit.read(
      actor,
      action,
      refTarget(ref),
      () => this.#history.read(actor, ref, version),
      (secret) => ({ secretId: secret.id, name: secret.name, version: secret.version }),
    );
  }

  /** A secret's metadata only: no call to the store. */
  async getMetadata(actor: Actor, ref: SecretRef): Promise<SecretMetadata> {
    return this.#audit.denialOnly(actor, refTarget(ref), async () =>
      rowToMetadata(await findSecret(this.#metadata, actor, ref)),
    );
  }

  /** One page of the secrets visible to `actor`. Never carries values. */
  async list(actor: Actor, query: ListQuery = {}): Promise<SecretPage> {
    return this.#listing.list(actor, query);
  }

  // --- writes (writes.ts) --------------------------------------------------------------------

  async create(actor: Actor, input: CreateSecretInput): Promise<Secret> {
    const target = { name: typeof input?.name === "string" ? input.name.slice(0, 255) : "" };
    return this.#audit.write(
      actor,
      "secret.create",
      target,
      () => this.#writer.create(actor, input),
      (secret) => ({ secretId: secret.id, version: secret.version }),
    );
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
    const change = normalizeUpdate(input);
    const expected = parseExpectedVersion(options.expectedVersion);
    return this.#audit.write(
      actor,
      updateAction(input),
      { ...refTarget(ref), ...updateTarget(input) },
      () => this.#writer.update(actor, ref, change, expected),
      written,
    );
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
    const expected = parseExpectedVersion(options.expectedVersion);
    return this.#audit.write(
      actor,
      "secret.update",
      refTarget({ name }),
      () => this.#writer.put(actor, name, values, expected, options.private ?? false),
      written,
    );
  }

  async delete(actor: Actor, ref: SecretRef, options: WriteOptions = {}): Promise<void> {
    const expected = parseExpectedVersion(options.expectedVersion);
    return this.#audit.write(actor, "secret.delete", refTarget(ref), () =>
      this.#writer.delete(actor, ref, expected),
    );
  }

  // --- history (history.ts) -----------------------------------------------------------------

  /** The versions of a secret, newest first: who, when, which keys changed. Never values. */
  async history(actor: Actor, ref: SecretRef): Promise<SecretHistory> {
    // Metadata only (no values): audited like getMetadata, as a denial when it is one.
    return this.#audit.denialOnly(actor, refTarget(ref), () => this.#history.list(actor, ref));
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
    const expected = parseExpectedVersion(options.expectedVersion);
    const version = parseVersion(toVersion);
    return this.#audit.write(
      actor,
      "secret.rollback",
      { ...refTarget(ref), version },
      async () => {
        const old = await this.#history.read(actor, ref, version);
        const note = { action: "rollback" as const, rolledBackTo: old.version };
        return this.#writer.update(actor, { id: old.id }, replaceWith(old.values), expected, note);
      },
      written,
    );
  }

  // --- references ----------------------------------------------------------------------------

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
    // Of the document only the names it touched: never keys' values, never the rest of it.
    const names = [...new Set(findReferences(config).map((each) => each.reference.name))].sort();
    return this.#audit.read(actor, "secret.resolve", { names }, () =>
      this.#references.resolve(actor, config, level),
    );
  }

  // --- operations ----------------------------------------------------------------------------

  /** Repairs writes left half-done (by a crash or an outage) for longer than `olderThanMs`. */
  async reconcile(options: { olderThanMs?: number } = {}): Promise<ReconcileReport> {
    return this.#audit.write(operator(), "store.reconcile", {}, () =>
      reconcile(this.#writes, options.olderThanMs),
    );
  }

  /** Copies every secret's values between the primary and the backup store (backup-copy.ts). */
  async copyAllValues(
    direction: "to-backup" | "to-primary",
    options: { batchSize?: number } = {},
  ): Promise<CopyReport> {
    const action = direction === "to-backup" ? "store.backup" : "store.restore";
    return this.#audit.write(operator(), action, {}, () =>
      copyAllValues(this.#metadata, this.store, direction, options),
    );
  }

  /**
   * Moves every value from the primary store to the backup store (migrate-values.ts): the service
   * must have been opened with the migration's target as its backup store, so that writes made
   * meanwhile reach both. `target` names the target (no credentials) in the journal; a run for the
   * same target continues the unfinished one.
   */
  async migrateValues(target: string, options: MigrateOptions = {}): Promise<MigrationReport> {
    if (!(this.store instanceof MirroredStore)) throw noBackupStore();
    const journal = await MigrationJournal.open(this.#database, target, newMigrationId(), Date.now());
    const report = await migrateValues(
      this.#metadata,
      this.store.primary,
      this.store.backup,
      journal,
      options,
    );
    if (report.failed.length === 0) await journal.finish(Date.now());
    return report;
  }

  /** What `migrateValues(target)` would do (migrate-plan.ts): reads both stores, writes nothing. */
  async migrationPlan(target: string): Promise<MigrationPlan> {
    if (!(this.store instanceof MirroredStore)) throw noBackupStore();
    return planMigration(this.#metadata, this.#database, this.store.backup, target);
  }

  /** This deployment as `coffer diff` reads it: metadata and keyed hashes of values (diff-snapshot.ts). */
  snapshot(label: string = this.#database.location): SnapshotSource {
    return serviceSnapshot(label, this.#metadata, this.store);
  }

  /**
   * Every secret, whoever owns it, with its values (and older versions with `withHistory`), a page
   * at a time (backup-export.ts). For operators only: front ends check the caller is an admin.
   */
  exportSecrets(options: ExportOptions = {}): AsyncGenerator<ArchivedSecret> {
    return exportSecrets(this.#metadata, this.store, this.#history, options);
  }

  /** Writes an encrypted archive of every secret to `output` (@coffer/backup). */
  async backup(
    output: Writable,
    encryption: ArchiveEncryption,
    options: ExportOptions & { onProgress?: (progress: WriteProgress & { total: number }) => void } = {},
  ): Promise<ArchiveSummary> {
    const withHistory = options.withHistory === true;
    const onProgress = options.onProgress;
    // The total (counted once, before the walk) is what the progress bar's ETA is computed from.
    const total = onProgress ? await this.#metadata.countLive() : 0;
    return writeArchive(
      {
        header: { source: { storeType: this.store.type, deploymentId: this.deploymentId }, withHistory },
        secrets: this.exportSecrets(options),
      },
      output,
      encryption,
      onProgress ? { onProgress: (progress) => onProgress({ ...progress, total }) } : {},
    );
  }

  /** Restores an archive through this service (backup-restore.ts); `open` is called once per pass. */
  async restore(
    open: () => ArchiveInput,
    decryption: ArchiveDecryption,
    options: RestoreOptions = {},
  ): Promise<RestoreReport> {
    return restoreArchive(this, open, decryption, options);
  }

  /** The store that manages encryption keys (the primary, behind a backup mirror), if any. */
  keyRotatingStore(): KeyRotatingStore | undefined {
    return keyRotatingStore(this.store);
  }

  /** Rotates the store's encryption key online (`coffer store rotate-key`). */
  async rotateKey(options?: RotateKeyOptions): Promise<RotateKeyResult> {
    return this.#audit.write(operator(), "store.rotate-key", {}, () => rotateKey(this.store, options));
  }

  async health(): Promise<ServiceHealth> {
    return health(this.#metadata, this.store);
  }

  async close(): Promise<void> {
    try {
      await this.#audit.flush();
      await this.#audit.trail?.close();
      await this.store.close();
    } finally {
      await this.#database.close();
    }
  }
}

/** Which audited action an update is: a change of values first, then a rename, then visibility. */
function updateAction(input: UpdateSecretInput): "secret.update" | "secret.rename" | "secret.visibility" {
  if (input?.values !== undefined || input?.removeKeys !== undefined) return "secret.update";
  if (input?.name !== undefined) return "secret.rename";
  return "secret.visibility";
}

function updateTarget(input: UpdateSecretInput): { newName?: string; private?: boolean } {
  return {
    ...(typeof input?.name === "string" ? { newName: input.name.slice(0, 255) } : {}),
    ...(typeof input?.private === "boolean" ? { private: input.private } : {}),
  };
}

function written(metadata: SecretMetadata): { secretId: string; name: string; version: number } {
  return { secretId: metadata.id, name: metadata.name, version: metadata.version };
}

/** Operations have no Actor parameter: the one the request's audit context names, or the operator. */
function operator(): Actor {
  return { id: currentAuditContext()?.actor?.id ?? "operator" };
}
