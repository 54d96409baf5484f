// The emulated key rings, crypto keys and their versions, with the lifecycle rules of the Cloud KMS
// reference: a key ring and a key are never deleted; a new key gets version 1 as its primary
// (unless skip_initial_version_creation); CreateCryptoKeyVersion adds an ENABLED version that is
// not primary until UpdateCryptoKeyPrimaryVersion makes it so; every version that is ENABLED still
// decrypts what it encrypted; DISABLED and DESTROY_SCHEDULED versions do neither.
// Only symmetric ENCRYPT_DECRYPT keys (GOOGLE_SYMMETRIC_ENCRYPTION, SOFTWARE) are emulated.
import { randomBytes } from "node:crypto";
import {
  alreadyExists,
  failedPrecondition,
  invalidArgument,
  notFound,
  permissionDenied,
} from "../gcp/errors.js";
import { Clock, type Timestamp, toTimestamp } from "../gcp/time.js";
import { newKeyUid } from "./ciphertext.js";
import {
  type CryptoKeyName,
  type KeyRingName,
  type LocationName,
  parseCryptoKey,
  parseKeyRing,
  parseLocation,
  parseVersion,
  RESOURCE_ID,
} from "./names.js";

export type VersionState = "ENABLED" | "DISABLED" | "DESTROY_SCHEDULED" | "DESTROYED";

export interface KeyVersion {
  id: number;
  state: VersionState;
  material: Buffer;
  createNs: bigint;
  destroyNs?: bigint;
}

export interface CryptoKey {
  name: string;
  /** Random per key: what ciphertexts carry to name their key (see ciphertext.ts). */
  uid: Buffer;
  createNs: bigint;
  labels: Record<string, string>;
  versions: KeyVersion[];
  primary: number | undefined;
}

/** How long a destroyed version stays restorable: the documented default of destroy_scheduled_duration. */
const DESTROY_SCHEDULED_NS = 30n * 24n * 3600n * 1_000_000_000n;

export class KmsKeyStore {
  readonly #keyRings = new Map<string, bigint>();
  readonly #keys = new Map<string, CryptoKey>();
  readonly #clock = new Clock();

  /** @param projectId when set, the only project that exists: others are PERMISSION_DENIED. */
  constructor(readonly projectId?: string) {}

