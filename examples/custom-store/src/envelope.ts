/**
 * What one file of the encrypted-dir store holds: the values' JSON sealed with AES-256-GCM, a random
 * IV per write and the secret id bound in as associated data, so a file copied over another
 * secret's never decrypts. A file that does not open is an IntegrityError (never its contents).
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { IntegrityError, type SecretId, type SecretValues } from "@coffer/core";
import { decodeStoredValues } from "@coffer/store-kit";

/** The AES-GCM parts, base64. */
interface Envelope {
  v: 1;
  iv: string;
  tag: string;
  data: string;
}

export function seal(key: Buffer, id: SecretId, values: SecretValues): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(id));
  const data = Buffer.concat([cipher.update(JSON.stringify(values), "utf8"), cipher.final()]);
  const envelope: Envelope = {
    v: 1,
    iv: iv.toString("base64"),
    tag: cipher.getAuthTag().toString("base64"),
    data: data.toString("base64"),
  };
  return JSON.stringify(envelope);
}

export function open(key: Buffer, id: SecretId, text: string): SecretValues {
  let plain: string;
  try {
    const envelope = JSON.parse(text) as Envelope;
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(envelope.iv, "base64"));
    decipher.setAAD(Buffer.from(id));
    decipher.setAuthTag(Buffer.from(envelope.tag, "base64"));
    plain = Buffer.concat([
      decipher.update(Buffer.from(envelope.data, "base64")),
      decipher.final(),
    ]).toString();
  } catch {
    throw new IntegrityError(`Secret ${id} cannot be decrypted: the key is wrong or the file was altered.`, {
      hint: "Check COFFER_STORE_KEY; a file copied from another secret or another key never decrypts.",
      details: { id },
    });
  }
  return decodeStoredValues(id, plain, "the directory");
}
