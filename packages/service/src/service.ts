/**
 * The SecretsService: the one place where names, owners, visibility, versions, listing and
 * references live. Every interface (CLI, client, server) goes through it, and every backend sits
 * under it as a SecretsStore that only knows values by id.
 *
 * Consistency. There is no transaction spanning the metadata database and a cloud backend, so
 * each write follows a protocol whose every intermediate state is recognisable and repairable:
 *
 *   create  insert row (pending) → store.create → mark active
 *   update  lock row (active → updating, at version v) → store.update → commit (version v+1, active)
 *   delete  mark row (deleting) → store.delete → remove row
 *
 * Pending and deleting rows are invisible but keep their name reserved. A failure is compensated
 * when its outcome is known; when it is not (an outage mid-call), the row stays in its
 * transitional state and `reconcile()` finishes the job: a pending create completes if the values
 * reached the store and rolls back if not, an interrupted update takes whatever the store holds,
 * and an interrupted delete completes.
 */
import {
  type Actor,
  assertWithinLimit,
  BackendUnavailableError,
  type CreateSecretInput,
  IntegrityError,
  isCofferError,
  isKeyRotatingStore,
  isSecretId,
  type KeyRotatingStore,
  type ListQuery,
  type Logger,
  NotSupportedError,
  newSecretId,
  PermissionDeniedError,
  type ReferenceProblem,
  type RotateKeyOptions,
  type RotateKeyResult,
  Secret,
  SecretExistsError,
  type SecretMetadata,
  SecretNotFoundError,
  type SecretPage,
  type SecretRef,
  type SecretsSession,
  type SecretsStore,
  type SecretValidationLevel,
  type SecretValues,
  type UpdateSecretInput,
  ValidationError,
  VersionConflictError,
  validateSecretName,
  validateSecretValues,
  type WriteOptions,
} from "@coffer/core";
import { type Database, isUniqueViolation } from "@coffer/sql";
import { CursorSigner } from "./cursor-key.js";
import { buildListQuery, parseListQuery } from "./list-query.js";
import { MetadataRepository, rowToMetadata, scopeFor } from "./metadata.js";
import type { MetadataSealer } from "./metadata-seal.js";
import { MirroredStore, upsert } from "./mirrored-store.js";
import type { ReconcileReport } from "./reconcile-report.js";
import { ReferenceResolver } from "./references.js";
import type { SecretRow } from "./schema.js";
import { WriteQueue } from "./write-queue.js";

export interface CopyReport {
  /** Secrets whose values were written to the target. */
  copied: number;
  /** Secrets the source store holds no values for (listed, so that they can be looked into). */
  missing: string[];
  failed: Array<{ id: string; code: string }>;
}

/** Test hook: called before each step of a write; throwing there makes that step fail. */
export interface ServiceHooks {
  beforeStep?(step: string, secretId: string): void | Promise<void>;
}

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
}

export class SecretsService {
  readonly deploymentId: string;
  /** Seals metadata rows; the server's identity migration re-seals the rows it re-owns with it. */
  readonly sealer: MetadataSealer;
  readonly store: SecretsStore;
  readonly validationLevel: SecretValidationLevel;
  readonly #metadata: MetadataRepository;
  readonly #database: Database;
  readonly #logger: Logger;
  readonly #clock: () => number;
  readonly #hooks: ServiceHooks;
  readonly #leaseMs: number;
  readonly #references: ReferenceResolver;
  /** Loaded on the first list call: commands that never list never read it. */
  #cursorSigner: Promise<CursorSigner> | undefined;
  readonly #lockWaitMs: number;
  readonly #writers = new WriteQueue();

  constructor(options: ServiceOptions) {
    this.deploymentId = options.deploymentId;
    this.store = options.store;
    this.validationLevel = options.validationLevel ?? "SECRET_AND_KEY_EXISTS";
    this.#database = options.database;
    this.sealer = options.sealer;
    this.#metadata = new MetadataRepository(options.database, options.sealer);
    this.#logger = options.logger;
    this.#clock = options.clock ?? Date.now;
    this.#hooks = options.hooks ?? {};
    this.#leaseMs = options.leaseMs ?? 30_000;
    this.#lockWaitMs = options.lockWaitMs ?? 10_000;
    this.#references = new ReferenceResolver(this.#metadata, options.store);
  }

  get databaseLocation(): string {
    return this.#database.location;
  }

