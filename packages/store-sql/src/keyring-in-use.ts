/**
 * The keyring a running sql store holds, and what it does with it: seal a write under the active
 * key, open a row under the key it names (re-reading the keyring file when another process rotated
 * meanwhile), and re-seal a row for rotation. Every row is bound to its deployment, id, key and
 * revision (envelope.ts), so a row copied elsewhere does not open.
 */
import { isCofferError, type Logger, type SecretId, type SecretValues } from "@coffer/core";
import { isValuesMap } from "@coffer/store-kit";
import type { SealedRow, StoredRow } from "./deployment-rows.js";
import { type Binding, FORMAT, LEGACY_FORMAT, open, seal } from "./envelope.js";
import { damaged, missingKey, notReady, undecryptable } from "./errors.js";
import type { KeySet } from "./key-set.js";
import type { KeySource } from "./key-source.js";

/** A file-backed keyring is re-checked for changes by other processes at most this often. */
export const KEYRING_RECHECK_MS = 1_000;

export type StoreState = "new" | "ready" | "closed";

export class KeyringInUse {
  #keyring: KeySet | undefined;
  #checkedAt = 0;

  constructor(
    private readonly keys: KeySource,
    private readonly deploymentId: string,
    private readonly logger: Logger,
    /** The store's state: keys are usable only while it is ready. */
    private readonly state: () => StoreState,
  ) {}

  /** Takes the keyring loaded at init, as just checked against the source. */
  start(keyring: KeySet): void {
    this.#keyring = keyring;
    this.#checkedAt = Date.now();
  }

  /** Takes a keyring the store changed itself (a key added or removed). */
  replace(keyring: KeySet): void {
    this.#keyring = keyring;
  }

  /** Wipes the keys from memory (close). */
  wipe(): void {
    this.#keyring?.wipe();
    this.#keyring = undefined;
  }

  /** The keyring, checked again after every await: close() wipes it. */
  live(): KeySet {
    const state = this.state();
    if (state !== "ready") throw notReady(state);
    return this.#keyring!;
  }

  /** The keyring to write with: re-read when another process changed the file (rotation). */
  async current(): Promise<KeySet> {
    const now = Date.now();
    if (this.keys.shared && now - this.#checkedAt >= KEYRING_RECHECK_MS) {
      this.#checkedAt = now;
      await this.#reload();
    }
    return this.live();
  }

  async #reload(): Promise<void> {
    try {
      const fresh = await this.keys.refresh();
      if (fresh && this.state() === "ready") this.#keyring = fresh;
    } catch (error) {
      // The keys already loaded stay usable; a broken file must not stop a running store.
      this.logger.warn("The sql store could not re-read its keyring file; it keeps the keys it has.", {
        file: this.keys.origin,
        error: isCofferError(error) ? error.message : String(error),
      });
    }
  }

  async seal(id: SecretId, revision: number, values: SecretValues): Promise<SealedRow> {
    const { keyId, key } = await this.#activeKey();
    // Nothing awaits from here to the seal: close() cannot wipe the key halfway.
    const sealed = seal(key, this.binding(id, keyId, revision), JSON.stringify(values));
    return { format: FORMAT, key_id: keyId, ...sealed };
  }

  /** The active key's id and bytes, checked live after the await (close() wipes the bytes). */
  async #activeKey(): Promise<{ keyId: string; key: Buffer }> {
    const keys = await this.current();
    const keyId = keys.active;
    const key = await keys.material(keyId);
    this.live();
    if (!key) throw missingKey("(new write)", keyId, this.keys.origin);
    return { keyId, key };
  }

  async open(row: StoredRow): Promise<SecretValues> {
    return parseValues(row.secret_id, await this.#decrypt(row));
  }

  async #decrypt(row: StoredRow): Promise<string> {
    const id = row.secret_id;
    const format = Number(row.format);
    if (format !== FORMAT && format !== LEGACY_FORMAT) throw damaged(id, `envelope format ${row.format}`);
    let key = await this.live().material(row.key_id);
    if (!key && this.keys.shared) {
      // Another process may have rotated: its new key is in the file (or the data keys table) but
      // not yet in memory.
      await this.#reload();
      key = await this.live().material(row.key_id);
    }
    this.live(); // closed while the key was fetched: its bytes are wiped
    if (!key) throw missingKey(id, row.key_id, this.keys.origin);
    const plaintext = open(key, this.binding(id, row.key_id, Number(row.revision)), row, format);
    if (plaintext === undefined) throw undecryptable(id, row.key_id, this.keys.origin);
    return plaintext;
  }

  /** Decrypts a row and seals its plaintext again under the active key (rotation). */
  async reseal(row: StoredRow): Promise<SealedRow> {
    const plaintext = await this.#decrypt(row);
    const { keyId, key } = await this.#activeKey();
    const binding = this.binding(row.secret_id, keyId, Number(row.revision));
    return { format: FORMAT, key_id: keyId, ...seal(key, binding, plaintext) };
  }

  binding(secretId: SecretId, keyId: string, revision: number): Binding {
    return { deploymentId: this.deploymentId, secretId, keyId, revision };
  }
}

/** Decrypted text must be a JSON object of strings; anything else means a damaged row. */
function parseValues(id: SecretId, plaintext: string): SecretValues {
  let parsed: unknown;
  try {
    parsed = JSON.parse(plaintext);
  } catch {
    throw damaged(id, "the decrypted values are not JSON");
  }
  if (!isValuesMap(parsed)) throw damaged(id, "the decrypted values are not a map of strings");
  return parsed;
}
