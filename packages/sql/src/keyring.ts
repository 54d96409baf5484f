/**
 * The keyring: AES-256 keys by id, one of them active for writes. Reads use whichever key a row
 * names, so old keys keep working until every row has been re-encrypted and they are retired.
 *
 * The same JSON shape serves the `keyring` option and the keyring file, so a backup of the file
 * can be handed to the store as `keyring=@backup.json` unchanged:
 *
 *   { "active": "k2", "keys": { "k1": "<32 bytes, base64>", "k2": "<32 bytes, base64>" } }
 */
import { createHmac, randomBytes } from "node:crypto";

export const KEY_BYTES = 32;

/** Key ids are written into every row and into AAD: short, printable, unambiguous. */
export const KEY_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

// 32 bytes are 44 base64 characters ending in one "=". Buffer.from(…, "base64") skips characters
// it does not know, so the shape is checked before decoding: a typo must not become another key.
const BASE64_KEY = /^[A-Za-z0-9+/]{43}=$/;

export interface KeyringJson {
  active: string;
  keys: Record<string, string>;
}

export class Keyring {
  readonly #keys: ReadonlyMap<string, Buffer>;

  constructor(
    readonly active: string,
    keys: ReadonlyMap<string, Buffer>,
  ) {
    if (!keys.has(active)) throw new Error(`the active key '${active}' is not in the keyring`);
    this.#keys = keys;
  }

  has(id: string): boolean {
    return this.#keys.has(id);
  }

  key(id: string): Buffer | undefined {
    return this.#keys.get(id);
  }

  activeKey(): { id: string; key: Buffer } {
    return { id: this.active, key: this.#keys.get(this.active)! };
  }

  ids(): string[] {
    return [...this.#keys.keys()];
  }

  /** A keyring with `id` added and made active. */
  withActive(id: string, key: Buffer): Keyring {
    return new Keyring(id, new Map([...this.#keys, [id, key]]));
  }

  /** A keyring without `ids` (never the active key). */
  without(ids: readonly string[]): Keyring {
    const drop = new Set(ids.filter((id) => id !== this.active));
    return new Keyring(this.active, new Map([...this.#keys].filter(([id]) => !drop.has(id))));
  }

  toJSON(): KeyringJson {
    return {
      active: this.active,
      keys: Object.fromEntries([...this.#keys].map(([id, key]) => [id, key.toString("base64")])),
    };
  }

  /** Overwrites the key bytes held in memory (on close). */
  wipe(): void {
    for (const key of this.#keys.values()) key.fill(0);
  }
}

/** Why a key or keyring text is unusable, or undefined when it is fine. Never echoes key material. */
export function keyProblem(text: string): string | undefined {
  return BASE64_KEY.test(text.trim())
    ? undefined
    : `must be ${KEY_BYTES} random bytes in base64 (44 characters ending in '='), e.g. from \`openssl rand -base64 32\``;
}

export function decodeKey(text: string): Buffer {
  return Buffer.from(text.trim(), "base64");
}

/**
 * Parses keyring JSON (text or an already-parsed object). Returns the keyring or a description of
 * what is wrong, naming key ids but never key material.
 */
export function parseKeyring(input: unknown): Keyring | string {
  let value = input;
  if (typeof input === "string") {
    try {
      value = JSON.parse(input);
    } catch {
      return 'it must be JSON: {"active": "<key id>", "keys": {"<key id>": "<base64 key>", …}}';
    }
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return 'it must be an object: {"active": "<key id>", "keys": {"<key id>": "<base64 key>", …}}';
  }
  const { active, keys, ...extra } = value as Record<string, unknown>;
  const unknown = Object.keys(extra);
  if (unknown.length > 0) return `it has unknown field(s) ${unknown.map((k) => `'${k}'`).join(", ")}`;
  if (keys === null || typeof keys !== "object" || Array.isArray(keys) || Object.keys(keys).length === 0) {
    return "it needs 'keys': an object of at least one key id and its base64 key";
  }
  const parsed = new Map<string, Buffer>();
  for (const [id, key] of Object.entries(keys as Record<string, unknown>)) {
    if (!KEY_ID.test(id)) {
      return `it has an invalid key id '${id.slice(0, 64)}' (letters, digits, '.', '_', '-'; at most 64)`;
    }
    if (typeof key !== "string" || keyProblem(key)) return `key '${id}' ${keyProblem(String(key))}`;
    parsed.set(id, decodeKey(key));
  }
  if (typeof active !== "string") return "it needs 'active': the id of the key new writes use";
  if (!parsed.has(active)) return `it names '${active}' as active, but has no key of that id`;
  return new Keyring(active, parsed);
}

/**
 * The id of a lone `encryptionKey`: a fingerprint, so that configuring a different key shows up as
 * "rows use fp-…, the configured key is fp-…" instead of a bare decryption failure. The HMAC of a
 * fixed label reveals nothing usable about the key.
 */
export function fingerprintKeyId(key: Buffer): string {
  return `fp-${createHmac("sha256", key).update("coffer store-sql key id").digest("hex").slice(0, 16)}`;
}

/** A fresh key and an id that says when it was made: `k20261122-3fa9c1d2`. */
export function generateKey(now = new Date()): { id: string; key: Buffer } {
  const day = now.toISOString().slice(0, 10).replaceAll("-", "");
  return { id: `k${day}-${randomBytes(4).toString("hex")}`, key: randomBytes(KEY_BYTES) };
}
