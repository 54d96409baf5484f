/**
 * Revisions on Key Vault. Key Vault's version ids are opaque, and tags belong to a version, so each
 * version Coffer writes carries a tag naming its revision, `coffer-revision` (1 after create, +1
 * per update): the current revision is the latest version's tag, and revision n is the enabled
 * version of this owner tagged n. Retention disables the versions older than the newest
 * `maxVersions` (a disabled version cannot be read; Key Vault keeps every version until the secret
 * is purged, and offers no way to delete one).
 */
import type { SecretProperties } from "@azure/keyvault-secrets";
import type { SecretId } from "@coffer/core";
import { type Ownership, parseRevision, REVISION_MARK } from "@coffer/store-kit";
import type { KeyVaultCalls } from "./client.js";
import { attempt, bestEffort } from "./errors.js";

/** One secret's versions: its name, its id, and the marks that say whose it is. */
export interface VersionsOf {
  name: string;
  id: SecretId;
  owner: Ownership;
}

/** A version's revision: its tag (the kit's REVISION_MARK), or 1 for a version written before Coffer kept history. */
export function revisionOf(tags: Record<string, string> | undefined): number {
  return parseRevision(tags?.[REVISION_MARK]) ?? 1;
}

/** Every version of `name` that is this owner's and carries a revision tag. */
export async function ownedVersions(
  vault: KeyVaultCalls,
  target: VersionsOf,
  operation: string,
): Promise<Array<{ revision: number; properties: SecretProperties }>> {
  const client = await vault.client();
  const abortSignal = vault.deadline();
  return attempt({ operation, id: target.id }, async () => {
    const found: Array<{ revision: number; properties: SecretProperties }> = [];
    for await (const properties of client.listPropertiesOfSecretVersions(target.name, { abortSignal })) {
      if (properties.tags?.[REVISION_MARK] === undefined) continue;
      if (!target.owner.owns(target.id, properties.tags)) continue;
      found.push({ revision: revisionOf(properties.tags), properties });
    }
    return found;
  });
}

/**
 * Disables the enabled versions `drop` picks. Best effort: the write before succeeded, so a
 * failure is logged, and the next update sweeps again.
 */
export async function disableVersions(
  vault: KeyVaultCalls,
  target: VersionsOf,
  drop: (revision: number, version: string) => boolean,
): Promise<void> {
  const failed = "azure store: could not disable older versions after a write";
  await bestEffort(vault.logger, failed, { operation: "version clean-up", id: target.id }, async () => {
    const client = await vault.client();
    for (const { revision, properties } of await ownedVersions(vault, target, "version clean-up")) {
      if (properties.enabled === false || properties.version === undefined) continue;
      if (!drop(revision, properties.version)) continue;
      const options = { enabled: false, abortSignal: vault.deadline() };
      await client.updateSecretProperties(target.name, properties.version, options);
    }
  });
}