  /** The API as `actor` sees it, without passing the actor to every call. */
  as(actor: Actor): SecretsSession {
    return {
      create: (input) => this.create(actor, input),
      get: (ref) => this.get(actor, ref),
      getMetadata: (ref) => this.getMetadata(actor, ref),
      list: (query) => this.list(actor, query),
      update: (ref, input, options) => this.update(actor, ref, input, options),
      rename: (ref, newName, options) => this.rename(actor, ref, newName, options),
      setVisibility: (ref, isPrivate, options) => this.setVisibility(actor, ref, isPrivate, options),
      put: (name, values, options) => this.put(actor, name, values, options),
      delete: (ref, options) => this.delete(actor, ref, options),
      validateReferences: (config, level) => this.validateReferences(actor, config, level),
      resolveReferences: (config, level) => this.resolveReferences(actor, config, level),
    };
  }

  // --- reads ---------------------------------------------------------------------------------

  /** A secret with its values. SecretNotFoundError when it does not exist for this actor. */
  async get(actor: Actor, ref: SecretRef): Promise<Secret> {
    const row = await this.#find(actor, ref);
    return new Secret(rowToMetadata(row), await this.#readValues(actor, row));
  }

  /** A secret's metadata only: no call to the store. */
  async getMetadata(actor: Actor, ref: SecretRef): Promise<SecretMetadata> {
    return rowToMetadata(await this.#find(actor, ref));
  }

  /** One page of the secrets visible to `actor`. Never carries values. */
  async list(actor: Actor, query: ListQuery = {}): Promise<SecretPage> {
    const parsed = parseListQuery(query);
    const signer = await this.#metadata.run(() => this.#loadCursorSigner());
    const page = buildListQuery(this.#metadata.db, this.#database.dialect, actor.id, parsed, signer);
    const rows = await this.#metadata.run(() => page.run());
    const items = rows.slice(0, page.limit);
    // A row that fails its seal check is left out and reported, so that one tampered row cannot
    // break everyone's listing; reading it by name or id raises the IntegrityError.
    const sealed = this.#metadata.sealer!;
    const result: SecretPage = {
      items: items.flatMap((row) => {
        const problem = sealed.problem(row);
        if (!problem) return [rowToMetadata(row)];
        this.#logger.warn("secret metadata failed its integrity check; left out of the listing", {
          secretId: row.id,
          reason: problem,
        });
        return [];
      }),
    };
    // The cursor follows the last row read, listed or not, so paging goes on past a bad row.
    if (rows.length > page.limit) result.nextCursor = page.cursorFor(items.at(-1)!);
    return result;
  }

  // --- writes --------------------------------------------------------------------------------

  async create(actor: Actor, input: CreateSecretInput): Promise<Secret> {
    const name = validateSecretName(input?.name);
    const values = validateSecretValues(input?.values);
    const isPrivate = parseBoolean(input.private, "private") ?? false;
    this.#assertFits(values);
    const now = this.#clock();
    const id = newSecretId();
    const row: SecretRow = {
      id,
      name,
      owner: actor.id,
      private: isPrivate ? 1 : 0,
      scope: scopeFor(isPrivate, actor.id),
      version: 1,
      state: "pending",
      keys: JSON.stringify(Object.keys(values)),
      created_at: now,
      updated_at: now,
      state_since: now,
      mac: null, // sealed by the repository on insert
    };

    await this.#step("create.insert-pending", id);
    try {
      await this.#metadata.insert(row);
    } catch (error) {
      if (isUniqueViolation(error)) throw await this.#nameTakenOnCreate(actor, name, isPrivate);
      throw error;
    }

    try {
      await this.#step("create.store-values", id);
      await this.store.create(id, values);
    } catch (error) {
      await this.#undoCreate(id);
      throw error;
    }

    try {
      await this.#step("create.mark-active", id);
      await this.#metadata.transition(id, "pending", { state: "active" }, this.#clock());
    } catch (error) {
      // The caller hears of a failure, so try to leave nothing behind; if the database is
      // unreachable, reconcile() later finds the values in place and completes the create.
      await this.#undoCreate(id);
      throw error;
    }
    this.#logger.info("secret created", { secretId: id, actor: actor.id, private: isPrivate });
    return new Secret({ ...rowToMetadata(row), createdAt: new Date(now), updatedAt: new Date(now) }, values);
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
    // Check-and-set writers do not queue: one of them wins each version whatever the order, and
    // the others should hear at once (or once the write in flight settles) that they lost.
    if (expected !== undefined) return this.#updateInTurn(actor, ref, change, expected);
    return this.#writers.run(writeKey(actor, ref), () => this.#updateInTurn(actor, ref, change, expected));
  }

  /**
   * The update, once this process's earlier writers to the secret are done. Without an expected
   * version it waits out other processes' writes (last writer wins); with one it also waits for a
   * write in flight at that version to finish, since the write may yet be undone — and a conflict
   * reported only after that write settled sends the caller to read a version that is current.
   */
  async #updateInTurn(
    actor: Actor,
    ref: SecretRef,
    change: NormalizedUpdate,
    expected: number | undefined,
  ): Promise<SecretMetadata> {
    const deadline = performance.now() + this.#lockWaitMs;
    for (let attempt = 1; ; attempt++) {
      const row = await this.#find(actor, ref);
      if (expected !== undefined && row.version !== expected) throw versionConflict(row, expected);
      if (await this.#awaitUnlocked(row, deadline, attempt)) continue;

      const target = this.#targetMetadata(actor, row, change);
      const outcome = change.touchesValues
        ? await this.#updateValues(row, change, target)
        : await this.#updateMetadataOnly(row, target);
      if (outcome) {
        this.#logger.info("secret updated", { secretId: row.id, actor: actor.id, version: outcome.version });
        return outcome;
      }
      // Another process changed or locked the secret between our read and our write: look again.
      await this.#pause(row, deadline, attempt);
    }
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
    const isPrivate = options.private ?? false;
    if (expected !== undefined) return this.#putInTurn(actor, name, values, expected, isPrivate);
    return this.#writers.run(writeKey(actor, { name, private: isPrivate }), () =>
      this.#putInTurn(actor, name, values, expected, isPrivate),
    );
  }

