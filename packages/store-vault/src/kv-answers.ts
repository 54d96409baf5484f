/**
 * What KV version 2 answers mean for Coffer: the shapes of a key's metadata and data, whether the
 * latest version is readable, values that are this deployment's (or a typed error), and the errors
 * for a mount that is missing or not KV version 2. Kept apart
 * from the store class, which only sequences the calls.
 */
import { InvalidConfigError, type SecretId, SecretNotFoundError, type SecretValues } from "@coffer/core";
import { decodeStoredValues } from "@coffer/store-kit";
import { VAULT_BACKEND } from "./errors.js";
import type { VaultPaths } from "./paths.js";

/** KV v2 key metadata, as `GET <mount>/metadata/<path>` answers it. */
export interface KeyMetadata {
  current_version?: number;
  custom_metadata?: Record<string, string> | null;
  versions?: Record<string, { deletion_time?: string; destroyed?: boolean }>;
}

/** KV v2 data, as `GET <mount>/data/<path>` answers it. */
export interface KeyData {
  data?: unknown;
  metadata?: { version?: number; custom_metadata?: Record<string, string> | null };
}

/** The metadata, if its current version is readable (not deleted by `now`, not destroyed). */
export function assertLatestLive(id: SecretId, metadata: KeyMetadata, now: number): KeyMetadata {
  const current = metadata.versions?.[String(metadata.current_version ?? 0)];
  const deletedAt = current?.deletion_time ? Date.parse(current.deletion_time) : Number.NaN;
  if (!current || current.destroyed || deletedAt <= now) {
    throw new SecretNotFoundError(`The latest version of secret ${id} is deleted in Vault.`, {
      hint: "Someone deleted it outside Coffer; undelete it in Vault (vault kv undelete) or delete the secret.",
      details: { id },
    });
  }
  return metadata;
}

/** The values of a data answer, if the key is this deployment's; typed errors otherwise. */
export function ownedValues(
  id: SecretId,
  data: KeyData | undefined,
  paths: VaultPaths,
  mount: string,
): SecretValues {
  if (!data?.metadata) throw notKvV2(mount);
  paths.owner.assertOwns(id, data.metadata.custom_metadata);
  // KV data is an object; a string there is not JSON text to parse but something foreign.
  return decodeStoredValues(id, typeof data.data === "string" ? undefined : data.data, VAULT_BACKEND.service);
}

export function notKvV2(mount: string): InvalidConfigError {
  return new InvalidConfigError(`The Vault mount '${mount}' does not answer like KV version 2.`, {
    hint: "Point mount at a KV version 2 engine (vault secrets enable -version=2 kv), or upgrade it (vault kv enable-versioning).",
    details: { mount },
  });
}

/** A probe answered 404 with an error line: the path has no mount at all. */
export function noMount(mount: string): InvalidConfigError {
  return new InvalidConfigError(`Vault has no KV mount '${mount}'.`, {
    hint: "Set mount to the path of a KV version 2 secrets engine (vault secrets list).",
    details: { mount },
  });
}
