/**
 * The keys a running store can use, whatever their source: which ids exist, which one writes, and
 * each key's bytes. A keyring holds its bytes in memory; a KMS-backed set keeps only wrapped data
 * keys and unwraps them on demand through a bounded cache — hence `material` is async.
 */
import type { Keyring } from "@coffer/sql";

export interface KeySet {
  /** The id of the key new writes use. */
  readonly active: string;
  has(id: string): boolean;
  ids(): string[];
  /**
   * The key's 32 bytes, or undefined when the set holds no key `id`. Use the buffer at once,
   * without awaiting in between: `wipe()` zeroes it when the store closes.
   */
  material(id: string): Promise<Buffer | undefined>;
  /** Overwrites the key bytes held in memory (on close). */
  wipe(): void;
}

/** A keyring file, an operator keyring or one operator key: every byte already in memory. */
export class KeyringKeys implements KeySet {
  constructor(readonly keyring: Keyring) {}

  get active(): string {
    return this.keyring.active;
  }

  has(id: string): boolean {
    return this.keyring.has(id);
  }

  ids(): string[] {
    return this.keyring.ids();
  }

  async material(id: string): Promise<Buffer | undefined> {
    return this.keyring.key(id);
  }

  wipe(): void {
    this.keyring.wipe();
  }
}