  async #putInTurn(
    actor: Actor,
    name: string,
    values: Record<string, string>,
    expected: number | undefined,
    isPrivate: boolean,
  ): Promise<SecretMetadata> {
    const existing = await this.#metadata.findVisibleByName(actor.id, validateSecretName(name), isPrivate);
    if (!existing) {
      if (expected !== undefined && expected !== 0) {
        throw new VersionConflictError(
          `No ${visibilityWord(isPrivate)} secret named '${name}' exists, but version ${expected} was expected.`,
          {
            hint: "Use expected version 0 to create it.",
            details: { name, expected, actual: 0 },
          },
        );
      }
      try {
        return (await this.create(actor, { name, values, private: isPrivate })).metadata();
      } catch (error) {
        // Last writer wins: a create that lost the race to another writer's becomes an update.
        const winner =
          error instanceof SecretExistsError && expected === undefined
            ? await this.#metadata.findVisibleByName(actor.id, name, isPrivate)
            : undefined;
        if (winner) return this.update(actor, { id: winner.id }, { values, mode: "replace" });
        if (error instanceof SecretExistsError && expected === 0) {
          throw new VersionConflictError(
            `A ${visibilityWord(isPrivate)} secret named '${name}' was created meanwhile.`,
            {
              hint: "Read it and retry with its version.",
              details: { name, expected: 0 },
            },
          );
        }
        throw error;
      }
    }
    if (expected === 0) throw versionConflict(existing, 0);
    return this.update(
      actor,
      { id: existing.id },
      { values, mode: "replace" },
      { expectedVersion: expected ?? undefined },
    );
  }

  async delete(actor: Actor, ref: SecretRef, options: WriteOptions = {}): Promise<void> {
    const expected = parseExpectedVersion(options.expectedVersion);
    if (expected !== undefined) return this.#deleteInTurn(actor, ref, expected);
    await this.#writers.run(writeKey(actor, ref), () => this.#deleteInTurn(actor, ref, expected));
  }

  async #deleteInTurn(actor: Actor, ref: SecretRef, expected: number | undefined): Promise<void> {
    const deadline = performance.now() + this.#lockWaitMs;
    for (let attempt = 1; ; attempt++) {
      const row = await this.#find(actor, ref);
      if (expected !== undefined && row.version !== expected) throw versionConflict(row, expected);
      if (await this.#awaitUnlocked(row, deadline, attempt)) continue;

      await this.#step("delete.mark", row.id);
      const marked = await this.#metadata.transition(
        row.id,
        "active",
        { state: "deleting" },
        this.#clock(),
        row.version,
      );
      if (!marked) {
        await this.#pause(row, deadline, attempt);
        continue;
      }
      // From here on the secret is gone for readers. If the store cannot be reached, the row stays
      // in "deleting" and reconcile() finishes the delete later.
      await this.#step("delete.store-delete", row.id);
      await this.#deleteValues(row.id);
      await this.#step("delete.remove-row", row.id);
      await this.#metadata.remove(row.id, "deleting");
      this.#logger.info("secret deleted", { secretId: row.id, actor: actor.id });
      return;
    }
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
    return this.#references.resolve(actor, config, level);
  }

  // --- operations ----------------------------------------------------------------------------

  /** Repairs writes left half-done (by a crash or an outage) for longer than `olderThanMs`. */
  async reconcile(options: { olderThanMs?: number } = {}): Promise<ReconcileReport> {
    const report: ReconcileReport = {
      completedCreates: [],
      rolledBackCreates: [],
      completedUpdates: [],
      completedDeletes: [],
      failed: [],
    };
    const stuck = await this.#metadata.findStuck(this.#clock() - (options.olderThanMs ?? this.#leaseMs));
    for (const row of stuck) {
      try {
        // A tampered row is reported, never repaired: repairing would seal what someone changed.
        this.#metadata.verify(row);
        await this.#repair(row, report);
      } catch (error) {
        report.failed.push({ id: row.id, code: isCofferError(error) ? error.code : "UNKNOWN" });
      }
    }
    const repaired =
      report.completedCreates.length +
      report.rolledBackCreates.length +
      report.completedUpdates.length +
      report.completedDeletes.length;
    if (repaired > 0 || report.failed.length > 0) {
      this.#logger.warn("reconcile repaired interrupted writes", { repaired, failed: report.failed.length });
    }
    return report;
  }

  /**
   * Copies every secret's values between the primary and the backup store (configured with
   * COFFER_BACKUP_STORE_*): "to-backup" before making the backup the new primary, "to-primary" to
   * restore. Runs in batches and may run while the service serves; writes made meanwhile go to
   * both stores anyway.
   */
  async copyAllValues(
    direction: "to-backup" | "to-primary",
    options: { batchSize?: number } = {},
  ): Promise<CopyReport> {
    if (!(this.store instanceof MirroredStore)) {
      throw new NotSupportedError("No backup store is configured.", {
        hint: "Set COFFER_BACKUP_STORE_TYPE (and its options) to copy values between two stores.",
      });
    }
    const [source, target] =
      direction === "to-backup"
        ? [this.store.primary, this.store.backup]
        : [this.store.backup, this.store.primary];
    const report: CopyReport = { copied: 0, missing: [], failed: [] };
    const batchSize = options.batchSize ?? 100;
    let after = "";
    for (;;) {
      const rows = await this.#metadata.run((db) =>
        db
          .selectFrom("coffer_secrets")
          .select(["id"])
          .where("id", ">", after)
          .where("state", "in", ["active", "updating"])
          .orderBy("id")
          .limit(batchSize)
          .execute(),
      );
      if (rows.length === 0) return report;
      after = rows.at(-1)!.id;
      const ids = rows.map((row) => row.id);
      const found = await source.getMany(ids);
      for (const id of ids) {
        const values = found.get(id);
        if (!values) {
          report.missing.push(id);
          continue;
        }
        try {
          await upsert(target, id, values);
          report.copied++;
        } catch (error) {
          report.failed.push({ id, code: isCofferError(error) ? error.code : "UNKNOWN" });
        }
      }
    }
  }

  /** The store that manages encryption keys (the primary, behind a backup mirror), if any. */
  keyRotatingStore(): KeyRotatingStore | undefined {
    const store = this.store instanceof MirroredStore ? this.store.primary : this.store;
    return isKeyRotatingStore(store) ? store : undefined;
  }

  /** Rotates the store's encryption key online (`coffer store rotate-key`). */
  async rotateKey(options?: RotateKeyOptions): Promise<RotateKeyResult> {
    const store = this.keyRotatingStore();
    if (!store) {
      throw new NotSupportedError(
        `The '${this.store.type}' store has no encryption keys that Coffer manages.`,
        {
          hint: "Key rotation applies to the embedded sql store; a cloud store rotates keys in its own service.",
          details: { storeType: this.store.type, operation: "rotateKey" },
        },
      );
    }
    return store.rotateKey(options);
  }

  async health(): Promise<{
    status: "ready" | "error";
    metadata: { status: "ready" | "error"; latencyMs: number; message?: string };
    store: Awaited<ReturnType<SecretsStore["health"]>>;
  }> {
    const started = performance.now();
    let metadata: { status: "ready" | "error"; latencyMs: number; message?: string };
    try {
      await this.#metadata.run((db) => db.selectFrom("coffer_deployment").select("id").limit(1).execute());
      metadata = {
        status: "ready",
        latencyMs: performance.now() - started,
        message: this.#database.location,
      };
    } catch (error) {
      metadata = {
        status: "error",
        latencyMs: performance.now() - started,
        message: (error as Error).message,
      };
    }
    const store = await this.store.health();
    return {
      status: metadata.status === "ready" && store.status === "ready" ? "ready" : "error",
      metadata,
      store,
    };
  }

  async close(): Promise<void> {
    try {
      await this.store.close();
    } finally {
      await this.#database.close();
    }
  }

  // --- internals -----------------------------------------------------------------------------

  #loadCursorSigner(): Promise<CursorSigner> {
    this.#cursorSigner ??= CursorSigner.load(this.#database, this.#clock()).catch((error: unknown) => {
      this.#cursorSigner = undefined; // try again on the next call (the database may be back)
      throw error;
    });
    return this.#cursorSigner;
  }

  async #find(actor: Actor, ref: SecretRef): Promise<SecretRow> {
    const row = await this.#lookup(actor, ref);
    if (!row) throw notFound(ref);
    return row;
  }

  async #lookup(actor: Actor, ref: SecretRef): Promise<SecretRow | undefined> {
    if (ref === null || typeof ref !== "object") {
      throw new ValidationError("A secret reference must be { id } or { name, private? }.", {
        details: { field: "ref" },
      });
    }
    if ("id" in ref) {
      if (!isSecretId(ref.id)) throw notFound(ref);
      return this.#metadata.findVisibleById(actor.id, ref.id);
    }
    const isPrivate = parseBoolean(ref.private, "private");
    return this.#metadata.findVisibleByName(actor.id, validateSecretName(ref.name), isPrivate);
  }

  /**
   * The name is taken. If what holds it is an earlier create that never finished (an outage cut
   * it short), say so: the name frees itself once that create is repaired.
   */
  async #nameTakenOnCreate(actor: Actor, name: string, isPrivate: boolean): Promise<SecretExistsError> {
    const holder = await this.#metadata
      .run((db) =>
        db
          .selectFrom("coffer_secrets")
          .select(["state", "state_since"])
          .where("name", "=", name)
          .where("scope", "=", scopeFor(isPrivate, actor.id))
          .executeTakeFirst(),
      )
      .catch(() => undefined);
    if (holder?.state !== "pending") return nameTaken(name, isPrivate);
    const waitSeconds = Math.max(
      1,
      Math.ceil((Number(holder.state_since) + this.#leaseMs - this.#clock()) / 1000),
    );
    return new SecretExistsError(`An earlier create of '${name}' did not finish, and still holds the name.`, {
      hint: `It is repaired (kept if its values were stored, else removed) by coffer reconcile, which may act on it in ${waitSeconds} s; then retry.`,
      details: { name, private: isPrivate, state: "pending" },
    });
  }

  async #readValues(actor: Actor, row: SecretRow): Promise<SecretValues> {
    try {
      return await this.store.get(row.id);
    } catch (error) {
      if (!(error instanceof SecretNotFoundError)) throw error;
      // Deleted between our two reads: then it is simply gone. Still listed: its values are lost.
      const again = await this.#metadata.findVisibleById(actor.id, row.id);
      if (!again) throw notFound({ id: row.id });
      throw new IntegrityError(
        `The values of secret '${row.name}' are missing from the '${this.store.type}' store.`,
        {
          hint: "Someone removed them outside Coffer; restore them from a backup, or delete the secret.",
          details: { id: row.id, name: row.name },
        },
      );
    }
  }

  /**
   * Returns true when the caller should look again: the row was locked by a write in flight (we
   * waited a little) or abandoned past its lease (we repaired it).
   */
  async #awaitUnlocked(row: SecretRow, deadline: number, attempt: number): Promise<boolean> {
    if (row.state === "active") return false;
    if (this.#clock() - Number(row.state_since) > this.#leaseMs) {
      await this.#repair(row, undefined);
      return true;
    }
    await this.#pause(row, deadline, attempt);
    return true;
  }

  /** Waits before looking at a contended row again; gives up once the deadline has passed. */
  async #pause(row: SecretRow, deadline: number, attempt: number): Promise<void> {
    // Real time, not the injectable clock: this bounds how long a caller actually waits.
    if (performance.now() >= deadline) throw busy(row, this.#lockWaitMs);
    await backoff(attempt);
  }

  #targetMetadata(actor: Actor, row: SecretRow, change: NormalizedUpdate) {
    const isPrivate = change.private ?? Number(row.private) === 1;
    if (change.private !== undefined && isPrivate !== (Number(row.private) === 1) && row.owner !== actor.id) {
      throw new PermissionDeniedError(
        `Only the owner of '${row.name}' (${row.owner}) can change its visibility.`,
        {
          hint: "Ask the owner, or copy the values into a secret of your own.",
          details: { id: row.id, owner: row.owner },
        },
      );
    }
    if (change.removeKeys.length > 0) {
      const keys = JSON.parse(row.keys) as string[];
      const missing = change.removeKeys.filter((key) => !keys.includes(key));
      if (missing.length > 0 && change.mode === "merge") {
        throw new ValidationError(`The secret '${row.name}' has no key '${missing[0]}' to remove.`, {
          hint: `Its keys are: ${keys.join(", ") || "(none)"}.`,
          details: { field: "removeKeys", key: missing[0]! },
        });
      }
    }
    return {
      name: change.name ?? row.name,
      private: isPrivate ? 1 : 0,
      scope: scopeFor(isPrivate, row.owner),
    };
  }

  async #updateMetadataOnly(row: SecretRow, target: { name: string; private: number; scope: string }) {
    await this.#step("update.metadata", row.id);
    const now = this.#clock();
    let changed: boolean;
    try {
      changed = await this.#metadata.transition(
        row.id,
        "active",
        { state: "active", ...target, version: row.version + 1, updated_at: now },
        now,
        row.version,
        row,
      );
    } catch (error) {
      if (isUniqueViolation(error)) throw nameTaken(target.name, target.private === 1);
      throw error;
    }
    if (!changed) return undefined;
    return rowToMetadata({ ...row, ...target, version: row.version + 1, updated_at: now });
  }

  async #updateValues(
    row: SecretRow,
    change: NormalizedUpdate,
    target: { name: string; private: number; scope: string },
  ) {
    await this.#step("update.lock", row.id);
    let locked: boolean;
    try {
      locked = await this.#metadata.transition(
        row.id,
        "active",
        { state: "updating", ...target },
        this.#clock(),
        row.version,
        row,
      );
    } catch (error) {
      if (isUniqueViolation(error)) throw nameTaken(target.name, target.private === 1);
      throw error;
    }
    if (!locked) return undefined;

    let current: SecretValues;
    let next: SecretValues;
    try {
      await this.#step("update.read-values", row.id);
      current = await this.store.get(row.id);
      next = applyChange(current, change, row.name);
      this.#assertFits(next);
    } catch (error) {
      await this.#unlock(row);
      throw error;
    }

    try {
      await this.#step("update.store-values", row.id);
      await this.store.update(row.id, next);
    } catch (error) {
      if (!(await this.#settleFailedWrite(row, current, next, error))) throw error;
    }

    await this.#step("update.commit", row.id);
    const now = this.#clock();
    const keys = JSON.stringify(Object.keys(next));
    await this.#metadata.transition(
      row.id,
      "updating",
      { state: "active", version: row.version + 1, keys, updated_at: now },
      now,
      row.version,
      { ...row, ...target },
    );
    return rowToMetadata({ ...row, ...target, version: row.version + 1, keys, updated_at: now });
  }

  /**
   * After store.update failed: if the store certainly did not apply the write, unlock and let the
   * error through; if it did apply it after all, carry on (returns true); if we cannot tell (the
   * store is unreachable), leave the row locked for reconcile to finish.
   */
  async #settleFailedWrite(
    row: SecretRow,
    current: SecretValues,
    next: SecretValues,
    error: unknown,
  ): Promise<boolean> {
    const definite = isCofferError(error) && !error.retryable && error.code !== "INTEGRITY";
    if (definite) {
      await this.#unlock(row);
      return false;
    }
    try {
      const now = await this.store.get(row.id);
      if (sameValues(now, next)) return true;
      if (sameValues(now, current)) await this.#unlock(row);
    } catch {
      this.#logger.warn("update interrupted; reconcile will finish it", { secretId: row.id });
    }
    return false;
  }

  /** Puts a locked row back as it was before the update started. */
  async #unlock(row: SecretRow): Promise<void> {
    try {
      await this.#step("update.compensate", row.id);
      await this.#metadata.transition(
        row.id,
        "updating",
        { state: "active", name: row.name, private: row.private, scope: row.scope },
        this.#clock(),
        row.version,
        row,
      );
    } catch {
      this.#logger.warn("could not unlock an update; reconcile will finish it", { secretId: row.id });
    }
  }

  async #undoCreate(id: string): Promise<void> {
    try {
      await this.#step("create.compensate", id);
      await this.#deleteValues(id);
      await this.#metadata.remove(id, "pending");
    } catch {
      this.#logger.warn("could not undo a failed create; reconcile will finish it", { secretId: id });
    }
  }

  async #deleteValues(id: string): Promise<void> {
    try {
      await this.store.delete(id);
    } catch (error) {
      if (!(error instanceof SecretNotFoundError)) throw error;
    }
  }

  async #repair(row: SecretRow, report: ReconcileReport | undefined): Promise<void> {
    const now = this.#clock();
    switch (row.state) {
      case "pending": {
        const found = (await this.store.getMany([row.id])).get(row.id);
        if (found) {
          const keys = JSON.stringify(Object.keys(found));
          await this.#metadata.transition(row.id, "pending", { state: "active", keys }, now, undefined, row);
          report?.completedCreates.push(row.id);
        } else {
          // Unreadable is not always empty: a store whose create takes several calls can hold
          // part of one (gcp: a secret without a version). Remove what is there before giving
          // the id up, or it would stay behind in the backend for good.
          await this.#deleteValues(row.id);
          await this.#metadata.remove(row.id, "pending");
          report?.rolledBackCreates.push(row.id);
        }
        return;
      }
      case "updating": {
        const values = await this.store.get(row.id);
        await this.#metadata.transition(
          row.id,
          "updating",
          {
            state: "active",
            version: Number(row.version) + 1,
            keys: JSON.stringify(Object.keys(values)),
            updated_at: now,
          },
          now,
          Number(row.version),
          row,
        );
        report?.completedUpdates.push(row.id);
        return;
      }
      case "deleting":
        await this.#deleteValues(row.id);
        await this.#metadata.remove(row.id, "deleting");
        report?.completedDeletes.push(row.id);
        return;
      case "active":
        return;
    }
  }

  #assertFits(values: SecretValues): void {
    assertWithinLimit(this.store.type, this.store.capabilities().maxValueBytes, "(new)", values);
  }

  async #step(step: string, id: string): Promise<void> {
    await this.#hooks.beforeStep?.(step, id);
  }
}