  createKeyRing(parent: string, keyRingId: string): object {
    const location = this.#allowed(parseLocation(parent), "cloudkms.keyRings.create");
    if (!RESOURCE_ID.test(keyRingId)) {
      throw invalidArgument(`Invalid key_ring_id [${keyRingId}]: must match [a-zA-Z0-9_-]{1,63}.`);
    }
    const name = `${location.name}/keyRings/${keyRingId}`;
    if (this.#keyRings.has(name)) throw alreadyExists(`KeyRing ${name} already exists.`);
    this.#keyRings.set(name, this.#clock.now());
    return this.keyRingView(name);
  }

  getKeyRing(value: string): object {
    const ring = this.#allowed(parseKeyRing(value), "cloudkms.keyRings.get");
    if (!this.#keyRings.has(ring.name)) throw notFound(`KeyRing ${ring.name} not found.`);
    return this.keyRingView(ring.name);
  }

  createCryptoKey(
    parent: string,
    cryptoKeyId: string,
    template: { purpose?: string; labels?: Record<string, string> } | null,
    skipInitialVersion: boolean,
  ): CryptoKey {
    const ring = this.#allowed(parseKeyRing(parent, "parent"), "cloudkms.cryptoKeys.create");
    if (!this.#keyRings.has(ring.name)) throw notFound(`KeyRing ${ring.name} not found.`);
    if (!RESOURCE_ID.test(cryptoKeyId)) {
      throw invalidArgument(`Invalid crypto_key_id [${cryptoKeyId}]: must match [a-zA-Z0-9_-]{1,63}.`);
    }
    const purpose = template?.purpose ?? "CRYPTO_KEY_PURPOSE_UNSPECIFIED";
    if (purpose === "CRYPTO_KEY_PURPOSE_UNSPECIFIED") {
      throw invalidArgument("The request must specify crypto_key.purpose.");
    }
    if (purpose !== "ENCRYPT_DECRYPT") {
      throw invalidArgument(`This emulator supports purpose ENCRYPT_DECRYPT only, not ${purpose}.`);
    }
    const name = `${ring.name}/cryptoKeys/${cryptoKeyId}`;
    if (this.#keys.has(name)) throw alreadyExists(`CryptoKey ${name} already exists.`);
    const key: CryptoKey = {
      name,
      uid: newKeyUid(),
      createNs: this.#clock.now(),
      labels: { ...template?.labels },
      versions: [],
      primary: undefined,
    };
    this.#keys.set(name, key);
    if (!skipInitialVersion) key.primary = this.#addVersion(key).id;
    return key;
  }

  /** The key a name refers to; NOT_FOUND (or PERMISSION_DENIED for a project not served). */
  key(value: string | CryptoKeyName, permission: string, field = "name"): CryptoKey {
    const name = this.#allowed(typeof value === "string" ? parseCryptoKey(value, field) : value, permission);
    const key = this.#keys.get(name.name);
    if (!key) throw notFound(`CryptoKey ${name.name} not found.`);
    return key;
  }

  /** The version a version name refers to, with its key. */
  version(value: string, permission: string): { key: CryptoKey; version: KeyVersion } {
    const name = parseVersion(value);
    const key = this.key(value.slice(0, value.lastIndexOf("/cryptoKeyVersions/")), permission);
    const version = key.versions.find((v) => String(v.id) === name.version);
    if (!version) throw notFound(`CryptoKeyVersion ${value} not found.`);
    return { key, version };
  }

  createVersion(parent: string): { key: CryptoKey; version: KeyVersion } {
    const key = this.key(parent, "cloudkms.cryptoKeyVersions.create", "parent");
    return { key, version: this.#addVersion(key) };
  }

  updatePrimary(name: string, versionId: string): CryptoKey {
    const key = this.key(name, "cloudkms.cryptoKeys.update");
    const version = key.versions.find((v) => String(v.id) === versionId);
    if (!version) throw notFound(`CryptoKeyVersion ${name}/cryptoKeyVersions/${versionId} not found.`);
    if (version.state !== "ENABLED") {
      throw failedPrecondition(
        `${name}/cryptoKeyVersions/${versionId} is not enabled, current state is: ${version.state}.`,
      );
    }
    key.primary = version.id;
    return key;
  }

  /** UpdateCryptoKeyVersion: only `state` (ENABLED <-> DISABLED) can change. */
  updateVersion(name: string, state: string, paths: string[]): { key: CryptoKey; version: KeyVersion } {
    const found = this.version(name, "cloudkms.cryptoKeyVersions.update");
    if (paths.length === 0 || paths.some((path) => path !== "state")) {
      throw invalidArgument("update_mask must list only the field 'state'.");
    }
    if (state !== "ENABLED" && state !== "DISABLED") {
      throw invalidArgument(`Cannot set state to ${state}: only ENABLED and DISABLED can be set.`);
    }
    if (found.version.state !== "ENABLED" && found.version.state !== "DISABLED") {
      throw failedPrecondition(`${name} is ${found.version.state} and cannot be ${state.toLowerCase()}.`);
    }
    found.version.state = state;
    return found;
  }

  destroyVersion(name: string): { key: CryptoKey; version: KeyVersion } {
    const found = this.version(name, "cloudkms.cryptoKeyVersions.destroy");
    if (found.version.state !== "ENABLED" && found.version.state !== "DISABLED") {
      throw failedPrecondition(`${name} is already ${found.version.state}.`);
    }
    found.version.state = "DESTROY_SCHEDULED";
    found.version.destroyNs = this.#clock.now() + DESTROY_SCHEDULED_NS;
    return found;
  }

  clear(): void {
    this.#keyRings.clear();
    this.#keys.clear();
  }

  keyRingView(name: string): object {
    return { name, createTime: toTimestamp(this.#keyRings.get(name)!) };
  }

  keyView(key: CryptoKey): object {
    const primary = key.versions.find((v) => v.id === key.primary);
    return {
      name: key.name,
      purpose: "ENCRYPT_DECRYPT",
      createTime: toTimestamp(key.createNs),
      labels: key.labels,
      primary: primary ? this.versionView(key, primary) : null,
      versionTemplate: { protectionLevel: "SOFTWARE", algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION" },
      destroyScheduledDuration: { seconds: String(DESTROY_SCHEDULED_NS / 1_000_000_000n), nanos: 0 },
    };
  }

  versionView(key: CryptoKey, version: KeyVersion): object {
    const time = (ns: bigint | undefined): Timestamp | null => (ns === undefined ? null : toTimestamp(ns));
    return {
      name: versionName(key, version),
      state: version.state,
      protectionLevel: "SOFTWARE",
      algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION",
      createTime: time(version.createNs),
      generateTime: time(version.createNs),
      destroyTime: time(version.destroyNs),
    };
  }

  #addVersion(key: CryptoKey): KeyVersion {
    const version: KeyVersion = {
      id: key.versions.length + 1,
      state: "ENABLED",
      material: randomBytes(32),
      createNs: this.#clock.now(),
    };
    key.versions.push(version);
    return version;
  }

  /** A pinned emulator serves one project: another is refused as IAM refuses it. */
  #allowed<T extends LocationName | KeyRingName | CryptoKeyName>(name: T, permission: string): T {
    if (this.projectId !== undefined && name.project !== this.projectId) {
      throw permissionDenied(
        `Permission '${permission}' denied on resource '${name.name}' (or it may not exist).`,
      );
    }
    return name;
  }
}

export function versionName(key: CryptoKey, version: KeyVersion): string {
  return `${key.name}/cryptoKeyVersions/${version.id}`;
}
