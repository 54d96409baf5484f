/**
 * Local mode: the SecretsService in this process, opened from the deploy-time configuration — by
 * default the embedded store, a SQLite file (metadata and encrypted values) in the user's data
 * directory, created on first use. Opening is deferred to the first call that needs it, so a
 * client that is created and never used costs nothing.
 */
import type { Writable } from "node:stream";
import type { AuditFilter, AuditRecord, AuditTrail, VerifyReport } from "@coffer/audit";
import { currentAuditContext, SDK_ORIGIN, withAuditContext } from "@coffer/audit/context";
import type { ArchiveInput } from "@coffer/backup";
import {
  AuditUnavailableError,
  createLogger,
  type Logger,
  type SecretsSession,
  type SecretsStore,
} from "@coffer/core";
import { type CofferConfig, describeStoreOptions } from "@coffer/core/config";
import { archiveSnapshot, openService, type SecretDiff, type SecretsService } from "@coffer/service";
import type {
  BackupRequest,
  BackupResult,
  DiffRequest,
  KeyRotationResult,
  ReconcileResult,
  RestoreReport,
  RestoreRequest,
  RotateKeyOptions,
  StoreInfo,
  Transport,
} from "./transport.js";
import type { WatchEvent, WatchOptions } from "./watch.js";

export interface LocalTransportOptions {
  /** The user id (worked out on first use: the OS lookup may fail, and then only when needed). */
  user: () => string;
  config: () => Promise<CofferConfig>;
  /** Whether COFFER_LOG_LEVEL was set; if not, the client logs warnings and errors only. */
  logLevelExplicit: boolean;
  logger?: Logger;
}

export class LocalTransport implements Transport {
  readonly mode = "local" as const;
  readonly #options: LocalTransportOptions;
  #opening: Promise<{ service: SecretsService; config: CofferConfig }> | undefined;
  #closed = false;

  constructor(options: LocalTransportOptions) {
    this.#options = options;
  }

  async session(): Promise<SecretsSession> {
    const { service } = await this.#open();
    return service.as({ id: this.#options.user() });
  }

  async storeInfo(): Promise<StoreInfo> {
    const { service, config } = await this.#open();
    const health = await service.health();
    const store = service.store;
    const info: StoreInfo = {
      mode: "local",
      user: this.#options.user(),
      status: health.status,
      deploymentId: service.deploymentId,
      store: {
        type: store.type,
        description: config.store.registration.description,
        location: health.store.message ?? store.type,
        options: describeStoreOptions(config.store),
        capabilities: store.capabilities(),
        keyRotation: service.keyRotatingStore() !== undefined,
        health: health.store,
      },
      metadata: { ...health.metadata, location: service.databaseLocation },
      dataDir: config.dataDir,
    };
    if (config.store.module) info.store.module = config.store.module;
    const backup = (store as { backup?: SecretsStore }).backup;
    if (config.backupStore && backup) {
      const backupHealth = await backup.health();
      info.backup = {
        type: backup.type,
        location: backupHealth.message ?? backup.type,
        options: describeStoreOptions(config.backupStore),
        health: backupHealth,
      };
    }
    if (config.configFile) info.configFile = config.configFile;
    const keyStore = service.keyRotatingStore();
    if (keyStore) {
      const keys = await keyStore.keyStatus();
      info.store.keys = {
        source: keys.source,
        activeKeyId: keys.activeKeyId,
        keyCount: keys.keys.length,
        missing: keys.missing.length,
      };
    }
    return info;
  }

  async rotateKey(options?: RotateKeyOptions): Promise<KeyRotationResult> {
    const { service } = await this.#open();
    return service.rotateKey(options);
  }

  async reconcile(options?: { olderThanMs?: number }): Promise<ReconcileResult> {
    const { service } = await this.#open();
    return service.reconcile(options);
  }

  async auditRecords(filter: AuditFilter): Promise<AuditRecord[]> {
    const trail = await this.#trail();
    const records = await trail.list(filter);
    await this.#recordAuditRead(trail, "list");
    return records;
  }

  async verifyAudit(): Promise<VerifyReport> {
    const trail = await this.#trail();
    const report = await trail.verify();
    await this.#recordAuditRead(trail, "verify");
    return report;
  }

  async #trail(): Promise<AuditTrail> {
    const { service } = await this.#open();
    const trail = service.audit;
    if (!trail?.enabled) {
      throw new AuditUnavailableError("This deployment keeps no audit log (COFFER_AUDIT_SINKS is empty).", {
        hint: "Set COFFER_AUDIT_SINKS=database (the default) to keep one.",
        details: { sink: "none" },
      });
    }
    return trail;
  }

  /** Reading the log is recorded too (before the records are shown: no audit, no access). */
  async #recordAuditRead(trail: AuditTrail, what: string): Promise<void> {
    await trail.record({
      action: "audit.read",
      actor: { id: this.#options.user() },
      origin: { kind: "cli-local" },
      target: { route: what },
      outcome: "ok",
    });
  }

  async backup(output: Writable, request: BackupRequest): Promise<BackupResult> {
    const { service } = await this.#open();
    const summary = await this.#asUser(() =>
      service.backup(output, request.encryption, {
        withHistory: request.withHistory === true,
        ...(request.onProgress ? { onProgress: request.onProgress } : {}),
      }),
    );
    return { summary, encryptedBytes: summary.encryptedBytes ?? 0 };
  }

