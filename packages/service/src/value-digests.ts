/**
 * Per-key digests of a version's values, kept in the metadata so that history can say which keys
 * changed without reading (or keeping) old values: HMAC-SHA256 of the secret id, the key and its
 * value, under a key derived from the metadata sealer's key — which the metadata database does not
 * hold, so a copy of the database cannot test guesses of a value against a digest. The secret id is
 * bound in, so one value in two secrets does not show as equal digests.
 *
 * The digests also check an old version's values when they are read back from the store: values
 * that do not match them are refused (IntegrityError) rather than passed off as that version.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
// Key names are the writer's: in a plain object a "__proto__" key's digest would be lost (the
// version could never be read back) and "constructor" would find Object's function.
import { recordOfNames, type SecretValues, type VersionChanges } from "@coffer/core";
import type { Keyring } from "@coffer/sql";

export interface ValueDigests {
  /** The metadata key the digests were made under. */
  keyId: string;
  /** Key name → base64url digest (128 bits). */
  keys: Record<string, string>;
}

export class ValueDigester {
  constructor(private readonly keyring: Keyring) {}

  digest(secretId: string, values: SecretValues): ValueDigests {
    const { id: keyId, key } = this.keyring.activeKey();
    const digestKey = derive(key);
    const keys = recordOfNames();
    for (const [name, value] of Object.entries(values))
      keys[name] = digestOf(digestKey, secretId, name, value);
    return { keyId, keys };
  }

  /** Whether `values` are exactly the values `digests` were made of. */
  matches(secretId: string, values: SecretValues, digests: ValueDigests): boolean {
    const key = this.keyring.key(digests.keyId);
    if (!key) return false;
    const digestKey = derive(key);
    const names = Object.keys(values);
    if (names.length !== Object.keys(digests.keys).length) return false;
    return names.every((name) => {
      if (!Object.hasOwn(digests.keys, name)) return false;
      const expected = digests.keys[name]!;
      const a = Buffer.from(expected, "base64url");
      const b = Buffer.from(digestOf(digestKey, secretId, name, values[name]!), "base64url");
      return a.length === b.length && timingSafeEqual(a, b);
    });
  }
}

/**
 * Keys added, removed and changed from `before` to `after`. Digests made under different metadata
 * keys cannot be compared: a key present in both then counts as changed (never as unchanged).
 */
export function compareDigests(before: ValueDigests | undefined, after: ValueDigests): VersionChanges {
  const old = before?.keys ?? {};
  const now = after.keys;
  const sameKey = before?.keyId === after.keyId;
  return {
    added: Object.keys(now).filter((name) => !Object.hasOwn(old, name)),
    removed: Object.keys(old).filter((name) => !Object.hasOwn(now, name)),
    changed: Object.keys(now).filter(
      (name) => Object.hasOwn(old, name) && (!sameKey || old[name] !== now[name]),
    ),
  };
}

export function parseDigests(text: string): ValueDigests {
  const parsed = JSON.parse(text) as ValueDigests;
  return { keyId: String(parsed.keyId), keys: Object.assign(recordOfNames(), parsed.keys) };
}

function derive(sealingKey: Buffer): Buffer {
  // Domain separation: the digest key is never the key that seals rows.
  return createHmac("sha256", sealingKey).update("coffer/value-digest/v1").digest();
}

function digestOf(key: Buffer, secretId: string, name: string, value: string): string {
  return createHmac("sha256", key)
    .update(JSON.stringify([secretId, name, value]))
    .digest()
    .subarray(0, 16)
    .toString("base64url");
}
