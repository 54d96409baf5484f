// The in-memory vault: secrets with versions, soft delete with recovery and purge, backup and
// restore. Shapes follow the Key Vault REST reference (SecretBundle, SecretItem,
// DeletedSecretBundle, DeletedSecretItem); dates are epoch seconds. Values never appear in errors.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import {
  badParameter,
  deletedButRecoverable,
  deletedSecretNotFound,
  KeyVaultError,
  malformedBackup,
  secretDisabled,
  secretNotFound,
} from "./errors.js";

/** "Key Vault stores and manages secrets as sequences of octets (8-bit bytes), with a maximum size
 * of 25k bytes each"; the service and the az CLI enforce 25,600. */
export const MAX_VALUE_BYTES = 25_600;
export const MAX_TAGS = 15;
const NAME = /^[0-9a-zA-Z-]{1,127}$/;

interface Attributes {
  enabled: boolean;
  nbf?: number;
  exp?: number;
  created: number;
  updated: number;
}

interface Version {
  id: string;
  value: string;
  contentType?: string;
  tags?: Record<string, string>;
  attributes: Attributes;
}

interface StoredSecret {
  name: string;
  /** In creation order; the last is the current ("latest") version. */
  versions: Version[];
}

interface DeletedSecret {
  secret: StoredSecret;
  deletedDate: number;
  scheduledPurgeDate: number;
}

export interface SetSecretBody {
  value?: unknown;
  contentType?: unknown;
  tags?: unknown;
  attributes?: unknown;
}

export interface VaultOptions {
  /** Soft-delete retention, 7 to 90 days (Key Vault's range); 90 unless set. */
  softDeleteRetentionInDays?: number;
}

const now = () => Math.floor(Date.now() / 1000);

export function validateName(name: string): void {
  if (!NAME.test(name)) throw badParameter(`The request URI contains an invalid name: ${name}`);
}

export class Vault {
  // Key Vault names are case-insensitive; the map keys are lower case, entries keep the first spelling.
  private readonly secrets = new Map<string, StoredSecret>();
  private readonly deleted = new Map<string, DeletedSecret>();
  private readonly retentionDays: number;
  private readonly recoveryLevel: string;
  private readonly backupKey = randomBytes(32);

  constructor(options: VaultOptions = {}) {
    const days = options.softDeleteRetentionInDays ?? 90;
    if (!Number.isInteger(days) || days < 7 || days > 90) {
      throw new RangeError("softDeleteRetentionInDays must be an integer from 7 to 90");
    }
    this.retentionDays = days;
    this.recoveryLevel = days === 90 ? "Recoverable+Purgeable" : "CustomizedRecoverable+Purgeable";
  }

  setSecret(vaultUrl: string, name: string, body: SetSecretBody): object {
    this.sweep();
    const key = name.toLowerCase();
    if (this.deleted.has(key)) throw deletedButRecoverable(name);
    if (typeof body.value !== "string")
      throw badParameter("The secret value is required and must be a string.");
    if (Buffer.byteLength(body.value, "utf8") > MAX_VALUE_BYTES) {
      throw badParameter(`The secret value exceeds the maximum size of ${MAX_VALUE_BYTES} bytes.`);
    }
    const at = now();
    const version: Version = {
      id: randomBytes(16).toString("hex"),
      value: body.value,
      attributes: { enabled: true, created: at, updated: at },
    };
    applyProperties(version, body);
    const secret = this.secrets.get(key) ?? { name, versions: [] };
    secret.versions.push(version);
    this.secrets.set(key, secret);
    return this.bundle(vaultUrl, secret, version, true);
  }

  getSecret(vaultUrl: string, name: string, versionId: string): object {
    const { secret, version } = this.find(name, versionId);
    if (!version.attributes.enabled) throw secretDisabled();
    return this.bundle(vaultUrl, secret, version, true);
  }

  updateSecret(vaultUrl: string, name: string, versionId: string, body: SetSecretBody): object {
    const { secret, version } = this.find(name, versionId);
    applyProperties(version, body);
    version.attributes.updated = now();
    return this.bundle(vaultUrl, secret, version, false);
  }

