/**
 * The emulated KMS keys: symmetric AES-256-GCM keys with their key material versions (rotation
 * adds one; old versions still decrypt, as in KMS), aliases, and the ciphertext blob format.
 *
 * The blob is this emulator's own (AWS documents it as opaque): a version byte, the key id, the
 * material version, the 12-byte IV, the 16-byte tag, then the ciphertext. The encryption context
 * is the associated data, canonicalised by sorting its keys, so a different context fails
 * authentication just as it does in KMS.
 */
import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from "node:crypto";
import type { Clock } from "../shared/http.js";
import { AwsKmsError, invalidCiphertext, notFound } from "./errors.js";

const BLOB_VERSION = 1;
const KEY_ID_BYTES = 36;
const HEADER_BYTES = 1 + KEY_ID_BYTES + 4 + 12 + 16;

export interface KmsKey {
  id: string;
  arn: string;
  description: string;
  createdMs: number;
  enabled: boolean;
  /** Key material, oldest first; the last encrypts. */
  material: Buffer[];
  rotations: { rotatedMs: number; type: "ON_DEMAND" }[];
}

export type EncryptionContext = Record<string, string>;

export class KmsKeys {
  readonly #keys = new Map<string, KmsKey>();
  readonly #aliases = new Map<string, string>();

  constructor(
    readonly region: string,
    readonly accountId: string,
    readonly clock: Clock,
  ) {}

  create(description: string): KmsKey {
    const id = randomUUID();
    const key: KmsKey = {
      id,
      arn: `arn:aws:kms:${this.region}:${this.accountId}:key/${id}`,
      description,
      createdMs: this.clock(),
      enabled: true,
      material: [randomBytes(32)],
      rotations: [],
    };
    this.#keys.set(id, key);
    return key;
  }

  alias(name: string, targetKeyId: string): void {
    if (this.#aliases.has(name)) {
      throw new AwsKmsError(
        "AlreadyExistsException",
        `An alias with the name ${this.#aliasArn(name)} already exists`,
      );
    }
    this.#aliases.set(name, this.resolve(targetKeyId).id);
  }

  /** A key by id, key ARN, alias name or alias ARN; NotFoundException otherwise. */
  resolve(keyId: string): KmsKey {
    const aliasPrefix = `arn:aws:kms:${this.region}:${this.accountId}:alias/`;
    const keyPrefix = `arn:aws:kms:${this.region}:${this.accountId}:key/`;
    let id = keyId;
    if (keyId.startsWith("alias/") || keyId.startsWith(aliasPrefix)) {
      const name = keyId.startsWith("alias/") ? keyId : `alias/${keyId.slice(aliasPrefix.length)}`;
      const target = this.#aliases.get(name);
      if (!target) throw notFound(`Alias ${this.#aliasArn(name)} is not found.`);
      id = target;
    } else if (keyId.startsWith(keyPrefix)) {
      id = keyId.slice(keyPrefix.length);
    }
    const key = this.#keys.get(id);
    if (!key) throw notFound(`Key '${keyId.startsWith("arn:") ? keyId : keyPrefix + keyId}' does not exist`);
    return key;
  }

  /** Encrypts under the newest material of `key`. */
  encrypt(key: KmsKey, plaintext: Buffer, context: EncryptionContext): Buffer {
    const version = key.material.length - 1;
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", key.material[version]!, iv);
    cipher.setAAD(canonical(context));
    const data = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const header = Buffer.alloc(1 + KEY_ID_BYTES + 4);
    header.writeUInt8(BLOB_VERSION, 0);
    header.write(key.id, 1, "latin1");
    header.writeUInt32BE(version, 1 + KEY_ID_BYTES);
    return Buffer.concat([header, iv, cipher.getAuthTag(), data]);
  }

  /** The key and material version a blob names, or InvalidCiphertextException. */
  parse(blob: Buffer): { key: KmsKey; version: number } {
    if (blob.length < HEADER_BYTES || blob.readUInt8(0) !== BLOB_VERSION) throw invalidCiphertext();
    const key = this.#keys.get(blob.subarray(1, 1 + KEY_ID_BYTES).toString("latin1"));
    const version = blob.readUInt32BE(1 + KEY_ID_BYTES);
    if (!key || version >= key.material.length) throw invalidCiphertext();
    return { key, version };
  }

  decrypt(blob: Buffer, context: EncryptionContext): { key: KmsKey; plaintext: Buffer } {
    const { key, version } = this.parse(blob);
    const at = 1 + KEY_ID_BYTES + 4;
    try {
      const decipher = createDecipheriv("aes-256-gcm", key.material[version]!, blob.subarray(at, at + 12));
      decipher.setAAD(canonical(context));
      decipher.setAuthTag(blob.subarray(at + 12, at + 28));
      return { key, plaintext: Buffer.concat([decipher.update(blob.subarray(at + 28)), decipher.final()]) };
    } catch {
      throw invalidCiphertext();
    }
  }

  clear(): void {
    this.#keys.clear();
    this.#aliases.clear();
  }

  #aliasArn(name: string): string {
    return `arn:aws:kms:${this.region}:${this.accountId}:${name}`;
  }
}

/** The context as associated data: keys sorted, so the order the client sent does not matter. */
function canonical(context: EncryptionContext): Buffer {
  const sorted = Object.keys(context)
    .sort()
    .map((name) => [name, context[name]]);
  return Buffer.from(JSON.stringify(sorted), "utf8");
}