// --- update input ------------------------------------------------------------------------------

interface NormalizedUpdate {
  mode: "merge" | "replace";
  set: SecretValues;
  removeKeys: string[];
  name?: string;
  private?: boolean;
  touchesValues: boolean;
}

function normalizeUpdate(input: UpdateSecretInput): NormalizedUpdate {
  if (input === null || typeof input !== "object") {
    throw new ValidationError("The update must be an object.", { details: { field: "update" } });
  }
  const mode = input.mode ?? "merge";
  if (mode !== "merge" && mode !== "replace") {
    throw new ValidationError(`The update mode '${String(mode)}' is not known.`, {
      hint: "Use 'merge' (the default) or 'replace'.",
      details: { field: "mode" },
    });
  }
  const removeKeys = [...(input.removeKeys ?? [])];
  if (!Array.isArray(input.removeKeys ?? []) || removeKeys.some((key) => typeof key !== "string")) {
    throw new ValidationError("removeKeys must be a list of key names.", {
      details: { field: "removeKeys" },
    });
  }
  // A null-prototype map: a key such as "__proto__" is an ordinary key here, never a prototype.
  const set: Record<string, string> = Object.create(null);
  if (input.values !== undefined) {
    if (input.values === null || typeof input.values !== "object" || Array.isArray(input.values)) {
      throw new ValidationError("The update's values must be an object of key/value pairs.", {
        details: { field: "values" },
      });
    }
    for (const [key, value] of Object.entries(input.values)) {
      if (value === null) {
        if (mode === "replace") {
          throw new ValidationError(`Key '${key}' is null in a replacing update.`, {
            hint: "In replace mode leave the key out instead; null removes a key only when merging.",
            details: { field: "values", key },
          });
        }
        removeKeys.push(key);
      } else {
        set[key] = value;
      }
    }
  }
  const clash = removeKeys.find((key) => Object.hasOwn(set, key));
  if (clash !== undefined) {
    throw new ValidationError(`Key '${clash}' is both set and removed.`, {
      hint: "Either give it a value or remove it.",
      details: { field: "values", key: clash },
    });
  }
  const normalized: NormalizedUpdate = {
    mode,
    set: validateSecretValues(set),
    removeKeys,
    touchesValues: input.values !== undefined || removeKeys.length > 0,
  };
  if (input.name !== undefined) normalized.name = validateSecretName(input.name);
  const isPrivate = parseBoolean(input.private, "private");
  if (isPrivate !== undefined) normalized.private = isPrivate;
  if (!normalized.touchesValues && normalized.name === undefined && normalized.private === undefined) {
    throw new ValidationError("The update changes nothing.", {
      hint: "Give new values, keys to remove, a new name or a new visibility.",
      details: { field: "update" },
    });
  }
  return normalized;
}