  /** Current secrets, sorted by name, as SecretItems (latest version's properties, no version in the id). */
  listSecrets(vaultUrl: string): Array<{ key: string; item: object }> {
    this.sweep();
    return [...this.secrets.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, secret]) => ({ key, item: this.item(vaultUrl, secret, latest(secret), false) }));
  }

  /**
   * Every version of a secret as SecretItems with versioned ids, sorted by version id. A name with
   * no secret lists nothing (200, empty page): the service answers so, not 404.
   */
  listVersions(vaultUrl: string, name: string): Array<{ key: string; item: object }> {
    this.sweep();
    const secret = this.secrets.get(name.toLowerCase());
    if (!secret) return [];
    return [...secret.versions]
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((v) => ({ key: v.id, item: this.item(vaultUrl, secret, v, true) }));
  }

  deleteSecret(vaultUrl: string, name: string): object {
    this.sweep();
    const key = name.toLowerCase();
    const secret = this.secrets.get(key);
    if (!secret) throw secretNotFound(name);
    const deletedDate = now();
    const entry = { secret, deletedDate, scheduledPurgeDate: deletedDate + this.retentionDays * 86_400 };
    this.secrets.delete(key);
    this.deleted.set(key, entry);
    return this.deletedBundle(vaultUrl, entry);
  }

  /** Like every get, refused (403 SecretDisabled) when the secret's current version is disabled. */
  getDeletedSecret(vaultUrl: string, name: string): object {
    const entry = this.findDeleted(name);
    if (!latest(entry.secret).attributes.enabled) throw secretDisabled();
    return this.deletedBundle(vaultUrl, entry);
  }

  listDeletedSecrets(vaultUrl: string): Array<{ key: string; item: object }> {
    this.sweep();
    return [...this.deleted.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, entry]) => ({
        key,
        item: {
          ...this.item(vaultUrl, entry.secret, latest(entry.secret), false),
          ...this.deletion(vaultUrl, entry),
        },
      }));
  }

  purgeDeletedSecret(name: string): void {
    this.findDeleted(name);
    this.deleted.delete(name.toLowerCase());
  }

  recoverDeletedSecret(vaultUrl: string, name: string): object {
    this.sweep();
    const key = name.toLowerCase();
    const entry = this.deleted.get(key);
    // The service words this 404 like a missing live secret, not like a missing deleted one.
    if (!entry) throw secretNotFound(name);
    this.deleted.delete(key);
    this.secrets.set(key, entry.secret);
    return this.bundle(vaultUrl, entry.secret, latest(entry.secret), false);
  }

  /** An opaque blob (AES-256-GCM under a key that lives only as long as this emulator). */
  backupSecret(name: string): { value: string } {
    this.sweep();
    const secret = this.secrets.get(name.toLowerCase());
    if (!secret) throw secretNotFound(name);
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.backupKey, iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(secret), "utf8"), cipher.final()]);
    return { value: Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url") };
  }

  restoreSecret(vaultUrl: string, blob: unknown): object {
    this.sweep();
    const secret = this.openBackup(blob);
    const key = secret.name.toLowerCase();
    if (this.deleted.has(key)) throw deletedButRecoverable(secret.name);
    if (this.secrets.has(key)) {
      throw new KeyVaultError(409, "Conflict", `Secret ${secret.name} already exists in this key vault.`);
    }
    this.secrets.set(key, secret);
    return this.bundle(vaultUrl, secret, latest(secret), false);
  }

  // --- helpers ---------------------------------------------------------------------------------

  private find(name: string, versionId: string): { secret: StoredSecret; version: Version } {
    this.sweep();
    const secret = this.secrets.get(name.toLowerCase());
    if (!secret) throw secretNotFound(name);
    // An empty version means the current one: the most recently created, whatever its state.
    const version =
      versionId === "" ? latest(secret) : secret.versions.find((v) => v.id === versionId.toLowerCase());
    if (!version) throw secretNotFound(`${name}/${versionId}`);
    return { secret, version };
  }

  private findDeleted(name: string): DeletedSecret {
    this.sweep();
    const entry = this.deleted.get(name.toLowerCase());
    if (!entry) throw deletedSecretNotFound(name);
    return entry;
  }

  /** Soft-deleted secrets whose retention has run out are purged, as the service does. */
  private sweep(): void {
    const at = now();
    for (const [key, entry] of this.deleted) if (entry.scheduledPurgeDate <= at) this.deleted.delete(key);
  }

  private openBackup(blob: unknown): StoredSecret {
    try {
      const raw = Buffer.from(String(blob), "base64url");
      const decipher = createDecipheriv("aes-256-gcm", this.backupKey, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      const json = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
      return JSON.parse(json) as StoredSecret;
    } catch {
      throw malformedBackup();
    }
  }

  private attributes(v: Version): object {
    return { ...v.attributes, recoveryLevel: this.recoveryLevel, recoverableDays: this.retentionDays };
  }

  private item(vaultUrl: string, secret: StoredSecret, v: Version, withVersion: boolean): object {
    const id = `${vaultUrl}/secrets/${secret.name}${withVersion ? `/${v.id}` : ""}`;
    return {
      id,
      attributes: this.attributes(v),
      ...(v.tags ? { tags: { ...v.tags } } : {}),
      ...(v.contentType === undefined ? {} : { contentType: v.contentType }),
    };
  }

  private bundle(vaultUrl: string, secret: StoredSecret, v: Version, withValue: boolean): object {
    return {
      ...(withValue ? { value: v.value } : {}),
      ...this.item(vaultUrl, secret, v, true),
    };
  }

  private deletion(vaultUrl: string, entry: DeletedSecret): object {
    return {
      recoveryId: `${vaultUrl}/deletedsecrets/${entry.secret.name}`,
      deletedDate: entry.deletedDate,
      scheduledPurgeDate: entry.scheduledPurgeDate,
    };
  }

  private deletedBundle(vaultUrl: string, entry: DeletedSecret): object {
    return {
      ...this.bundle(vaultUrl, entry.secret, latest(entry.secret), false),
      ...this.deletion(vaultUrl, entry),
    };
  }
}

