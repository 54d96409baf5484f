/**
 * How one secret's values are sealed: AES-256-GCM, a fresh random 96-bit IV per write, a full
 * 128-bit tag, and associated data that binds the ciphertext to where it belongs — the format
 * version, the deployment, the secret id, the key id and (format 2) the revision. Ciphertext moved
 * to another row, another deployment, another revision of the same secret, or relabelled with
 * another key id fails authentication instead of decrypting to someone else's values.
 *
 * Format 1 (before history) did not bind the revision; its rows stay readable as they are and are
 * sealed in format 2 at their next write or re-encryption.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/** Bumped if the layout below ever changes; stored in each row and bound into the AAD. */
export const FORMAT = 2;
/** Rows written before the revision was bound: still read, never written. */
export const LEGACY_FORMAT = 1;

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Where a ciphertext belongs. Every field is authenticated. */
export interface Binding {
  deploymentId: string;
  secretId: string;
  keyId: string;
  /** Which revision of the secret the ciphertext is (format 2). */
  revision: number;
}

export interface Sealed {
  /** base64 of the 12-byte IV. Also the row's write token: no two writes share one. */
  iv: string;
  /** base64 of ciphertext ‖ 16-byte tag. */
  ciphertext: string;
}

// JSON of an array is unambiguous whatever characters the fields hold (no separator games). The
// format is bound too, so a format-2 ciphertext relabelled as format 1 (to drop the revision) fails.
function associatedData(binding: Binding, format: number): Buffer {
  const { deploymentId, secretId, keyId, revision } = binding;
  const fields =
    format === LEGACY_FORMAT
      ? ["coffer/store-sql", LEGACY_FORMAT, deploymentId, secretId, keyId]
      : ["coffer/store-sql", format, deploymentId, secretId, keyId, revision];
  return Buffer.from(JSON.stringify(fields), "utf8");
}

/** Seals in FORMAT; `format` exists only so tests can build the legacy rows a deployment may hold. */
export function seal(key: Buffer, binding: Binding, plaintext: string, format: number = FORMAT): Sealed {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(associatedData(binding, format));
  const data = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return { iv: iv.toString("base64"), ciphertext: data.toString("base64") };
}

/**
 * Decrypts a row of `format` (FORMAT or LEGACY_FORMAT), or returns undefined when authentication
 * fails (wrong key, altered or moved row).
 */
export function open(
  key: Buffer,
  binding: Binding,
  sealed: Sealed,
  format: number = FORMAT,
): string | undefined {
  const iv = Buffer.from(sealed.iv, "base64");
  const data = Buffer.from(sealed.ciphertext, "base64");
  // authTagLength pins the tag size: without it, Node accepts a truncated tag.
  if (iv.length !== IV_BYTES || data.length < TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(associatedData(binding, format));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    const plain = Buffer.concat([
      decipher.update(data.subarray(0, data.length - TAG_BYTES)),
      decipher.final(),
    ]);
    return plain.toString("utf8");
  } catch {
    return undefined;
  }
}

/** The stored size of a sealed secret of `plaintextBytes` bytes (base64 of ciphertext ‖ tag). */
export function sealedLength(plaintextBytes: number): number {
  return 4 * Math.ceil((plaintextBytes + TAG_BYTES) / 3);
}
