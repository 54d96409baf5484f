/**
 * Vault's transit secrets engine ("encryption as a service"), as the Vault API documentation
 * describes it for symmetric `aes256-gcm96` keys: named key rings with versions, encrypt, decrypt,
 * rewrap, datakey, rotate, and the `min_decryption_version` policy. Ciphertexts are Vault's text
 * form, `vault:v<version>:<base64 of nonce ‖ ciphertext ‖ tag>`; `associated_data` (base64) is
 * authenticated with the ciphertext. Key material never leaves the engine (keys are not exportable).
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { Clock } from "../shared/http.js";
import { badRequest, unsupportedOperation, unsupportedPath, VaultError } from "./errors.js";

type Json = Record<string, unknown>;

const KEY_NAME = /^[\w.-]{1,128}$/;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

interface TransitKey {
  name: string;
  /** Version n is versions[n - 1]. */
  versions: { key: Buffer; createdS: number }[];
  minDecryptionVersion: number;
  deletionAllowed: boolean;
}

export interface TransitResult {
  status: 200 | 204;
  data?: Json;
}

export class TransitEngine {
  readonly #keys = new Map<string, TransitKey>();

  constructor(private readonly clock: Clock) {}

  /** `rest` is the path after the mount, e.g. `encrypt/my-key`. */
  handle(method: string, rest: string, body: Json): TransitResult {
    const write = method === "POST" || method === "PUT";
    const parts = rest.split("/");
    const [section] = parts;
    if (section === "keys") {
      const [, name, action, ...more] = parts;
      if (more.length > 0 || name === undefined || name === "") throw unsupportedPath();
      if (action === undefined) {
        if (method === "GET") return this.#info(this.#existing(name));
        if (write) return this.#info(this.#create(name, body));
        if (method === "DELETE") return this.#delete(name);
        throw unsupportedOperation();
      }
      if (!write) throw unsupportedOperation();
      if (action === "rotate") return this.#info(this.#rotate(this.#existing(name)));
      if (action === "config") return this.#info(this.#configure(this.#existing(name), body));
      throw unsupportedPath();
    }
    if (!write) throw unsupportedOperation();
    if (section === "datakey" && parts.length === 3) {
      const [, kind, name] = parts;
      if (kind !== "plaintext" && kind !== "wrapped") throw badRequest(`invalid type "${kind}"`);
      return { status: 200, data: this.#dataKey(this.#existing(name!, true), kind, body) };
    }
    if (parts.length !== 2 || parts[1] === "") throw unsupportedPath();
    const name = parts[1]!;
    switch (section) {
      case "encrypt":
        // Vault creates the key on first encrypt when policy allows (upsert); so does this.
        return { status: 200, data: this.#encrypt(this.#keys.get(name) ?? this.#create(name, {}), body) };
      case "decrypt":
        return {
          status: 200,
          data: { plaintext: this.#decrypt(this.#existing(name, true), body).toString("base64") },
        };
      case "rewrap": {
        const key = this.#existing(name, true);
        const plaintext = this.#decrypt(key, body);
        return {
          status: 200,
          data: this.#encrypt(key, { ...body, plaintext: plaintext.toString("base64") }),
        };
      }
      default:
        throw unsupportedPath();
    }
  }

  clear(): void {
    this.#keys.clear();
  }

  #existing(name: string, forCrypto = false): TransitKey {
    const key = this.#keys.get(name);
    if (!key) throw forCrypto ? badRequest("encryption key not found") : new VaultError(404, []);
    return key;
  }

  #create(name: string, body: Json): TransitKey {
    if (!KEY_NAME.test(name)) throw badRequest("invalid key name");
    const type = body.type ?? "aes256-gcm96";
    if (type !== "aes256-gcm96")
      throw badRequest(`unsupported key type "${String(type)}" (this emulator has aes256-gcm96 only)`);
    if (body.exportable === true) throw badRequest("exportable keys are not supported by this emulator");
    const existing = this.#keys.get(name);
    if (existing) return existing; // creating an existing key changes nothing
    const key: TransitKey = { name, versions: [], minDecryptionVersion: 1, deletionAllowed: false };
    this.#rotate(key);
    this.#keys.set(name, key);
    return key;
  }

  #rotate(key: TransitKey): TransitKey {
    key.versions.push({ key: randomBytes(32), createdS: Math.floor(this.clock() / 1000) });
    return key;
  }

