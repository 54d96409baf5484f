/**
 * Envelope encryption with a KMS: the data keys that encrypt values are random 256-bit keys kept in
 * the database only wrapped by a key-encryption key (KEK) that never leaves the KMS. A copy of the
 * database therefore holds ciphertext and wrapped keys, and nothing opens them without the KMS.
 *
 * Data keys behave like a keyring file's keys: the newest is active, rotateKey() adds a new one and
 * re-encrypts, retireUnusedKeys() removes the unused. Rotating the KEK itself (the provider rotates
 * its key material) calls for `rewrap()`: each data key is unwrapped and wrapped again under the
 * current KEK version — the values, sealed under the data keys, are not touched.
 */
import { randomBytes } from "node:crypto";
import type { Logger } from "@coffer/core";
import { generateKey } from "@coffer/sql";
import { DataKeyCache, type DataKeyCacheOptions, wrapContext } from "./data-key-cache.js";
import type { DataKeyRows, StoredDataKey } from "./data-key-rows.js";
import type { KeyEncryptionKey, WrappedKey } from "./kek.js";
import type { KeySet } from "./key-set.js";
import type { KeySource } from "./key-source.js";

const DATA_KEY_BYTES = 32;

/** The data keys as last read from the table; bytes come from the cache (the KMS on a miss). */
class KmsKeys implements KeySet {
  readonly #rows: ReadonlyMap<string, StoredDataKey>;
  readonly active: string;

  constructor(
    rows: readonly StoredDataKey[],
    private readonly cache: DataKeyCache,
  ) {
    this.#rows = new Map(rows.map((row) => [row.key_id, row]));
    this.active = rows.at(-1)!.key_id; // oldest first: the newest key writes
  }

  has(id: string): boolean {
    return this.#rows.has(id);
  }

  ids(): string[] {
    return [...this.#rows.keys()];
  }

  async material(id: string): Promise<Buffer | undefined> {
    const row = this.#rows.get(id);
    return row && this.cache.get(id, row.wrapped);
  }

  /** Same ids wrapped the same way: nothing to swap in. */
  sameAs(rows: readonly StoredDataKey[]): boolean {
    return (
      rows.length === this.#rows.size &&
      rows.every((row) => this.#rows.get(row.key_id)?.wrapped === row.wrapped)
    );
  }

  wipe(): void {
    this.cache.clear();
  }
}

export interface RewrapResult {
  /** Data keys wrapped again under the KEK's current version. */
  rewrapped: number;
  /** Data keys a concurrent re-wrap had already changed. */
  skipped: number;
  kek: string;
}

export class KmsKeySource implements KeySource {
  readonly kind = "kms";
  readonly shared = true;
  readonly cache: DataKeyCache;
  #current: KmsKeys | undefined;

  constructor(
    private readonly kek: KeyEncryptionKey,
    private readonly rows: DataKeyRows,
    private readonly deploymentId: string,
    cache: DataKeyCacheOptions,
    private readonly logger: Logger,
  ) {
    this.cache = new DataKeyCache(kek, deploymentId, cache);
  }

  get origin(): string {
    return this.kek.description;
  }

  async load(beforeCreate: () => Promise<void>): Promise<KeySet> {
    const rows = await this.rows.all();
    if (rows.length > 0) return this.#use(rows);
    await beforeCreate();
    const keyId = await this.#addDataKey();
    this.logger.info("The sql store created its first data key, wrapped by the KMS key.", {
      keyId,
      kek: this.kek.description,
    });
    // Read back: processes starting together each add one, and all agree on the newest.
    return this.#use(await this.rows.all());
  }

  async refresh(): Promise<KeySet | undefined> {
    const rows = await this.rows.all();
    if (rows.length === 0 || this.#current?.sameAs(rows)) return undefined;
    return this.#use(rows);
  }

  async addActiveKey(): Promise<KeySet> {
    const keyId = await this.#addDataKey();
    this.logger.info("The sql store added a new active data key, wrapped by the KMS key.", {
      keyId,
      kek: this.kek.description,
    });
    return this.#use(await this.rows.all());
  }

  async removeKeys(
    pick: (current: KeySet) => Promise<string[]>,
  ): Promise<{ keyring: KeySet; removed: string[] }> {
    const current = this.#use(await this.rows.all());
    const removed = (await pick(current)).filter((id) => id !== current.active && current.has(id));
    await this.rows.remove(removed);
    if (removed.length > 0)
      this.logger.info("The sql store removed data keys no secret uses.", { keyIds: removed });
    return { keyring: this.#use(await this.rows.all()), removed };
  }

  /**
   * Wraps every data key again under the KEK's current version (after the KMS rotated its key
   * material, or to move off a version about to be disabled). Values are not re-encrypted: their
   * data keys do not change, only how the keys are wrapped.
   */
  async rewrap(): Promise<RewrapResult & { keys: KeySet }> {
    let rewrapped = 0;
    let skipped = 0;
    for (const row of await this.rows.all()) {
      const next = await this.#rewrapOne(row);
      if (await this.rows.rewrap(row.key_id, row.wrapped, next)) rewrapped++;
      else skipped++;
    }
    const keys = this.#use(await this.rows.all());
    this.logger.info("The sql store re-wrapped its data keys under the KMS key's current version.", {
      rewrapped,
      kek: this.kek.description,
    });
    return { rewrapped, skipped, kek: this.kek.description, keys };
  }

  async #rewrapOne(row: StoredDataKey): Promise<WrappedKey> {
    const context = wrapContext(this.deploymentId, row.key_id);
    if (this.kek.rewrap) return this.kek.rewrap(row.wrapped, context);
    const key = await this.kek.unwrap(row.wrapped, context);
    try {
      return await this.kek.wrap(key, context);
    } finally {
      key.fill(0);
    }
  }

  /** Proves the KMS answers and knows the key (health). */
  async probe(): Promise<void> {
    await this.kek.probe();
  }

  /** The stored data keys, for key status and tests: ids, which KEK wrapped each, when. */
  async dataKeys(): Promise<StoredDataKey[]> {
    return this.rows.all();
  }

  async close(): Promise<void> {
    this.cache.clear();
    await this.kek.close();
  }

  #use(rows: readonly StoredDataKey[]): KmsKeys {
    this.#current = new KmsKeys(rows, this.cache);
    return this.#current;
  }

  /** A new data key, wrapped by the KEK, stored; its bytes only in the cache. */
  async #addDataKey(): Promise<string> {
    const { id: keyId, key: unused } = generateKey(); // the id format of the keyring file's keys
    unused.fill(0);
    const context = wrapContext(this.deploymentId, keyId);
    let key: Buffer;
    let wrapped: WrappedKey;
    if (this.kek.generate) {
      ({ key, ...wrapped } = await this.kek.generate(context));
    } else {
      key = randomBytes(DATA_KEY_BYTES);
      wrapped = await this.kek.wrap(key, context);
    }
    const now = Date.now();
    await this.rows.insert({
      key_id: keyId,
      wrapped: wrapped.wrapped,
      kek: wrapped.kek,
      created_at: now,
      wrapped_at: now,
    });
    this.cache.set(keyId, key);
    return keyId;
  }
}
