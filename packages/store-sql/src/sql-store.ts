/**
 * The sql store: each secret's values as one encrypted row, in the metadata database by default
 * (one SQLite file for the embedded setup; one pool for PostgreSQL or MySQL) or in a database of
 * its own (`url`).
 *
 * Encryption is AES-256-GCM per row (envelope.ts) under a keyring (keyring-in-use.ts): one key active for
 * writes, older keys kept for reading until rotation has moved every row off them.
 */
import path from "node:path";
import {
  AbstractSecretsStore,
  assertSecretId,
  chunk,
  type HealthReport,
  InvalidConfigError,
  type KeyStatus,
  probeHealth,
  type RetireKeysResult,
  type RotateKeyOptions,
  type RotateKeyResult,
  type SecretId,
  type SecretValues,
  type StoreCapabilities,
  type StoreContext,
  type UpdateOptions,
} from "@coffer/core";
import { type Database, migrate, openDatabase } from "@coffer/sql";
import { DataKeyRows } from "./data-key-rows.js";
import type { StoredRow } from "./deployment-rows.js";
import {
  busy,
  conflict,
  exists,
  noRevision,
  notFound,
  notKms,
  notReady,
  singleKeyCannotRotate,
} from "./errors.js";
import type { KeySourceLoaders } from "./kek.js";
import type { KeySet } from "./key-set.js";
import { FileKeySource, type KeySource, StaticKeySource } from "./key-source.js";
import { checkKeyring, lostDataKeysError, lostKeyringError } from "./keyring-check.js";
import { KEYRING_RECHECK_MS, KeyringInUse, type StoreState } from "./keyring-in-use.js";
import { createKek } from "./kms-config.js";
import { KmsKeySource, type RewrapResult } from "./kms-key-source.js";
import { BATCH_GET_MAX, KEYRING_SOURCE, type ParsedSqlStoreOptions } from "./options.js";
import { assertBatchSize, reencrypt } from "./rotation.js";
import { MIGRATIONS_TABLE, migrations } from "./schema.js";
import { ValuesTable } from "./values-table.js";

export const KEYRING_FILE_NAME = "sql-store.keyring.json";

/** How often an unconditional update seals again after losing its revision to another writer. */
const UPDATE_ATTEMPTS = 20;

export class SqlStore extends AbstractSecretsStore {
  readonly type = "sql";
  readonly #options: ParsedSqlStoreOptions;
  readonly #context: StoreContext;
  readonly #keySources: KeySourceLoaders;
  #keys: KeySource | undefined;
  #keyring: KeyringInUse;
  #state: StoreState = "new";
  #database: Database | undefined;
  #table: ValuesTable | undefined;

  /** `keySources`: the KMS key sources option `keySource` may name (see `sqlStoreWithKeySources`). */
  constructor(options: ParsedSqlStoreOptions, context: StoreContext, keySources: KeySourceLoaders = {}) {
    super();
    this.#options = options;
    this.#context = context;
    this.#keySources = keySources;
    // A KMS key source is made at init (it loads its package and needs the database).
    if (options.keySource !== KEYRING_SOURCE) this.#keys = undefined;
    else if (options.encryptionKey !== undefined) this.#keys = StaticKeySource.fromKey(options.encryptionKey);
    else if (options.keyring !== undefined) this.#keys = StaticKeySource.fromKeyring(options.keyring);
    else {
      const file = options.keyringFile ?? path.join(context.dataDir, KEYRING_FILE_NAME);
      this.#keys = new FileKeySource(path.resolve(file), context.logger);
    }
    this.#keyring = this.#keyringInUse();
  }

  #keyringInUse(): KeyringInUse {
    const context = this.#context;
    return new KeyringInUse(this.#keys!, context.deploymentId, context.logger, () => this.#state);
  }

