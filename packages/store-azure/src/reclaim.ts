/**
 * A create over a name that a soft-deleted secret holds. The name is freed first: purged when the
 * store purges and the vault allows it, recovered otherwise (the create then writes a new version
 * over it, and the old versions are disabled: they are no revisions of the new secret). A deleted
 * secret of another owner is
 * never touched. Key Vault finishes purges asynchronously, so the write is retried a few times.
 */
import { BackendUnavailableError, SecretExistsError, type SecretId, type SecretValues } from "@coffer/core";
import type { Ownership } from "@coffer/store-kit";
import { type KeyVaultCalls, purgeable } from "./client.js";
import { statusOf, toStoreError } from "./errors.js";
import { disableVersions } from "./revisions.js";

/** How long after a purge the name may still be reserved, in tries of a set. */
const RECLAIM_DELAYS_MS = [0, 100, 250, 500, 1_000, 2_000, 4_000];

export async function createOverDeleted(
  vault: KeyVaultCalls,
  name: string,
  owner: Ownership,
  id: SecretId,
  values: SecretValues,
): Promise<void> {
  await freeName(vault, name, owner, id);
  let last: unknown;
  for (const delay of RECLAIM_DELAYS_MS) {
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    try {
      const written = await vault.set(name, owner, id, values, 1);
      // A recovered secret's old versions are the old life's history: never revisions of this one.
      await disableVersions(
        vault,
        { name, id, owner },
        (_revision, version) => version !== written.properties.version,
      );
      return;
    } catch (error) {
      if (statusOf(error) !== 409) throw toStoreError(error, { operation: "create", id });
      last = error;
    }
  }
  const mapped = toStoreError(last, { operation: "create", id });
  throw new BackendUnavailableError(`Key Vault still holds the name of secret ${id} after freeing it.`, {
    hint: "Key Vault finishes purges asynchronously; retry in a few seconds.",
    details: mapped.details,
  });
}

async function freeName(vault: KeyVaultCalls, name: string, owner: Ownership, id: SecretId) {
  const deleted = await vault.getDeleted(name, id, "create");
  if (!deleted) return; // purged meanwhile: the retried set will tell
  if (!owner.owns(id, deleted.properties.tags)) {
    throw new SecretExistsError(
      `A deleted Key Vault secret of another owner holds the name of secret ${id}.`,
      {
        hint: "Coffer does not purge or recover what it did not write; the name frees when the vault's retention ends.",
        details: { backend: "azure", id },
      },
    );
  }
  if (vault.options.purgeOnDelete && purgeable(deleted.properties.recoveryLevel)) {
    const client = await vault.client();
    try {
      await client.purgeDeletedSecret(name, { abortSignal: vault.deadline() });
      return;
    } catch (error) {
      // 403: purging is not permitted (purge protection, or no purge permission): recover instead.
      if (statusOf(error) !== 403) throw toStoreError(error, { operation: "create", id });
    }
  }
  await vault.recover(name, id, "create");
}
