// Encrypt and Decrypt as the Cloud KMS reference describes them, with the integrity fields of its
// "Verifying end-to-end data integrity" guide: a request checksum that is given is checked (a
// mismatch is INVALID_ARGUMENT and nothing is done) and reported back as verified_*; every response
// carries the CRC32C of the bytes it returns, for the client to check.

import { crc32c } from "../gcp/crc32c.js";
import { failedPrecondition, invalidArgument, notFound } from "../gcp/errors.js";
import { open, readHeader, seal } from "./ciphertext.js";
import { type CryptoKey, type KeyVersion, type KmsKeyStore, versionName } from "./keys.js";
import { parseKeyOrVersion } from "./names.js";

/** google.protobuf.Int64Value as proto-loader gives it (longs: String); null when unset. */
type Int64Value = { value: string } | null | undefined;

export interface EncryptRequest {
  name: string;
  plaintext: Buffer;
  additionalAuthenticatedData: Buffer;
  plaintextCrc32c?: Int64Value;
  additionalAuthenticatedDataCrc32c?: Int64Value;
}

export interface DecryptRequest {
  name: string;
  ciphertext: Buffer;
  additionalAuthenticatedData: Buffer;
  ciphertextCrc32c?: Int64Value;
  additionalAuthenticatedDataCrc32c?: Int64Value;
}

/**
 * What a test can make the next answers suffer, as a network or a faulty front end would:
 * `response-crc32c` returns a checksum that does not match the returned bytes; `unverified`
 * reports the request's checksums as not received (verified_* false); `other-version` names, in an
 * Encrypt answer, a version of another key than the one that encrypted.
 */
export type GcpKmsTamperKind = "response-crc32c" | "unverified" | "other-version";

/** The documented limit for SOFTWARE keys: plaintext and AAD each at most 64 KiB. */
const MAX_BYTES = 64 * 1024;

const FOREIGN = "Decryption failed: verify that 'name' refers to the correct CryptoKey.";

function checksum(data: Buffer, given: Int64Value, field: string, dataField: string): boolean {
  if (!given) return false;
  if (BigInt(given.value) !== BigInt(crc32c(data))) {
    throw invalidArgument(`The checksum in field ${field} did not match the data in field ${dataField}.`);
  }
  return true;
}

function usable(key: CryptoKey, version: KeyVersion): void {
  if (version.state !== "ENABLED") {
    throw failedPrecondition(
      `${versionName(key, version)} is not enabled, current state is: ${version.state}.`,
    );
  }
}

function crcOf(data: Buffer, tamper: GcpKmsTamperKind | undefined): { value: string } {
  const crc = crc32c(data);
  return { value: String(tamper === "response-crc32c" ? (crc + 1) % 2 ** 32 : crc) };
}

function limit(data: Buffer, field: string): void {
  if (data.length > MAX_BYTES) {
    throw invalidArgument(`The ${field} must be no larger than 64KiB, got ${data.length} bytes.`);
  }
}

export function encrypt(keys: KmsKeyStore, request: EncryptRequest, tamper?: GcpKmsTamperKind): object {
  const target = parseKeyOrVersion(request.name);
  const key = keys.key(target.key, "cloudkms.cryptoKeyVersions.useToEncrypt");
  const chosen = target.version ?? (key.primary === undefined ? undefined : String(key.primary));
  if (chosen === undefined) throw failedPrecondition(`${key.name} has no primary version.`);
  const version = key.versions.find((v) => String(v.id) === chosen);
  if (!version) throw notFound(`CryptoKeyVersion ${key.name}/cryptoKeyVersions/${chosen} not found.`);
  const plaintext = request.plaintext ?? Buffer.alloc(0);
  const aad = request.additionalAuthenticatedData ?? Buffer.alloc(0);
  if (plaintext.length === 0) throw invalidArgument("The request must specify plaintext.");
  limit(plaintext, "plaintext");
  limit(aad, "additional_authenticated_data");
  const verifiedPlaintext = checksum(plaintext, request.plaintextCrc32c, "plaintext_crc32c", "plaintext");
  const verifiedAad = checksum(
    aad,
    request.additionalAuthenticatedDataCrc32c,
    "additional_authenticated_data_crc32c",
    "additional_authenticated_data",
  );
  usable(key, version);
  const ciphertext = seal(version.material, { keyUid: key.uid, version: version.id }, plaintext, aad);
  return {
    name: tamper === "other-version" ? `${key.name}-other/cryptoKeyVersions/1` : versionName(key, version),
    ciphertext,
    ciphertextCrc32c: crcOf(ciphertext, tamper),
    verifiedPlaintextCrc32c: tamper === "unverified" ? false : verifiedPlaintext,
    verifiedAdditionalAuthenticatedDataCrc32c: tamper === "unverified" ? false : verifiedAad,
    protectionLevel: "SOFTWARE",
  };
}

export function decrypt(keys: KmsKeyStore, request: DecryptRequest, tamper?: GcpKmsTamperKind): object {
  const key = keys.key(request.name, "cloudkms.cryptoKeyVersions.useToDecrypt");
  const ciphertext = request.ciphertext ?? Buffer.alloc(0);
  const aad = request.additionalAuthenticatedData ?? Buffer.alloc(0);
  if (ciphertext.length === 0) throw invalidArgument("The request must specify ciphertext.");
  limit(aad, "additional_authenticated_data");
  checksum(ciphertext, request.ciphertextCrc32c, "ciphertext_crc32c", "ciphertext");
  checksum(
    aad,
    request.additionalAuthenticatedDataCrc32c,
    "additional_authenticated_data_crc32c",
    "additional_authenticated_data",
  );
  const header = readHeader(ciphertext);
  if (!header?.keyUid.equals(key.uid)) throw invalidArgument(FOREIGN);
  const version = key.versions.find((v) => v.id === header.version);
  if (!version) throw invalidArgument(FOREIGN);
  usable(key, version);
  const plaintext = open(version.material, ciphertext, aad);
  if (!plaintext) throw invalidArgument("Decryption failed: the ciphertext is invalid.");
  return {
    plaintext,
    plaintextCrc32c: crcOf(plaintext, tamper),
    usedPrimary: version.id === key.primary,
    protectionLevel: "SOFTWARE",
  };
}