  #configure(key: TransitKey, body: Json): TransitKey {
    if (body.min_decryption_version !== undefined) {
      const version = Number(body.min_decryption_version);
      if (!Number.isInteger(version) || version < 0 || version > key.versions.length) {
        throw badRequest("cannot set min decryption version to a version greater than the latest version");
      }
      key.minDecryptionVersion = Math.max(1, version);
    }
    if (body.deletion_allowed !== undefined) key.deletionAllowed = body.deletion_allowed === true;
    return key;
  }

  #delete(name: string): TransitResult {
    const key = this.#existing(name);
    if (!key.deletionAllowed) throw badRequest("deletion is not allowed for this key");
    this.#keys.delete(name);
    return { status: 204 };
  }

  #info(key: TransitKey): TransitResult {
    const keys = Object.fromEntries(key.versions.map((version, n) => [String(n + 1), version.createdS]));
    return {
      status: 200,
      data: {
        name: key.name,
        type: "aes256-gcm96",
        keys,
        latest_version: key.versions.length,
        min_available_version: 0,
        min_decryption_version: key.minDecryptionVersion,
        min_encryption_version: 0,
        deletion_allowed: key.deletionAllowed,
        derived: false,
        exportable: false,
        allow_plaintext_backup: false,
        supports_encryption: true,
        supports_decryption: true,
        supports_derivation: true,
        supports_signing: false,
        auto_rotate_period: 0,
      },
    };
  }

  #encrypt(key: TransitKey, body: Json): Json {
    const plaintext = base64Field(body, "plaintext", true);
    const version = key.versions.length;
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv("aes-256-gcm", key.versions[version - 1]!.key, nonce);
    cipher.setAAD(base64Field(body, "associated_data", false));
    const sealed = Buffer.concat([nonce, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    return { ciphertext: `vault:v${version}:${sealed.toString("base64")}`, key_version: version };
  }

  #decrypt(key: TransitKey, body: Json): Buffer {
    const text = body.ciphertext;
    if (typeof text !== "string" || text === "") throw badRequest("missing ciphertext to decrypt");
    const match = /^vault:v(\d+):(.*)$/.exec(text);
    if (!match)
      throw badRequest(
        text.startsWith("vault:")
          ? "invalid ciphertext: wrong number of fields"
          : "invalid ciphertext: no prefix",
      );
    const version = Number(match[1]);
    if (version < key.minDecryptionVersion)
      throw badRequest("ciphertext or signature version is disallowed by policy (too old)");
    if (version > key.versions.length || version < 1) throw badRequest("invalid key version");
    const sealed = Buffer.from(match[2]!, "base64");
    if (sealed.length < NONCE_BYTES + TAG_BYTES) throw badRequest("invalid ciphertext length");
    try {
      const decipher = createDecipheriv(
        "aes-256-gcm",
        key.versions[version - 1]!.key,
        sealed.subarray(0, NONCE_BYTES),
      );
      decipher.setAAD(base64Field(body, "associated_data", false));
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      return Buffer.concat([
        decipher.update(sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES)),
        decipher.final(),
      ]);
    } catch {
      throw badRequest("cipher: message authentication failed");
    }
  }

  #dataKey(key: TransitKey, kind: "plaintext" | "wrapped", body: Json): Json {
    const bits = body.bits === undefined ? 256 : Number(body.bits);
    if (![128, 256, 512].includes(bits)) throw badRequest(`invalid bits length "${String(body.bits)}"`);
    const plaintext = randomBytes(bits / 8);
    const sealed = this.#encrypt(key, { ...body, plaintext: plaintext.toString("base64") });
    return { ...sealed, ...(kind === "plaintext" && { plaintext: plaintext.toString("base64") }) };
  }
}

/** Transit mounts of one namespace, by path. */
export class TransitMounts {
  readonly #namespaces = new Map<string, Map<string, TransitEngine>>();

  constructor(
    private readonly clock: Clock,
    private readonly defaults: readonly string[],
  ) {}

  of(namespace: string): Map<string, TransitEngine> {
    let mounts = this.#namespaces.get(namespace);
    if (!mounts) {
      mounts = new Map(this.defaults.map((path) => [path, new TransitEngine(this.clock)]));
      this.#namespaces.set(namespace, mounts);
    }
    return mounts;
  }

  /** The mount `path` falls under, and the rest of the path, if any. */
  find(namespace: string, path: string): { engine: TransitEngine; rest: string } | undefined {
    for (const [mount, engine] of this.of(namespace)) {
      if (path.startsWith(`${mount}/`)) return { engine, rest: path.slice(mount.length + 1) };
    }
    return undefined;
  }

  clear(): void {
    this.#namespaces.clear();
  }
}

/** A base64 field (plaintext, associated_data): bytes, or 400 as Vault answers bad base64. */
function base64Field(body: Json, field: string, required: boolean): Buffer {
  const value = body[field];
  if (value === undefined || value === null || value === "") {
    if (required) throw badRequest(`missing ${field} to encrypt`);
    return Buffer.alloc(0);
  }
  if (typeof value !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) {
    throw badRequest(`failed to base64-decode ${field}`);
  }
  return Buffer.from(value, "base64");
}
