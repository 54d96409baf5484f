/**
 * Finding the secret a caller names ({ id } or { name, private? }) among those visible to them,
 * and reading its values: both are where a read — and every write — starts.
 */
import {
  type Actor,
  isSecretId,
  SecretNotFoundError,
  type SecretRef,
  type SecretsStore,
  type SecretValues,
  ValidationError,
  validateSecretName,
} from "@coffer/core";
import { notFound, valuesMissing } from "./errors.js";
import { parseBoolean } from "./input-checks.js";
import type { MetadataRepository } from "./metadata.js";
import type { SecretRow } from "./schema.js";

/** The row of the secret `ref` names; SecretNotFoundError when `actor` cannot see one. */
export async function findSecret(
  metadata: MetadataRepository,
  actor: Actor,
  ref: SecretRef,
): Promise<SecretRow> {
  const row = await lookup(metadata, actor, ref);
  if (!row) throw notFound(ref);
  return row;
}

async function lookup(
  metadata: MetadataRepository,
  actor: Actor,
  ref: SecretRef,
): Promise<SecretRow | undefined> {
  if (ref === null || typeof ref !== "object") {
    throw new ValidationError("A secret reference must be { id } or { name, private? }.", {
      details: { field: "ref" },
    });
  }
  if ("id" in ref) {
    if (!isSecretId(ref.id)) throw notFound(ref);
    return metadata.findVisibleById(actor.id, ref.id);
  }
  const isPrivate = parseBoolean(ref.private, "private");
  return metadata.findVisibleByName(actor.id, validateSecretName(ref.name), isPrivate);
}

/**
 * The values of a secret found in the metadata. Missing from the store: not found if the secret
 * was deleted between the two reads, an IntegrityError if it is still listed (its values are lost).
 */
export async function readValues(
  metadata: MetadataRepository,
  store: SecretsStore,
  actor: Actor,
  row: SecretRow,
): Promise<SecretValues> {
  try {
    return await store.get(row.id);
  } catch (error) {
    if (!(error instanceof SecretNotFoundError)) throw error;
    const again = await metadata.findVisibleById(actor.id, row.id);
    if (!again) throw notFound({ id: row.id });
    throw valuesMissing(row, store.type);
  }
}
