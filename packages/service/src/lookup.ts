/**
 * Finding the secret a caller names ({ id } or { name, private? }) among those visible to them,
 * and reading its values: both are where a read — and every write — starts. Reads look through the
 * metadata cache (metadata-cache.ts); writes always ask the database, since they act on the row.
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
import type { LookupKey, MetadataCache } from "./metadata-cache.js";
import type { SecretRow } from "./schema.js";

/** The row of the secret `ref` names, from the database (writes); SecretNotFoundError when `actor` cannot see one. */
export async function findSecret(
  metadata: MetadataRepository,
  actor: Actor,
  ref: SecretRef,
): Promise<SecretRow> {
  const row = await lookup(metadata, actor, ref, undefined);
  if (!row) throw notFound(ref);
  return row;
}

/** As findSecret, for a read: through the metadata cache, when the service has one. */
export async function findSecretToRead(
  metadata: MetadataRepository,
  actor: Actor,
  ref: SecretRef,
): Promise<SecretRow> {
  const row = await lookup(metadata, actor, ref, metadata.cache);
  if (!row) throw notFound(ref);
  return row;
}

async function lookup(
  metadata: MetadataRepository,
  actor: Actor,
  ref: SecretRef,
  cache: MetadataCache | undefined,
): Promise<SecretRow | undefined> {
  if (ref === null || typeof ref !== "object") {
    throw new ValidationError("A secret reference must be { id } or { name, private? }.", {
      details: { field: "ref" },
    });
  }
  if ("id" in ref) {
    if (!isSecretId(ref.id)) throw notFound(ref);
    const key: LookupKey = { by: "id", actorId: actor.id, id: ref.id };
    return throughCache(cache, key, () => metadata.findVisibleById(actor.id, ref.id));
  }
  const isPrivate = parseBoolean(ref.private, "private");
  const name = validateSecretName(ref.name);
  const key: LookupKey = { by: "name", actorId: actor.id, name, private: isPrivate };
  return throughCache(cache, key, () => metadata.findVisibleByName(actor.id, name, isPrivate));
}

/** A hit, or the query's row — cached only if nothing was invalidated while the query ran. */
async function throughCache(
  cache: MetadataCache | undefined,
  key: LookupKey,
  query: () => Promise<SecretRow | undefined>,
): Promise<SecretRow | undefined> {
  if (!cache) return query();
  const hit = cache.get(key);
  if (hit) return hit;
  const ticket = cache.ticket();
  const row = await query();
  // Found rows only: a "not found" cached for one actor could outlive a create (metadata-cache.ts).
  if (row) cache.fill(key, row, ticket);
  return row;
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
