// The emulator's ciphertext format. Google documents Cloud KMS ciphertexts as opaque, carrying
// what the service needs to find the key version that made them; this one is a format byte, the
// 16-byte id of the CryptoKey instance (random per key, so a ciphertext of another key, even one
// with the same name in another emulator, is recognised as foreign), the version number, then
// AES-256-GCM's 12-byte IV, 16-byte tag and the ciphertext. The AAD is the request's
// additional_authenticated_data, so a different AAD fails authentication as it does in KMS.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

const FORMAT = 0x4b;
const KEY_UID_BYTES = 16;
const HEADER_BYTES = 1 + KEY_UID_BYTES + 4 + 12 + 16;

export interface CiphertextHeader {
  keyUid: Buffer;
  version: number;
}

export function seal(material: Buffer, header: CiphertextHeader, plaintext: Buffer, aad: Buffer): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", material, iv);
  const prefix = Buffer.alloc(1 + KEY_UID_BYTES + 4);
  prefix.writeUInt8(FORMAT, 0);
  header.keyUid.copy(prefix, 1);
  prefix.writeUInt32BE(header.version, 1 + KEY_UID_BYTES);
  // The header is authenticated too: a ciphertext moved to another version number fails.
  cipher.setAAD(Buffer.concat([prefix, aad]));
  const data = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([prefix, iv, cipher.getAuthTag(), data]);
}

/** The key and version a ciphertext names, or undefined when it is not one of this format. */
export function readHeader(ciphertext: Buffer): CiphertextHeader | undefined {
  if (ciphertext.length < HEADER_BYTES || ciphertext.readUInt8(0) !== FORMAT) return undefined;
  return {
    keyUid: ciphertext.subarray(1, 1 + KEY_UID_BYTES),
    version: ciphertext.readUInt32BE(1 + KEY_UID_BYTES),
  };
}

/** The plaintext, or undefined when authentication fails (wrong material, AAD or altered bytes). */
export function open(material: Buffer, ciphertext: Buffer, aad: Buffer): Buffer | undefined {
  const at = 1 + KEY_UID_BYTES + 4;
  try {
    const decipher = createDecipheriv("aes-256-gcm", material, ciphertext.subarray(at, at + 12));
    decipher.setAAD(Buffer.concat([ciphertext.subarray(0, at), aad]));
    decipher.setAuthTag(ciphertext.subarray(at + 12, at + 28));
    return Buffer.concat([decipher.update(ciphertext.subarray(at + 28)), decipher.final()]);
  } catch {
    return undefined;
  }
}

export function newKeyUid(): Buffer {
  return randomBytes(KEY_UID_BYTES);
}
