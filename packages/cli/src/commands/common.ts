/** Helpers the secret commands share. */
import type { CofferClient } from "@coffer/client";
import { isSecretId, type SecretMetadata, SecretNotFoundError, type SecretRef } from "@coffer/core";

/**
 * Which secret an argument means: an id when it is one (and such a secret exists), else a name —
 * the caller's private secret of that name first, then the public one, unless `isPrivate` says.
 */
export async function refFor(
  client: CofferClient,
  nameOrId: string,
  isPrivate?: boolean,
): Promise<SecretRef> {
  if (isSecretId(nameOrId) && isPrivate === undefined) {
    try {
      return { id: (await client.getMetadata({ id: nameOrId })).id };
    } catch (error) {
      if (!(error instanceof SecretNotFoundError)) throw error;
    }
  }
  return isPrivate === undefined ? { name: nameOrId } : { name: nameOrId, private: isPrivate };
}

/** "public secret 'db'" */
export function describeSecret(metadata: Pick<SecretMetadata, "name" | "private">): string {
  return `${metadata.private ? "private" : "public"} secret '${metadata.name}'`;
}

export function listKeys(keys: readonly string[]): string {
  return keys.length === 0 ? "no keys" : `${keys.length === 1 ? "key" : "keys"} ${keys.join(", ")}`;
}
