// The keys of one emulated vault: each name holds versions of an RSA key pair made with
// node:crypto, the attributes and key_ops Key Vault keeps per version, and a soft-deleted state.
// Only the public half ever leaves in a response (n, e), as from the real service.
import { generateKeyPair, type KeyObject, randomBytes } from "node:crypto";
import { promisify } from "node:util";
import type { Clock } from "../shared/http.js";
import {
  badParameter,
  deletedButRecoverable,
  deletedKeyNotFound,
  keyDisabled,
  keyNotFound,
  operationForbidden,
} from "./errors.js";

const generateRsa = promisify(generateKeyPair);

const NAME = /^[0-9a-zA-Z-]{1,127}$/;
export const KEY_TYPES = new Set(["RSA", "RSA-HSM"]);
export const KEY_SIZES = new Set([2048, 3072, 4096]);
export const KEY_OPERATIONS = ["encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey"] as const;

export interface KeyAttributesBody {
  enabled?: boolean;
  nbf?: number;
  exp?: number;
}

/** The create and rotate request body, as the REST reference names its fields. */
export interface CreateKeyBody {
  kty?: unknown;
  key_size?: unknown;
  public_exponent?: unknown;
  key_ops?: unknown;
  attributes?: KeyAttributesBody;
  tags?: unknown;
}

export interface UpdateKeyBody {
  key_ops?: unknown;
  attributes?: KeyAttributesBody;
  tags?: unknown;
}

export interface KeyVersion {
  readonly version: string;
  readonly kty: string;
  readonly size: number;
  readonly publicKey: KeyObject;
  readonly privateKey: KeyObject;
  keyOps: string[];
  enabled: boolean;
  nbf: number | undefined;
  exp: number | undefined;
  tags: Record<string, string> | undefined;
  readonly created: number;
  updated: number;
}

interface StoredKey {
  name: string;
  /** Oldest first; the last is the current version. */
  versions: KeyVersion[];
}

interface DeletedKey {
  key: StoredKey;
  deletedDate: number;
}

export interface Recovery {
  days: number;
  level: string;
  /** recoverableDays appeared in api-version 7.1: older versions' answers leave it out. */
  omitDays?: boolean;
}

export function validateKeyName(name: string): void {
  if (!NAME.test(name)) throw badParameter(`The request URI contains an invalid name: ${name}`);
}

export class KeyVaultKeys {
  // Key Vault names are case-insensitive: map keys are lower case, entries keep the first spelling.
  readonly #keys = new Map<string, StoredKey>();
  readonly #deleted = new Map<string, DeletedKey>();

  constructor(
    private readonly clock: Clock,
    /** Soft-delete retention, 7 to 90 days, as the vault was created with. */
    private readonly retentionDays = 90,
  ) {
    if (!Number.isInteger(retentionDays) || retentionDays < 7 || retentionDays > 90) {
      throw new RangeError("softDeleteRetentionInDays must be an integer from 7 to 90");
    }
  }

