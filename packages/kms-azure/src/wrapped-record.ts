/**
 * What the database keeps for a data key wrapped by a Key Vault RSA key, and how the store's wrap
 * context is bound to it.
 *
 * The record names the key version (`kid`) that wrapped it, because unwrapping must use that very
 * version after the key rotated. It is JSON, so an operator reading the table sees which key and
 * version each data key needs: {"kid":"https://{vault}/keys/{name}/{version}","alg":"RSA-OAEP-256",
 * "value":"<base64url>"}.
 *
 * RSA-OAEP has no associated data (Key Vault's wrapkey takes none for RSA), so the context cannot be
 * authenticated the way AWS KMS or transit do it. Instead the plaintext Key Vault wraps is the data
 * key followed by a SHA-256 digest of the context (64 bytes; RSA-OAEP-256 on a 2048-bit key carries
 * up to 190). Only the vault can unwrap, and the digest comes back with the key, so a record copied
 * under another deployment or another data key id unwraps to a digest that does not match: an
 * IntegrityError, as with the other key sources. Anyone may *make* a record with the public key,
 * but that gives them nothing the store did not already accept from its own database: the data
 * key's secrecy rests on the vault, the binding only stops records being moved between contexts.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { WrapContext } from "@coffer/store-sql";

export const ALGORITHM = "RSA-OAEP-256";
const DATA_KEY_BYTES = 32;
const DIGEST_LABEL = "coffer azure-keys wrap context v1";

export interface WrappedRecord {
  /** The key version that wrapped it: https://{vault}/keys/{name}/{version}. */
  kid: string;
  alg: string;
  /** The RSA-OAEP ciphertext. */
  value: Buffer;
}

export function encodeRecord(record: WrappedRecord): string {
  return JSON.stringify({ kid: record.kid, alg: record.alg, value: record.value.toString("base64url") });
}

/** The record, or undefined when the text is not one (another key source's, or altered). */
export function decodeRecord(text: string): WrappedRecord | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const { kid, alg, value } = (parsed ?? {}) as Record<string, unknown>;
  if (typeof kid !== "string" || typeof alg !== "string" || typeof value !== "string") return undefined;
  if (!/^[A-Za-z0-9_-]+$/.test(value)) return undefined;
  return { kid, alg, value: Buffer.from(value, "base64url") };
}

function contextDigest(context: WrapContext): Buffer {
  const sorted = Object.keys(context)
    .sort()
    .map((name) => [name, context[name]]);
  return createHash("sha256").update(DIGEST_LABEL).update(JSON.stringify(sorted)).digest();
}

/** The bytes Key Vault wraps: the data key, then the digest of its context. */
export function bind(key: Buffer, context: WrapContext): Buffer {
  if (key.length !== DATA_KEY_BYTES) throw new Error("a data key is 32 bytes");
  return Buffer.concat([key, contextDigest(context)]);
}

/** The data key, when the unwrapped bytes carry this context's digest; undefined otherwise. */
export function unbind(plaintext: Uint8Array, context: WrapContext): Buffer | undefined {
  const bytes = Buffer.from(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength);
  try {
    if (bytes.length !== DATA_KEY_BYTES + 32) return undefined;
    if (!timingSafeEqual(bytes.subarray(DATA_KEY_BYTES), contextDigest(context))) return undefined;
    return Buffer.from(bytes.subarray(0, DATA_KEY_BYTES)); // a copy
  } finally {
    bytes.fill(0); // the SDK's copy of the key
  }
}
