/**
 * The errors every store raises in the same situations, worded once: a name already taken, a
 * secret that is missing or not this deployment's, a revision that moved on, nothing to restore,
 * a closed store.
 * `where` names the backend ("Secrets Manager", "the directory").
 */
import {
  BackendUnavailableError,
  SecretExistsError,
  type SecretId,
  SecretNotFoundError,
  VersionConflictError,
} from "@coffer/core";

export function secretExists(id: SecretId, where: string): SecretExistsError {
  return new SecretExistsError(`${where} already holds a secret under the name for ${id}.`, {
    hint: "Use update to change it, or delete it first.",
    details: { id },
  });
}

export function secretNotFound(id: SecretId, where: string): SecretNotFoundError {
  return new SecretNotFoundError(`${where} holds no secret ${id}.`, {
    hint: "Check the id; the secret may have been deleted.",
    details: { id },
  });
}

/** A secret under Coffer's name that another deployment or tool wrote: left alone, reported missing. */
export function notOurs(id: SecretId, where: string): SecretNotFoundError {
  return new SecretNotFoundError(`${where} holds no secret ${id} of this deployment.`, {
    hint: "Check the id; the secret may have been deleted. A secret of that name that another deployment or tool wrote is left alone.",
    details: { id },
  });
}

export function nothingToRestore(id: SecretId): SecretNotFoundError {
  return new SecretNotFoundError(`Secret ${id} is not deleted; there is nothing to restore.`, {
    hint: "Only a deleted secret can be restored.",
    details: { id },
  });
}

/** `hint` says which revisions there are (kept range, pruning). */
export function noRevision(id: SecretId, revision: number, hint: string): SecretNotFoundError {
  return new SecretNotFoundError(`The secret ${id} has no revision ${revision}.`, {
    hint,
    details: { id, revision: Number.isFinite(revision) ? revision : String(revision) },
  });
}

export function revisionConflict(id: SecretId, expected: number, actual?: number): VersionConflictError {
  const now = actual === undefined ? "changed meanwhile" : `is at revision ${actual}`;
  return new VersionConflictError(`The secret ${id} ${now}, not the expected ${expected}.`, {
    hint: "Read the secret again and retry with its current revision.",
    details: { id, expected, ...(actual !== undefined && { actual }) },
  });
}

/** A store whose close() has run: every later call says so (a closed store is never reopened). */
export function storeClosed(type: string): BackendUnavailableError {
  return new BackendUnavailableError(`The ${type} store is closed.`, {
    hint: "Create a new store; a closed one cannot be reopened.",
  });
}
