/**
 * Metadata rows are sealed: each carries an HMAC-SHA256, under a key the database does not hold,
 * of every column that decides what a secret is and who may read it — id, name, owner, private,
 * scope, version, keys and timestamps. Someone who can write to the metadata database but does not
 * have the key cannot swap two secrets' names, hand a secret to another owner, make a private
 * secret public or damage its key list without the row failing its check on the next read.
 *
 * Not sealed: `state` and `state_since`, the write protocol's bookkeeping. Changing them can hide
 * a secret or hold its name (as deleting the row could), never show one to someone else.
 * Not detectable: a whole row put back as it was at an older version (a replay); restoring
 * yesterday's backup is indistinguishable from it.
 *
 * The seal is `<key id>.<base64url HMAC>`; the key id lets the key be rotated later.
 */
import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from "node:crypto";
import { IntegrityError } from "@coffer/core";
import type { Keyring } from "@coffer/sql";
import type { SecretRow } from "./schema.js";

/** The columns a seal covers. A change to any of them needs a new seal. */
export const SEALED_COLUMNS = [
  "id",
  "name",
  "owner",
  "private",
  "scope",
  "version",
  "keys",
  "created_at",
  "updated_at",
] as const satisfies ReadonlyArray<keyof SecretRow>;

export type SealedFields = Pick<SecretRow, (typeof SEALED_COLUMNS)[number]>;

export class MetadataSealer {
  // createHmac given a Buffer builds a key object on every call (~25 µs, five times the HMAC
  // itself); every read by name verifies a seal, so each key's object is made once.
  readonly #keyObjects = new WeakMap<Buffer, KeyObject>();

  constructor(readonly keyring: Keyring) {}

  seal(row: SealedFields): string {
    const { id, key } = this.keyring.activeKey();
    return `${id}.${mac(this.#keyObject(key), row).toString("base64url")}`;
  }

  /** Why the row fails its check, or undefined when it passes. */
  problem(row: SealedFields & { mac?: string | null }): string | undefined {
    if (!row.mac) return "it carries no seal";
    const dot = row.mac.lastIndexOf(".");
    const keyId = row.mac.slice(0, dot);
    const key = dot > 0 ? this.keyring.key(keyId) : undefined;
    if (!key) return `it is sealed with key '${keyId.slice(0, 64)}', which is not in the metadata keyring`;
    const given = Buffer.from(row.mac.slice(dot + 1), "base64url");
    const expected = mac(this.#keyObject(key), row);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return "its seal does not match its contents";
    }
    return undefined;
  }

  #keyObject(key: Buffer): KeyObject {
    let keyObject = this.#keyObjects.get(key);
    if (keyObject === undefined) {
      keyObject = createSecretKey(key);
      this.#keyObjects.set(key, keyObject);
    }
    return keyObject;
  }

  /** The row, checked; an IntegrityError naming only its id when it fails. */
  verify<T extends SealedFields & { mac?: string | null }>(row: T): T {
    const problem = this.problem(row);
    if (problem) throw tampered(row.id, problem);
    return row;
  }
}

export function tampered(id: string, problem: string): IntegrityError {
  return new IntegrityError(
    `The metadata of secret ${id} failed its integrity check: ${problem}. It was changed outside Coffer.`,
    {
      hint: "Restore the row from a backup of the metadata database, or delete the secret; until then no one can read it.",
      details: { id, reason: problem },
    },
  );
}

function mac(key: KeyObject, row: SealedFields): Buffer {
  // Numbers normalised: drivers return bigint columns as strings (pg) or numbers.
  const canonical = JSON.stringify([
    "coffer/metadata/v1",
    String(row.id),
    String(row.name),
    String(row.owner),
    Number(row.private),
    String(row.scope),
    Number(row.version),
    String(row.keys),
    Number(row.created_at),
    Number(row.updated_at),
  ]);
  return createHmac("sha256", key).update(canonical).digest();
}