  /** A new version under `name` (a new key when the name is free), as create and rotate make. */
  async create(name: string, body: CreateKeyBody): Promise<{ name: string; version: KeyVersion }> {
    validateKeyName(name);
    if (this.#deleted.has(name.toLowerCase())) throw deletedButRecoverable(name);
    const kty = body.kty;
    if (typeof kty !== "string" || !KEY_TYPES.has(kty)) {
      throw badParameter(
        kty === undefined
          ? "The parameter kty is required."
          : `Invalid key type: ${String(kty)}. This emulator makes RSA and RSA-HSM keys.`,
      );
    }
    const size = body.key_size ?? 2048;
    if (typeof size !== "number" || !KEY_SIZES.has(size)) {
      throw badParameter(`Invalid key size: ${String(size)}. RSA keys are 2048, 3072 or 4096 bits.`);
    }
    if (body.public_exponent !== undefined && body.public_exponent !== 65537) {
      throw badParameter("Invalid public exponent: only 65537 is supported.");
    }
    const keyOps = parseKeyOps(body.key_ops) ?? [...KEY_OPERATIONS];
    const tags = parseTags(body.tags);
    const { publicKey, privateKey } = await generateRsa("rsa", {
      modulusLength: size,
      publicExponent: 65537,
    });
    const now = this.#now();
    const version: KeyVersion = {
      version: randomBytes(16).toString("hex"),
      kty,
      size,
      publicKey,
      privateKey,
      keyOps,
      enabled: body.attributes?.enabled ?? true,
      nbf: body.attributes?.nbf,
      exp: body.attributes?.exp,
      tags,
      created: now,
      updated: now,
    };
    // Key generation awaited above: another request may have made the name meanwhile.
    const key = this.#keys.get(name.toLowerCase()) ?? { name, versions: [] };
    key.versions.push(version);
    this.#keys.set(name.toLowerCase(), key);
    return { name: key.name, version };
  }

  /** A new version with the current version's type, size, key_ops and tags (POST …/rotate). */
  async rotate(name: string): Promise<{ name: string; version: KeyVersion }> {
    const current = this.get(name, "");
    return this.create(current.name, {
      kty: current.version.kty,
      key_size: current.version.size,
      key_ops: current.version.keyOps,
      ...(current.version.tags && { tags: current.version.tags }),
    });
  }

  /** The version named, or the current one for "" (disabled versions are returned: GET is allowed). */
  get(name: string, version: string): { name: string; version: KeyVersion } {
    validateKeyName(name);
    const key = this.#keys.get(name.toLowerCase());
    if (!key) throw keyNotFound(name);
    const found = version === "" ? key.versions.at(-1) : key.versions.find((v) => v.version === version);
    if (!found) throw keyNotFound(`${name}/${version}`);
    return { name: key.name, version: found };
  }

  update(name: string, version: string, body: UpdateKeyBody): { name: string; version: KeyVersion } {
    const found = this.get(name, version);
    const keyOps = parseKeyOps(body.key_ops);
    if (keyOps) found.version.keyOps = keyOps;
    const attributes = body.attributes ?? {};
    if (attributes.enabled !== undefined) {
      if (typeof attributes.enabled !== "boolean")
        throw badParameter("attributes.enabled must be a boolean.");
      found.version.enabled = attributes.enabled;
    }
    if (attributes.nbf !== undefined) found.version.nbf = attributes.nbf;
    if (attributes.exp !== undefined) found.version.exp = attributes.exp;
    if (body.tags !== undefined) found.version.tags = parseTags(body.tags);
    found.version.updated = this.#now();
    return found;
  }

  /**
   * The version a cryptographic operation may use: it exists, is enabled and inside its validity
   * window, and lists the operation in key_ops. The service checks in this order.
   */
  usable(name: string, version: string, operation: string): { name: string; version: KeyVersion } {
    const found = this.get(name, version);
    const now = this.#now();
    if (!found.version.enabled) throw keyDisabled(operation);
    if (
      (found.version.nbf !== undefined && now < found.version.nbf) ||
      (found.version.exp !== undefined && now > found.version.exp)
    ) {
      throw operationForbidden(operation);
    }
    if (!found.version.keyOps.includes(operation)) throw operationForbidden(operation);
    return found;
  }

  versions(name: string): { name: string; versions: KeyVersion[] } {
    validateKeyName(name);
    const key = this.#keys.get(name.toLowerCase());
    if (!key) throw keyNotFound(name);
    return { name: key.name, versions: key.versions };
  }

  /** Soft delete: every version goes, recoverable for the retention period. */
  delete(name: string): { key: StoredKey; deletedDate: number } {
    validateKeyName(name);
    const key = this.#keys.get(name.toLowerCase());
    if (!key) throw keyNotFound(name);
    this.#keys.delete(name.toLowerCase());
    const deleted = { key, deletedDate: this.#now() };
    this.#deleted.set(name.toLowerCase(), deleted);
    return deleted;
  }

  getDeleted(name: string): DeletedKey {
    validateKeyName(name);
    const deleted = this.#deleted.get(name.toLowerCase());
    if (!deleted) throw deletedKeyNotFound(name);
    return deleted;
  }

  recover(name: string): { name: string; version: KeyVersion } {
    const deleted = this.getDeleted(name);
    this.#deleted.delete(name.toLowerCase());
    this.#keys.set(name.toLowerCase(), deleted.key);
    return { name: deleted.key.name, version: deleted.key.versions.at(-1)! };
  }

  /** Purge: gone for good, with every version that could have unwrapped something. */
  purge(name: string): void {
    this.getDeleted(name);
    this.#deleted.delete(name.toLowerCase());
  }

  clear(): void {
    this.#keys.clear();
    this.#deleted.clear();
  }

  /** What attributes report: the recovery level follows the retention, as in the service. */
  get recovery(): Recovery {
    return {
      days: this.retentionDays,
      level: this.retentionDays === 90 ? "Recoverable+Purgeable" : "CustomizedRecoverable+Purgeable",
    };
  }

  #now(): number {
    return Math.floor(this.clock() / 1000);
  }
}

function parseKeyOps(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw badParameter("key_ops must be an array of operations.");
  for (const op of value) {
    if (!(KEY_OPERATIONS as readonly unknown[]).includes(op)) {
      throw badParameter(`Invalid key operation: ${String(op)}.`);
    }
  }
  return [...new Set(value as string[])];
}

function parseTags(value: unknown): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) throw badParameter("tags must be an object.");
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > 15) throw badParameter("A key may have at most 15 tags.");
  for (const [, tag] of entries) {
    if (typeof tag !== "string") throw badParameter("Tag values must be strings.");
  }
  return Object.fromEntries(entries) as Record<string, string>;
}