function applyChange(current: SecretValues, change: NormalizedUpdate, name: string): SecretValues {
  if (change.mode === "replace") return { ...change.set };
  // Spreads define own properties, so "__proto__" or "constructor" stay ordinary keys; assigning
  // them one by one (or Object.assign) would call the prototype setter instead.
  const next: SecretValues = Object.assign(Object.create(null), current);
  for (const key of change.removeKeys) {
    if (!Object.hasOwn(next, key)) {
      throw new ValidationError(`The secret '${name}' has no key '${key}' to remove.`, {
        hint: `Its keys are: ${Object.keys(current).join(", ") || "(none)"}.`,
        details: { field: "removeKeys", key },
      });
    }
    delete next[key];
  }
  return { ...next, ...change.set };
}

// --- small helpers -----------------------------------------------------------------------------

function parseBoolean(value: unknown, field: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "boolean") return value;
  throw new ValidationError(`'${field}' must be true or false, not ${JSON.stringify(value)}.`, {
    hint: `Pass ${field}: true or ${field}: false.`,
    details: { field },
  });
}

function parseExpectedVersion(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "number" && Number.isInteger(value) && value >= 0) return value;
  throw new ValidationError(
    `The expected version must be a whole number ≥ 0, not ${JSON.stringify(value)}.`,
    {
      hint: "Pass the version you read (0 means the secret must not exist yet).",
      details: { field: "expectedVersion" },
    },
  );
}