function latest(secret: StoredSecret): Version {
  return secret.versions[secret.versions.length - 1]!;
}

/** contentType, tags and attributes (enabled, nbf, exp) from a set or update body, validated. */
function applyProperties(version: Version, body: SetSecretBody): void {
  const { contentType, tags, attributes } = body;
  if (contentType !== undefined && contentType !== null) {
    if (typeof contentType !== "string" || contentType.length > 255) {
      throw badParameter("contentType must be a string of at most 255 characters.");
    }
  }
  if (tags !== undefined && tags !== null) {
    if (typeof tags !== "object" || Array.isArray(tags))
      throw badParameter("tags must be an object of strings.");
    const entries = Object.entries(tags as Record<string, unknown>);
    if (entries.length > MAX_TAGS) throw badParameter(`A secret may have at most ${MAX_TAGS} tags.`);
    for (const [name, value] of entries) {
      if (typeof value !== "string") throw badParameter(`Tag ${name} must have a string value.`);
      if (name.length > 512) throw badParameter("Tag names may be at most 512 characters.");
      if (value.length > 256) throw badParameter(`The value of tag ${name} may be at most 256 characters.`);
    }
  }
  let enabled: boolean | undefined;
  let nbf: number | null | undefined;
  let exp: number | null | undefined;
  if (attributes !== undefined && attributes !== null) {
    if (typeof attributes !== "object") throw badParameter("attributes must be an object.");
    const a = attributes as Record<string, unknown>;
    if (a.enabled !== undefined && a.enabled !== null && typeof a.enabled !== "boolean") {
      throw badParameter("attributes.enabled must be a boolean.");
    }
    for (const field of ["nbf", "exp"] as const) {
      if (a[field] !== undefined && a[field] !== null && !Number.isInteger(a[field])) {
        throw badParameter(`attributes.${field} must be a whole number of seconds since the epoch.`);
      }
    }
    enabled = (a.enabled as boolean | null | undefined) ?? undefined;
    nbf = a.nbf as number | null | undefined;
    exp = a.exp as number | null | undefined;
  }
  // Validation is complete: apply.
  if (typeof contentType === "string") version.contentType = contentType;
  if (tags !== undefined && tags !== null) version.tags = { ...(tags as Record<string, string>) };
  if (enabled !== undefined) version.attributes.enabled = enabled;
  // An explicit null clears the date; leaving the field out keeps it.
  if (nbf === null) delete version.attributes.nbf;
  else if (nbf !== undefined) version.attributes.nbf = nbf;
  if (exp === null) delete version.attributes.exp;
  else if (exp !== undefined) version.attributes.exp = exp;
}
