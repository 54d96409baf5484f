/**
 * What a secret version holds: the values' JSON inside a small envelope that names its owner.
 *
 *   {"coffer":"v1:<owner>","values":{"username":"app","password":"…"}}
 *
 * `<owner>` is 32 hex digits of SHA-256(deployment id, secret id). Reading it is how the store checks
 * ownership on every read without a second call: labels sit on the secret, and reading them is a
 * GetSecret, which Secret Manager counts against the "read requests" quota of 600 per minute per
 * project, while AccessSecretVersion has 90,000 per minute. Checking labels on each read would cap
 * a whole project at ten reads a second (and double every read's calls); the owner inside the payload
 * costs nothing and also binds the values to their secret, so a version copied from another secret
 * or another deployment is never returned. Labels are still written, for operators and for the
 * ownership check before updates and deletes.
 *
 * The owner is a fixed-size digest so that the envelope costs the same number of bytes for every
 * deployment: the store can then declare one `maxValueBytes`, Secret Manager's 65,536-byte payload
 * limit less the envelope.
 */
import { createHash } from "node:crypto";
import { crc32c } from "@aws-crypto/crc32c";
import { IntegrityError, type SecretId, type SecretValues } from "@coffer/core";
import { isValuesMap } from "@coffer/store-kit";

/** Secret Manager's limit on one version's payload. */
export const PAYLOAD_LIMIT_BYTES = 65_536;

const FORMAT = "v1";

/** The owner mark of a secret: the same for every write of it, different for every other secret. */
export function ownerMark(deploymentId: string, id: SecretId): string {
  const digest = createHash("sha256").update(`${deploymentId}\n${id}`, "utf8").digest("hex");
  return `${FORMAT}:${digest.slice(0, 32)}`;
}

export function encodePayload(owner: string, values: SecretValues): Buffer {
  return Buffer.from(`{"coffer":${JSON.stringify(owner)},"values":${JSON.stringify(values)}}`, "utf8");
}

/** Bytes the envelope adds to the values' JSON (the same for every owner). */
export const ENVELOPE_BYTES = encodePayload(ownerMark("", ""), {}).length - "{}".length;

/** The largest values (in bytes of their JSON) that fit one version. */
export const MAX_VALUE_BYTES = PAYLOAD_LIMIT_BYTES - ENVELOPE_BYTES;

export function checksumOf(data: Uint8Array): number {
  return crc32c(data);
}

export type DecodedPayload = { owned: true; values: SecretValues } | { owned: false };

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Checks the payload's CRC32C (when the service sent one) and its owner. A payload that is not a
 * Coffer envelope for `owner` is someone else's (`owned: false`); a Coffer envelope whose checksum
 * or contents are wrong is damage, an IntegrityError.
 */
export function decodePayload(
  id: SecretId,
  owner: string,
  data: Uint8Array,
  expectedCrc32c: number | undefined,
): DecodedPayload {
  if (expectedCrc32c !== undefined) {
    const actual = checksumOf(data);
    if (actual !== expectedCrc32c) {
      throw new IntegrityError(
        `The payload of secret ${id} read from GCP Secret Manager fails its CRC32C check (${actual} ≠ ${expectedCrc32c}).`,
        {
          hint: "The data was damaged between Secret Manager and Coffer; retry, and check any proxy on the way.",
          details: { id, expectedCrc32c, actualCrc32c: actual },
        },
      );
    }
  }
  let envelope: unknown;
  try {
    envelope = JSON.parse(utf8.decode(data));
  } catch {
    return { owned: false };
  }
  if (
    envelope === null ||
    typeof envelope !== "object" ||
    (envelope as { coffer?: unknown }).coffer !== owner
  ) {
    return { owned: false };
  }
  const values = (envelope as { values?: unknown }).values;
  if (!isValuesMap(values)) {
    throw new IntegrityError(`The payload of secret ${id} in GCP Secret Manager is not a map of strings.`, {
      hint: "A version was written by something other than Coffer; add a correct version or delete the secret.",
      details: { id },
    });
  }
  return { owned: true, values: { ...(values as SecretValues) } };
}

/** The CRC32C Secret Manager reports (an int64, which the client may hand over as a string). */
export function reportedChecksum(value: unknown): number | undefined {
  if (value === null || value === undefined) return undefined;
  const number = Number(String(value));
  return Number.isSafeInteger(number) ? number : undefined;
}
