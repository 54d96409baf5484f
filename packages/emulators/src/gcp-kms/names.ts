// Cloud KMS resource names, as resources.proto's `google.api.resource` patterns define them:
// projects/{project}/locations/{location}/keyRings/{key_ring}/cryptoKeys/{crypto_key}
// /cryptoKeyVersions/{crypto_key_version}. Ids of key rings and keys match [a-zA-Z0-9_-]{1,63}.
import { invalidArgument } from "../gcp/errors.js";

export interface LocationName {
  project: string;
  location: string;
  name: string;
}
export interface KeyRingName extends LocationName {
  keyRing: string;
}
export interface CryptoKeyName extends KeyRingName {
  cryptoKey: string;
}
export interface VersionName extends CryptoKeyName {
  version: string;
}

/** The id rule the KMS reference gives for key ring and crypto key ids. */
export const RESOURCE_ID = /^[a-zA-Z0-9_-]{1,63}$/;

const S = "([^/]+)";
const LOCATION = new RegExp(`^projects/${S}/locations/${S}$`);
const KEY_RING = new RegExp(`^projects/${S}/locations/${S}/keyRings/${S}$`);
const CRYPTO_KEY = new RegExp(`^projects/${S}/locations/${S}/keyRings/${S}/cryptoKeys/${S}$`);
const VERSION = new RegExp(
  `^projects/${S}/locations/${S}/keyRings/${S}/cryptoKeys/${S}/cryptoKeyVersions/${S}$`,
);

function invalid(field: string, value: string): never {
  throw invalidArgument(`Invalid resource field value in the request: ${field} [${value}].`);
}

export function parseLocation(value: string, field = "parent"): LocationName {
  const m = LOCATION.exec(value) ?? invalid(field, value);
  return { project: m[1]!, location: m[2]!, name: value };
}

export function parseKeyRing(value: string, field = "name"): KeyRingName {
  const m = KEY_RING.exec(value) ?? invalid(field, value);
  return { project: m[1]!, location: m[2]!, keyRing: m[3]!, name: value };
}

export function parseCryptoKey(value: string, field = "name"): CryptoKeyName {
  const m = CRYPTO_KEY.exec(value) ?? invalid(field, value);
  return { project: m[1]!, location: m[2]!, keyRing: m[3]!, cryptoKey: m[4]!, name: value };
}

export function parseVersion(value: string, field = "name"): VersionName {
  const m = VERSION.exec(value) ?? invalid(field, value);
  return { project: m[1]!, location: m[2]!, keyRing: m[3]!, cryptoKey: m[4]!, version: m[5]!, name: value };
}

/** Encrypt takes a CryptoKey or one of its versions: the key's name and the version, if given. */
export function parseKeyOrVersion(value: string): { key: CryptoKeyName; version?: string } {
  if (VERSION.test(value)) {
    const v = parseVersion(value);
    return {
      key: parseCryptoKey(value.slice(0, value.lastIndexOf("/cryptoKeyVersions/"))),
      version: v.version,
    };
  }
  return { key: parseCryptoKey(value) };
}
