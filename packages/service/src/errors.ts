/**
 * The service's typed errors, worded once: each factory says what happened to which secret and
 * what to do next. Messages carry names, ids and versions — never values.
 */
import {
  BackendUnavailableError,
  IntegrityError,
  NotSupportedError,
  PermissionDeniedError,
  SecretExistsError,
  SecretNotFoundError,
  type SecretRef,
  VersionConflictError,
} from "@coffer/core";
import type { SecretRow } from "./schema.js";

export function visibilityWord(isPrivate: boolean): string {
  return isPrivate ? "private" : "public";
}

export function notFound(ref: SecretRef): SecretNotFoundError {
  if ("id" in ref) {
    return new SecretNotFoundError(`No secret with id ${String(ref.id).slice(0, 64)} exists.`, {
      hint: "Check the id; `coffer secret list` shows the secrets you can see.",
      details: { id: String(ref.id).slice(0, 64) },
    });
  }
  const which = ref.private === undefined ? "" : `${visibilityWord(ref.private)} `;
  return new SecretNotFoundError(`No ${which}secret named '${ref.name}' exists.`, {
    hint: "Check the name; `coffer secret list` shows the secrets you can see.",
    details: { name: ref.name },
  });
}

export function nameTaken(name: string, isPrivate: boolean): SecretExistsError {
  return new SecretExistsError(
    isPrivate
      ? `You already have a private secret named '${name}'.`
      : `A public secret named '${name}' already exists.`,
    {
      hint: "Choose another name, or update the existing secret.",
      details: { name, private: isPrivate },
    },
  );
}

/** The name is held by an earlier create that never finished; it frees itself once repaired. */
export function nameHeldByPendingCreate(name: string, isPrivate: boolean, waitSeconds: number) {
  return new SecretExistsError(`An earlier create of '${name}' did not finish, and still holds the name.`, {
    hint: `It is repaired (kept if its values were stored, else removed) by coffer reconcile, which may act on it in ${waitSeconds} s; then retry.`,
    details: { name, private: isPrivate, state: "pending" },
  });
}

export function versionConflict(row: SecretRow, expected: number): VersionConflictError {
  return new VersionConflictError(`The secret '${row.name}' is at version ${row.version}, not ${expected}.`, {
    hint: "Someone changed it since you read it: read it again and retry with its current version.",
    details: { id: row.id, expected, actual: Number(row.version) },
  });
}

/** A put expected version `expected` of a secret that does not exist. */
export function noSecretAtVersion(name: string, isPrivate: boolean, expected: number) {
  return new VersionConflictError(
    `No ${visibilityWord(isPrivate)} secret named '${name}' exists, but version ${expected} was expected.`,
    {
      hint: "Use expected version 0 to create it.",
      details: { name, expected, actual: 0 },
    },
  );
}

/** A put that was only to create (expected version 0) lost the race to another writer's create. */
export function createdMeanwhile(name: string, isPrivate: boolean): VersionConflictError {
  return new VersionConflictError(
    `A ${visibilityWord(isPrivate)} secret named '${name}' was created meanwhile.`,
    {
      hint: "Read it and retry with its version.",
      details: { name, expected: 0 },
    },
  );
}

/**
 * Another process kept the secret locked for the whole wait. Not a version conflict (the caller
 * may not have asked for a version at all): the write did not happen, and may simply be retried.
 */
export function busy(row: SecretRow, waitedMs: number): BackendUnavailableError {
  return new BackendUnavailableError(
    `The secret '${row.name}' stayed locked by other writes for ${Math.round(waitedMs / 1000)} s; this change was not applied.`,
    {
      hint: "Retry in a moment.",
      details: { id: row.id, reason: "locked" },
    },
  );
}

export function onlyOwnerSetsVisibility(row: SecretRow): PermissionDeniedError {
  return new PermissionDeniedError(
    `Only the owner of '${row.name}' (${row.owner}) can change its visibility.`,
    {
      hint: "Ask the owner, or copy the values into a secret of your own.",
      details: { id: row.id, owner: row.owner },
    },
  );
}

/** The metadata lists the secret, but the store has no values for it. */
export function valuesMissing(row: SecretRow, storeType: string): IntegrityError {
  return new IntegrityError(`The values of secret '${row.name}' are missing from the '${storeType}' store.`, {
    hint: "Someone removed them outside Coffer; restore them from a backup, or delete the secret.",
    details: { id: row.id, name: row.name },
  });
}

export function noBackupStore(): NotSupportedError {
  return new NotSupportedError("No backup store is configured.", {
    hint: "Set COFFER_BACKUP_STORE_TYPE (and its options) to copy values between two stores.",
  });
}

export function noKeyRotation(storeType: string): NotSupportedError {
  return new NotSupportedError(`The '${storeType}' store has no encryption keys that Coffer manages.`, {
    hint: "Key rotation applies to the embedded sql store; a cloud store rotates keys in its own service.",
    details: { storeType, operation: "rotateKey" },
  });
}
