/**
 * The KMS operations the emulator implements (TrentService, AWS JSON 1.1), one function per API
 * action, with the rules of the KMS API reference: Encrypt, Decrypt, GenerateDataKey for the
 * envelope; CreateKey, DescribeKey, CreateAlias, Enable/DisableKey and RotateKeyOnDemand to set up
 * and exercise keys.
 */
import { randomBytes } from "node:crypto";
import { disabled, incorrectKey, serialization, validation } from "./errors.js";
import type { EncryptionContext, KmsKey, KmsKeys } from "./keys.js";

type Json = Record<string, unknown>;
type Operation = (keys: KmsKeys, input: Json) => Json;

const ALGORITHM = "SYMMETRIC_DEFAULT";
/** Encrypt takes at most 4096 bytes of plaintext (API reference, Encrypt). */
const MAX_PLAINTEXT = 4096;
const MAX_CIPHERTEXT = 6144;

function text(input: Json, name: string, required: true): string;
function text(input: Json, name: string, required?: false): string | undefined;
function text(input: Json, name: string, required = false): string | undefined {
  const value = input[name];
  if (value === undefined || value === null) {
    if (required)
      throw validation(
        `1 validation error detected: Value null at '${lower(name)}' failed to satisfy constraint: Member must not be null`,
      );
    return undefined;
  }
  if (typeof value !== "string")
    throw serialization(`Start of structure or map found where not expected (${name}).`);
  return value;
}

function blob(input: Json, name: string, max: number): Buffer {
  const encoded = text(input, name, true);
  const bytes = Buffer.from(encoded, "base64");
  if (bytes.length < 1 || bytes.length > max) {
    throw validation(
      `1 validation error detected: Value at '${lower(name)}' failed to satisfy constraint: Member must have length between 1 and ${max}`,
    );
  }
  return bytes;
}

function context(input: Json): EncryptionContext {
  const value = input.EncryptionContext;
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value))
    throw serialization("EncryptionContext must be a map.");
  for (const entry of Object.values(value)) {
    if (typeof entry !== "string") throw serialization("EncryptionContext values must be strings.");
  }
  return value as EncryptionContext;
}

function lower(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/** A key that may be used for cryptography now. */
function usable(key: KmsKey): KmsKey {
  if (!key.enabled) throw disabled(key.arn);
  return key;
}

function metadata(keys: KmsKeys, key: KmsKey): Json {
  return {
    KeyMetadata: {
      AWSAccountId: keys.accountId,
      KeyId: key.id,
      Arn: key.arn,
      CreationDate: key.createdMs / 1000,
      Enabled: key.enabled,
      Description: key.description,
      KeyUsage: "ENCRYPT_DECRYPT",
      KeyState: key.enabled ? "Enabled" : "Disabled",
      Origin: "AWS_KMS",
      KeyManager: "CUSTOMER",
      CustomerMasterKeySpec: "SYMMETRIC_DEFAULT",
      KeySpec: "SYMMETRIC_DEFAULT",
      EncryptionAlgorithms: [ALGORITHM],
      MultiRegion: false,
    },
  };
}

function checkAlgorithm(input: Json): void {
  const algorithm = text(input, "EncryptionAlgorithm");
  if (algorithm !== undefined && algorithm !== ALGORITHM) {
    throw validation(`EncryptionAlgorithm ${algorithm} is not supported by a symmetric encryption key.`);
  }
}

export const operations: Record<string, Operation> = {
  CreateKey(keys, input) {
    const spec = text(input, "KeySpec") ?? text(input, "CustomerMasterKeySpec") ?? "SYMMETRIC_DEFAULT";
    const usage = text(input, "KeyUsage") ?? "ENCRYPT_DECRYPT";
    if (spec !== "SYMMETRIC_DEFAULT" || usage !== "ENCRYPT_DECRYPT") {
      throw validation(
        "This emulator creates symmetric encryption keys only (SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT).",
      );
    }
    return metadata(keys, keys.create(text(input, "Description") ?? ""));
  },

  DescribeKey(keys, input) {
    return metadata(keys, keys.resolve(text(input, "KeyId", true)));
  },

  CreateAlias(keys, input) {
    const name = text(input, "AliasName", true);
    if (!/^alias\/[a-zA-Z0-9/_-]+$/.test(name) || name.startsWith("alias/aws/")) {
      throw validation(
        `1 validation error detected: Value '${name}' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^alias/[a-zA-Z0-9/_-]+$`,
      );
    }
    keys.alias(name, text(input, "TargetKeyId", true));
    return {};
  },

  EnableKey(keys, input) {
    keys.resolve(text(input, "KeyId", true)).enabled = true;
    return {};
  },

  DisableKey(keys, input) {
    keys.resolve(text(input, "KeyId", true)).enabled = false;
    return {};
  },

  /** New key material; ciphertexts under the old material still decrypt (KMS keeps it). */
  RotateKeyOnDemand(keys, input) {
    const key = usable(keys.resolve(text(input, "KeyId", true)));
    key.material.push(randomBytes(32));
    key.rotations.push({ rotatedMs: keys.clock(), type: "ON_DEMAND" });
    return { KeyId: key.id };
  },

  Encrypt(keys, input) {
    checkAlgorithm(input);
    const key = usable(keys.resolve(text(input, "KeyId", true)));
    const plaintext = blob(input, "Plaintext", MAX_PLAINTEXT);
    const ciphertext = keys.encrypt(key, plaintext, context(input));
    return { CiphertextBlob: ciphertext.toString("base64"), KeyId: key.arn, EncryptionAlgorithm: ALGORITHM };
  },

  /**
   * The key comes from the blob. A KeyId in the request must name that same key
   * (IncorrectKeyException otherwise) — the check AWS recommends callers rely on.
   */
  Decrypt(keys, input) {
    checkAlgorithm(input);
    const ciphertext = blob(input, "CiphertextBlob", MAX_CIPHERTEXT);
    const requested = text(input, "KeyId");
    const { key } = keys.parse(ciphertext);
    if (requested !== undefined && keys.resolve(requested).id !== key.id) throw incorrectKey();
    usable(key);
    const { plaintext } = keys.decrypt(ciphertext, context(input));
    return { Plaintext: plaintext.toString("base64"), KeyId: key.arn, EncryptionAlgorithm: ALGORITHM };
  },

  GenerateDataKey(keys, input) {
    const key = usable(keys.resolve(text(input, "KeyId", true)));
    const spec = text(input, "KeySpec");
    const count = input.NumberOfBytes;
    if ((spec === undefined) === (count === undefined)) {
      throw validation("Please specify either number of bytes or key spec.");
    }
    let bytes: number;
    if (spec !== undefined) {
      if (spec !== "AES_256" && spec !== "AES_128") {
        throw validation(
          `1 validation error detected: Value '${spec}' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [AES_256, AES_128]`,
        );
      }
      bytes = spec === "AES_256" ? 32 : 16;
    } else {
      if (typeof count !== "number" || !Number.isInteger(count) || count < 1 || count > 1024) {
        throw validation(
          "1 validation error detected: Value at 'numberOfBytes' failed to satisfy constraint: Member must have value between 1 and 1024",
        );
      }
      bytes = count;
    }
    const plaintext = randomBytes(bytes);
    const ciphertext = keys.encrypt(key, plaintext, context(input));
    return {
      CiphertextBlob: ciphertext.toString("base64"),
      Plaintext: plaintext.toString("base64"),
      KeyId: key.arn,
    };
  },
};