  capabilities(): StoreCapabilities {
    return {
      access: "read-write",
      maxValueBytes: this.#options.maxValueBytes,
      batchGetMax: BATCH_GET_MAX,
      versions: true,
      cas: true,
      softDelete: false,
    };
  }

  /**
   * Connects, creates or upgrades the tables, loads the keyring and checks it against the rows.
   *
   * A keyring that cannot read any stored row fails here (IntegrityError naming the key ids) rather
   * than starting a store whose every read would fail: that is a lost keyring file or a wrong key,
   * and the operator must see it at start. A keyring missing only some of the keys in use starts
   * with a warning per missing key: the other secrets stay available, and each read of an affected
   * one names the key to add back. A missing keyring file is never replaced by a new key while
   * encrypted rows exist.
   */
  async init(): Promise<void> {
    if (this.#state === "closed") throw notReady("closed");
    const table = this.#openTable();
    await migrate(this.#database!, MIGRATIONS_TABLE, migrations);
    const keys = await this.#keySource();
    const keyring = await keys.load(async () => {
      if ((await table.keyIds()).length === 0) return;
      if (keys instanceof KmsKeySource) throw lostDataKeysError(keys.origin, await table.keyUsage());
      throw lostKeyringError((keys as FileKeySource).file, await table.keyUsage());
    });
    await checkKeyring(
      table,
      keyring,
      keys.origin,
      (row, keyId) => this.#keyring.binding(row.secret_id, keyId, Number(row.revision)),
      this.#context.logger,
    );
    this.#keyring.start(keyring);
    this.#state = "ready";
  }

  /** With a KMS key source, a call to the KMS (before init too: with a KEK made for the check). */
  async #probeKms(): Promise<void> {
    if (this.#options.keySource === KEYRING_SOURCE) return;
    if (this.#keys instanceof KmsKeySource) return this.#keys.probe();
    const context = { deploymentId: this.#context.deploymentId, logger: this.#context.logger };
    const kek = await createKek(this.#options.keySource, this.#options.kms, this.#keySources, context);
    try {
      await kek.probe();
    } finally {
      await kek.close();
    }
  }

  /** The keyring source made in the constructor, or the KMS key source made now. */
  async #keySource(): Promise<KeySource> {
    if (this.#options.keySource === KEYRING_SOURCE) return this.#keys!;
    if (this.#keys instanceof KmsKeySource) await this.#keys.close(); // an init run again
    const context = { deploymentId: this.#context.deploymentId, logger: this.#context.logger };
    const kek = await createKek(this.#options.keySource, this.#options.kms, this.#keySources, context);
    const rows = new DataKeyRows(this.#database!, this.#context.deploymentId);
    const cache = { max: this.#options.dataKeyCacheMax, ttlMs: this.#options.dataKeyCacheTtlMs };
    this.#keys = new KmsKeySource(kek, rows, context.deploymentId, cache, context.logger);
    this.#keyring = this.#keyringInUse();
    return this.#keys;
  }

  async create(id: SecretId, values: SecretValues): Promise<void> {
    const table = this.#ready();
    assertSecretId(id);
    this.assertWithinLimit(id, values);
    const sealed = await this.#keyring.seal(id, 1, values);
    if (!(await table.insert(id, sealed))) throw exists(id);
  }

  async get(id: SecretId): Promise<SecretValues> {
    const table = this.#ready();
    assertSecretId(id);
    const row = await table.select(id);
    if (!row) throw notFound(id);
    return this.#keyring.open(row);
  }

  override async getMany(ids: readonly SecretId[]): Promise<Map<SecretId, SecretValues>> {
    const table = this.#ready();
    const unique = [...new Set(ids)];
    for (const id of unique) assertSecretId(id);
    const rows = new Map<SecretId, StoredRow>();
    for (const batch of chunk(unique, BATCH_GET_MAX)) {
      for (const row of await table.selectMany(batch)) rows.set(row.secret_id, row);
    }
    const found = new Map<SecretId, SecretValues>();
    for (const id of unique) {
      const row = rows.get(id);
      if (row) found.set(id, await this.#keyring.open(row));
    }
    return found;
  }

  /**
   * Writes the next revision. Its ciphertext is bound to its revision number, so the number is
   * read first and the write applies only at it: a concurrent writer in between makes this one
   * seal again for the new number (or, with `expectedRevision`, fail with a conflict).
   */
  async update(id: SecretId, values: SecretValues, options?: UpdateOptions): Promise<void> {
    const table = this.#ready();
    assertSecretId(id);
    this.assertWithinLimit(id, values);
    const expected = options?.expectedRevision;
    for (let attempt = 1; ; attempt++) {
      const current = await table.selectCurrent(id);
      if (current === undefined) throw notFound(id);
      const actual = Number(current.revision);
      if (expected !== undefined && expected !== actual) throw conflict(id, expected, actual);
      const sealed = await this.#keyring.seal(id, actual + 1, values);
      if (await table.update(id, sealed, current, this.#options.maxVersions)) return;
      // Moved meanwhile (another writer, a re-encryption, a deadlock): seal again for what is there.
      if (attempt >= UPDATE_ATTEMPTS) throw busy(id);
    }
  }

  async delete(id: SecretId): Promise<void> {
    const table = this.#ready();
    assertSecretId(id);
    if (!(await table.delete(id))) throw notFound(id);
  }

  /**
   * The values at `revision`: the current row, or a kept earlier one. A revision never written, or
   * older than the newest maxVersions, is SecretNotFoundError, as is any revision of a missing id.
   */
  override async getRevision(id: SecretId, revision: number): Promise<SecretValues> {
    const table = this.#ready();
    assertSecretId(id);
    const current = await table.select(id);
    if (!current) throw notFound(id);
    if (Number.isInteger(revision) && revision === Number(current.revision))
      return this.#keyring.open(current);
    const row =
      Number.isInteger(revision) && revision > 0 ? await table.selectRevision(id, revision) : undefined;
    if (!row) throw noRevision(id, revision, Number(current.revision), this.#options.maxVersions);
    return this.#keyring.open(row);
  }

  override async currentRevision(id: SecretId): Promise<number> {
    const table = this.#ready();
    assertSecretId(id);
    const revision = await table.revision(id);
    if (revision === undefined) throw notFound(id);
    return revision;
  }

  async health(): Promise<HealthReport> {
    return probeHealth(async () => {
      if (this.#state === "closed") throw notReady("closed");
      await this.#probeKms(); // first: before init the table may not exist yet
      const table = this.#openTable();
      await table.probe();
      return `${table.location}, keys from ${this.#origin}`;
    }, "The database query failed.");
  }

  async close(): Promise<void> {
    if (this.#state === "closed") return;
    this.#state = "closed";
    this.#keyring.wipe();
    if (this.#keys instanceof KmsKeySource) await this.#keys.close();
    const database = this.#database;
    this.#database = undefined;
    this.#table = undefined;
    await database?.close();
  }

  // --- key management (see KeyRotatingStore) -----------------------------------------------------

  /**
   * Moves every secret onto a new key. With the file-backed keyring, a new key is generated,
   * written to the file and made active first; with option `keyring`, the operator has already
   * configured the new active key and this re-encrypts onto it. Reads and writes continue
   * meanwhile: each batch is one transaction of conditional updates that never overwrite a
   * concurrent write.
   */
  async rotateKey(options: RotateKeyOptions = {}): Promise<RotateKeyResult> {
    const table = this.#ready();
    const batchSize = options.batchSize ?? 100;
    assertBatchSize(batchSize); // before a key is generated for nothing
    const previous = await this.#keyring.current();
    const keys = this.#keys!;
    if (keys.kind === "key") throw singleKeyCannotRotate(previous.active);
    const generate = (keys.kind === "file" || keys.kind === "kms") && options.generateKey !== false;
    if (generate) this.#keyring.replace(await keys.addActiveKey());
    const outcome = await reencrypt(table, {
      batchSize,
      activeKeyId: () => this.#keyring.live().active,
      reseal: async (row) => this.#keyring.reseal(row),
      // Other processes sharing the keyring file notice a new active key within KEYRING_RECHECK_MS.
      settleMs: KEYRING_RECHECK_MS + 250,
      ...(options.onBatch ? { onBatch: options.onBatch } : {}),
    });
    return {
      activeKeyId: this.#keyring.live().active,
      previousKeyId: previous.active,
      generated: generate,
      ...outcome,
    };
  }

  /**
   * Removes keys that no secret uses any more (never the active key) from the file-backed keyring.
   * For keys given in options, lists the ones the operator may now remove.
   */
  async retireUnusedKeys(): Promise<RetireKeysResult> {
    const table = this.#ready();
    let unused: string[] = [];
    const keys = this.#keys!;
    const pick = async (current: KeySet) => {
      const used = new Set(await table.keyIds());
      unused = current.ids().filter((id) => id !== current.active && !used.has(id));
      return unused;
    };
    const { keyring, removed } = await keys.removeKeys(pick);
    if (!keys.shared) await pick(keyring);
    this.#keyring.replace(keyring);
    return { activeKeyId: keyring.active, removed, unused, keys: keyring.ids() };
  }

  /** Which keys exist, which is active, and how many secrets each one encrypts. */
  async keyStatus(): Promise<KeyStatus> {
    const table = this.#ready();
    const keyring = await this.#keyring.current();
    const usage = await table.keyUsage();
    const byKey = new Map(usage.map((each) => [each.keyId, each]));
    return {
      source: this.#origin,
      activeKeyId: keyring.active,
      keys: keyring.ids().map((id) => {
        const revisions = byKey.get(id)?.revisions ?? 0;
        return {
          id,
          active: id === keyring.active,
          rows: byKey.get(id)?.rows ?? 0,
          ...(revisions > 0 && { revisions }),
        };
      }),
      missing: usage
        .filter((each) => !keyring.has(each.keyId))
        .map((each) => ({ keyId: each.keyId, rows: each.rows + each.revisions })),
    };
  }

  /**
   * KMS key sources: wraps every data key again under the KMS key's current version, after the
   * KMS rotated its key material. Values are not re-encrypted (their data keys stay the same).
   */
  async rewrapDataKeys(): Promise<RewrapResult> {
    this.#ready();
    if (!(this.#keys instanceof KmsKeySource)) throw notKms(this.#origin);
    const { keys, ...result } = await this.#keys.rewrap();
    this.#keyring.replace(keys);
    return result;
  }

  /** KMS key sources: unwrapped data keys held now, and unwraps that reached the KMS so far. */
  dataKeyCacheStats(): { size: number; unwraps: number } | undefined {
    if (!(this.#keys instanceof KmsKeySource)) return undefined;
    return { size: this.#keys.cache.size, unwraps: this.#keys.cache.unwraps };
  }

  // --- internals -------------------------------------------------------------------------------

  get #origin(): string {
    return this.#keys?.origin ?? `key source '${this.#options.keySource}'`;
  }

  #openTable(): ValuesTable {
    if (this.#table) return this.#table;
    const url = this.#options.url ?? this.#context.databaseUrl;
    if (!url) {
      throw new InvalidConfigError("The sql store has no database URL.", {
        hint: "Set COFFER_DATABASE_URL (the metadata database, where values go by default) or the store's `url` option.",
      });
    }
    this.#database = openDatabase(url);
    this.#table = new ValuesTable(this.#database, this.#context.deploymentId);
    return this.#table;
  }

  #ready(): ValuesTable {
    if (this.#state !== "ready") throw notReady(this.#state);
    return this.#table!;
  }
}