  async restore(open: () => ArchiveInput, request: RestoreRequest): Promise<RestoreReport> {
    const { service, config } = await this.#open();
    return this.#asUser(() =>
      service.restore(open, request.decryption, {
        journalDir: config.dataDir,
        ...(request.onConflict ? { onConflict: request.onConflict } : {}),
        ...(request.dryRun ? { dryRun: true } : {}),
        ...(request.onProgress ? { onProgress: request.onProgress } : {}),
        ...(request.writeDelayMs ? { writeDelayMs: request.writeDelayMs } : {}),
        ...(request.concurrency ? { concurrency: request.concurrency } : {}),
      }),
    );
  }

  async diffArchive(open: () => ArchiveInput, request: DiffRequest): Promise<SecretDiff> {
    const { service } = await this.#open();
    return this.#asUser(() =>
      service.diff(archiveSnapshot("archive", open, request.decryption), { against: "archive" }),
    );
  }

  /**
   * Runs a deployment-wide call with the client's user as the audit log's actor (the service
   * records those calls as the request's actor, else as "operator").
   */
  #asUser<T>(work: () => Promise<T>): Promise<T> {
    const context = currentAuditContext();
    const actor = { id: this.#options.user() };
    return withAuditContext({ ...context, origin: context?.origin ?? SDK_ORIGIN, actor }, work);
  }

  /** The embedded service's feed (names are filtered by the caller, CofferClient.watch). */
  async *changes(_names: string[] | undefined, options: WatchOptions): AsyncGenerator<WatchEvent> {
    const { service } = await this.#open();
    const signal = options.signal ?? new AbortController().signal;
    let started = false;
    for await (const batch of service.changes.follow(this.#options.user(), options.since, signal)) {
      if (batch.gone) yield { kind: "reset", id: batch.cursor };
      else if (!started && options.since === undefined) options.onReady?.(batch.cursor);
      else for (const event of batch.events) yield { kind: "change", ...event };
      started = true;
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    const opening = this.#opening;
    this.#opening = undefined;
    if (!opening) return;
    const opened = await opening.catch(() => undefined);
    await opened?.service.close();
  }

  #open(): Promise<{ service: SecretsService; config: CofferConfig }> {
    if (this.#closed) {
      return Promise.reject(new Error("This Coffer client is closed; create a new one with createClient()."));
    }
    if (this.#opening) return this.#opening;
    const opening = (async () => {
      const config = await this.#options.config();
      const logger =
        this.#options.logger ??
        createLogger({
          level: this.#options.logLevelExplicit ? config.logLevel : "warn",
          base: { component: "coffer" },
        });
      const service = await openService(config, { logger });
      return { service, config };
    })();
    this.#opening = opening;
    // A failed open is not kept: the next call tries again (the database may be back).
    opening.catch(() => {
      if (this.#opening === opening) this.#opening = undefined;
    });
    return opening;
  }
}