/**
 * The queue a write joins (see WriteQueue), taken from the reference as given so that a process's
 * writers line up in the order they were called, before any lookup. Writes naming one secret in
 * two ways (by id, by name) queue apart and meet at the row lock instead.
 */
function writeKey(actor: Actor, ref: SecretRef): string {
  if (ref !== null && typeof ref === "object" && "id" in ref) return `id\u0000${String(ref.id)}`;
  const named = ref as { name?: unknown; private?: unknown } | null;
  return `name\u0000${actor.id}\u0000${String(named?.private)}\u0000${String(named?.name)}`;
}

function sameValues(a: SecretValues, b: SecretValues): boolean {
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && a[key] === b[key])
  );
}

function visibilityWord(isPrivate: boolean): string {
  return isPrivate ? "private" : "public";
}

function notFound(ref: SecretRef): SecretNotFoundError {
  if ("id" in ref) {
    return new SecretNotFoundError(`No secret with id ${String(ref.id).slice(0, 64)} exists.`, {
      hint: "Check the id; `coffer secret list` shows the secrets you can see.",
      details: { id: String(ref.id).slice(0, 64) },
    });
  }
  const which = ref.private === undefined ? "" : `${visibilityWord(ref.private)} `;
  return new SecretNotFoundError(`No ${which}secret named '${ref.name}' exists.`, {
    hint: "Check the name; `coffer secret list` shows the secrets you can see.",
    details: { name: ref.name },
  });
}

