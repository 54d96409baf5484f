// wrapKey and unwrapKey with real RSA-OAEP (node:crypto): RSA-OAEP is OAEP with SHA-1 and MGF1-SHA-1,
// RSA-OAEP-256 is OAEP with SHA-256 (RFC 7518 §4.3, the JWA names Key Vault uses). The emulator holds
// the private key, so a ciphertext from the SDK's local wrap (public key only) unwraps here too.
import { constants, privateDecrypt, publicEncrypt } from "node:crypto";
import { badParameter, decryptionFailed } from "./errors.js";
import type { KeyVersion } from "./keys.js";

const OAEP_HASH: Record<string, string> = { "RSA-OAEP": "sha1", "RSA-OAEP-256": "sha256" };
const HASH_BYTES: Record<string, number> = { sha1: 20, sha256: 32 };
const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/;

export interface KeyOperationBody {
  alg?: unknown;
  value?: unknown;
}

function parse(body: KeyOperationBody): { hash: string; value: Buffer } {
  if (typeof body.alg !== "string" || body.alg === "") throw badParameter("The parameter alg is required.");
  const hash = OAEP_HASH[body.alg];
  if (!hash) {
    throw badParameter(
      `Algorithm ${body.alg} is not supported by this emulator for RSA keys (RSA-OAEP, RSA-OAEP-256).`,
    );
  }
  if (typeof body.value !== "string" || !BASE64URL.test(body.value)) {
    throw badParameter("The parameter value must be base64url.");
  }
  return { hash, value: Buffer.from(body.value, "base64url") };
}

export function wrap(key: KeyVersion, body: KeyOperationBody): Buffer {
  const { hash, value } = parse(body);
  // OAEP carries at most k - 2·hLen - 2 bytes (RFC 8017 §7.1.1).
  const limit = key.size / 8 - 2 * HASH_BYTES[hash]! - 2;
  if (value.length === 0 || value.length > limit) {
    throw badParameter(`The key to wrap must be 1 to ${limit} bytes for this key and algorithm.`);
  }
  return publicEncrypt(
    { key: key.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash },
    value,
  );
}

export function unwrap(key: KeyVersion, body: KeyOperationBody): Buffer {
  const { hash, value } = parse(body);
  if (value.length !== key.size / 8) throw decryptionFailed();
  try {
    return privateDecrypt(
      { key: key.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash },
      value,
    );
  } catch {
    throw decryptionFailed();
  }
}
