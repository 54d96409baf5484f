/**
 * The store's own errors, in one place. Messages name secret ids, key ids, files and databases,
 * never values or key material.
 */
import {
  BackendUnavailableError,
  IntegrityError,
  NotSupportedError,
  SecretExistsError,
  type SecretId,
  SecretNotFoundError,
  VersionConflictError,
} from "@coffer/core";

export function notFound(id: SecretId): SecretNotFoundError {
  return new SecretNotFoundError(`The sql store holds no secret ${id}.`, {
    hint: "Check the id; the secret may have been deleted.",
    details: { id },
  });
}

/** A revision never written, or older than the newest `kept`. */
export function noRevision(
  id: SecretId,
  revision: number,
  current: number,
  kept: number,
): SecretNotFoundError {
  const first = Math.max(1, current - kept + 1);
  return new SecretNotFoundError(`The secret ${id} has no revision ${revision}.`, {
    hint: `Revisions ${first} to ${current} are kept (option maxVersions is ${kept}).`,
    details: { id, revision: Number.isFinite(revision) ? revision : String(revision) },
  });
}

/** An update that lost its row to other writes every time it tried: retryable, nothing written. */
export function busy(id: SecretId): BackendUnavailableError {
  return new BackendUnavailableError(`The secret ${id} kept changing while this update tried to apply.`, {
    hint: "Retry in a moment; other writers were updating it at the same time.",
    details: { id, reason: "contention" },
  });
}

export function exists(id: SecretId): SecretExistsError {
  return new SecretExistsError(`The sql store already holds a secret ${id}.`, {
    hint: "Use update to change it, or delete it first.",
    details: { id },
  });
}

export function conflict(id: SecretId, expected: number, actual: number): VersionConflictError {
  return new VersionConflictError(
    `The secret ${id} is at revision ${actual}, not the expected ${expected}.`,
    {
      hint: "Read the secret again and retry with its current revision.",
      details: { id, expected, actual },
    },
  );
}

export function notReady(state: "new" | "closed"): BackendUnavailableError {
  return state === "closed"
    ? new BackendUnavailableError("The sql store is closed.", {
        hint: "Create a new store; a closed one cannot be reopened.",
      })
    : new BackendUnavailableError("The sql store is not initialised.", {
        hint: "Call init() before using the store.",
      });
}

/** A row names a key the keyring does not hold. */
export function missingKey(id: SecretId, keyId: string, origin: string): IntegrityError {
  return new IntegrityError(
    `Secret ${id} is encrypted with key '${keyId}', which is not in the keyring; add it back to read these secrets.`,
    {
      hint: `Put key '${keyId}' back into ${origin} (restore it from your keyring backup). Coffer never drops a key that a secret still uses.`,
      details: { id, keyId },
    },
  );
}

/** Authentication failed: the key under that id is not the one used, or the row was altered. */
export function undecryptable(id: SecretId, keyId: string, origin: string): IntegrityError {
  return new IntegrityError(
    `Secret ${id} cannot be decrypted with key '${keyId}': the key is not the one it was encrypted with, or the stored row was altered or copied from another secret.`,
    {
      hint: `Check that key '${keyId}' in ${origin} is the original key. A row copied from another secret never decrypts; restore the secret from a backup.`,
      details: { id, keyId },
    },
  );
}

export function damaged(id: SecretId, problem: string): IntegrityError {
  return new IntegrityError(`Secret ${id} is stored in a form this version cannot read: ${problem}.`, {
    hint: "The row was written by a newer Coffer, or altered; upgrade Coffer or restore the secret from a backup.",
    details: { id },
  });
}

export function singleKeyCannotRotate(keyId: string): NotSupportedError {
  return new NotSupportedError("A single `encryptionKey` cannot be rotated.", {
    hint: `Configure option \`keyring\` instead, keeping the current key under its id '${keyId}' and adding a new active one: {"active": "k2", "keys": {"${keyId}": "<current key>", "k2": "<new key>"}}. Then rotate.`,
    details: { keyId },
  });
}

export function notKms(origin: string): NotSupportedError {
  return new NotSupportedError(`Keys from ${origin} are not wrapped by a KMS: there is nothing to re-wrap.`, {
    hint: "Re-wrapping applies to KMS key sources (option keySource); a keyring rotates with rotateKey().",
  });
}

/** Deadlocks and serialization failures: the transaction may simply be run again. */
export function isTransactionConflict(error: unknown): boolean {
  const code = String((error as { code?: unknown })?.code ?? "");
  const errno = (error as { errno?: unknown })?.errno;
  return (
    code === "40001" || // serialization_failure (PostgreSQL)
    code === "40P01" || // deadlock_detected (PostgreSQL)
    code === "ER_LOCK_DEADLOCK" ||
    code === "ER_LOCK_WAIT_TIMEOUT" ||
    errno === 1213 ||
    errno === 1205
  );
}