function nameTaken(name: string, isPrivate: boolean): SecretExistsError {
  return new SecretExistsError(
    isPrivate
      ? `You already have a private secret named '${name}'.`
      : `A public secret named '${name}' already exists.`,
    {
      hint: "Choose another name, or update the existing secret.",
      details: { name, private: isPrivate },
    },
  );
}

function versionConflict(row: SecretRow, expected: number): VersionConflictError {
  return new VersionConflictError(`The secret '${row.name}' is at version ${row.version}, not ${expected}.`, {
    hint: "Someone changed it since you read it: read it again and retry with its current version.",
    details: { id: row.id, expected, actual: Number(row.version) },
  });
}

/**
 * Another process kept the secret locked for the whole wait. Not a version conflict (the caller
 * may not have asked for a version at all): the write did not happen, and may simply be retried.
 */
function busy(row: SecretRow, waitedMs: number): BackendUnavailableError {
  return new BackendUnavailableError(
    `The secret '${row.name}' stayed locked by other writes for ${Math.round(waitedMs / 1000)} s; this change was not applied.`,
    {
      hint: "Retry in a moment.",
      details: { id: row.id, reason: "locked" },
    },
  );
}

/**
 * Exponential backoff with full jitter (2 ms doubling to at most 50 ms, a random part of it):
 * writers in other processes that met the same lock spread out instead of retrying in step.
 */
async function backoff(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(50, 2 ** Math.min(attempt, 6));
  await new Promise((resolve) => setTimeout(resolve, ms));
}
