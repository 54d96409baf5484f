/**
 * Where the store's keys come from: one operator key (`encryptionKey`), an operator keyring
 * (`keyring`), the embedded default — a keyring file the store creates and rotates itself — or a
 * KMS that wraps data keys kept in the database (kms-key-source.ts).
 */
import { type Logger, NotSupportedError } from "@coffer/core";
import { decodeKey, fingerprintKeyId, generateKey, Keyring, KeyringFile, parseKeyring } from "@coffer/sql";
import { KeyringKeys, type KeySet } from "./key-set.js";

export interface KeySource {
  readonly kind: "key" | "keyring" | "file" | "kms";
  /** Other processes may change the keys (file, KMS data keys): re-read them now and then. */
  readonly shared: boolean;
  /** Where the keys come from, for messages: "the keyring file /x", "option `keyring`". */
  readonly origin: string;
  /**
   * Loads the keyring. A file-backed source with no file yet calls `beforeCreate` first (which
   * may refuse, e.g. because encrypted rows exist) and then creates the file with a new key.
   */
  load(beforeCreate: () => Promise<void>): Promise<KeySet>;
  /** Newer keys when the source changed since it was loaded (shared sources only), else undefined. */
  refresh(): Promise<KeySet | undefined>;
  /** Generates a key, stores it and makes it active. Only sources Coffer owns (file, KMS) can. */
  addActiveKey(): Promise<KeySet>;
  /**
   * Removes the keys `pick` chooses (never the active one), deciding while the source is locked,
   * and returns what was removed. Sources that Coffer does not own remove nothing.
   */
  removeKeys(pick: (current: KeySet) => Promise<string[]>): Promise<{ keyring: KeySet; removed: string[] }>;
}

/** Keys given in options: fixed for the life of the process. */
export class StaticKeySource implements KeySource {
  readonly shared = false;
  readonly #keyring: KeySet;

  constructor(
    readonly kind: "key" | "keyring",
    keyring: Keyring,
  ) {
    this.#keyring = new KeyringKeys(keyring);
  }

  static fromKey(text: string): StaticKeySource {
    const key = decodeKey(text);
    return new StaticKeySource(
      "key",
      new Keyring(fingerprintKeyId(key), new Map([[fingerprintKeyId(key), key]])),
    );
  }

  static fromKeyring(input: unknown): StaticKeySource {
    const keyring = parseKeyring(input);
    // The options schema has already checked it; this is a second line of defence.
    if (typeof keyring === "string") throw new Error(`option keyring ${keyring}`);
    return new StaticKeySource("keyring", keyring);
  }

  get origin(): string {
    return this.kind === "key" ? "option `encryptionKey`" : "option `keyring`";
  }

  async load(): Promise<KeySet> {
    return this.#keyring;
  }

  async refresh(): Promise<KeySet | undefined> {
    return undefined;
  }

  async addActiveKey(): Promise<KeySet> {
    throw new NotSupportedError(`Keys given in ${this.origin} are changed by the operator, not by Coffer.`, {
      hint: "Add the new key to the option, make it active, restart, then rotate.",
    });
  }

  async removeKeys(): Promise<{ keyring: KeySet; removed: string[] }> {
    return { keyring: this.#keyring, removed: [] };
  }
}

export class FileKeySource implements KeySource {
  readonly kind = "file";
  readonly shared = true;
  readonly #file: KeyringFile;

  constructor(
    file: string,
    private readonly logger: Logger,
  ) {
    this.#file = new KeyringFile(file);
  }

  get file(): string {
    return this.#file.file;
  }

  get origin(): string {
    return `the keyring file ${this.#file.file}`;
  }

  async load(beforeCreate: () => Promise<void>): Promise<KeySet> {
    const existing = await this.#file.read();
    if (existing) return new KeyringKeys(existing);
    await beforeCreate();
    const fresh = generateKey();
    const created = await this.#file.create(new Keyring(fresh.id, new Map([[fresh.id, fresh.key]])));
    if (created.active === fresh.id) {
      this.logger.info(
        "The sql store created a new keyring file. Back it up: without it the secrets cannot be read.",
        {
          file: this.#file.file,
          keyId: fresh.id,
        },
      );
    } else {
      fresh.key.fill(0);
    }
    return new KeyringKeys(created);
  }

  async refresh(): Promise<KeySet | undefined> {
    if (!(await this.#file.changed())) return undefined;
    const keyring = await this.#file.read();
    return keyring && new KeyringKeys(keyring);
  }

  async addActiveKey(): Promise<KeySet> {
    const fresh = generateKey();
    const keyring = await this.#file.update((current) => current.withActive(fresh.id, fresh.key));
    this.logger.info("The sql store added a new active key to its keyring file. Back the file up again.", {
      file: this.#file.file,
      keyId: fresh.id,
    });
    return new KeyringKeys(keyring);
  }

  async removeKeys(
    pick: (current: KeySet) => Promise<string[]>,
  ): Promise<{ keyring: KeySet; removed: string[] }> {
    let removed: string[] = [];
    const keyring = await this.#file.update(async (current) => {
      removed = (await pick(new KeyringKeys(current))).filter(
        (id) => id !== current.active && current.has(id),
      );
      return removed.length === 0 ? current : current.without(removed);
    });
    if (removed.length > 0) {
      this.logger.info("The sql store removed keys no secret uses from its keyring file.", {
        file: this.#file.file,
        keyIds: removed,
      });
    }
    return { keyring: new KeyringKeys(keyring), removed };
  }
}
