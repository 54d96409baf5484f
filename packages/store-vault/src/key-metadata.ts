/**
 * Reading a key's KV v2 metadata the three ways the store's operations need it: ours or not
 * (create looks for a free key), ours (delete), and ours with a readable latest version (update,
 * currentRevision). A key that is missing or not this deployment's is SecretNotFoundError.
 */
import type { SecretId } from "@coffer/core";
import { notOurs } from "@coffer/store-kit";
import type { VaultCalls } from "./client.js";
import { attempt, isMissing, lookup, VAULT_BACKEND } from "./errors.js";
import { assertLatestLive, type KeyMetadata } from "./kv-answers.js";
import type { VaultPaths } from "./paths.js";

export class KeyMetadataReads {
  constructor(
    private readonly vault: VaultCalls,
    private readonly paths: VaultPaths,
    private readonly clock: () => number,
  ) {}

  /** The key's metadata, ours or not, or undefined when there is no key. */
  async ifAny(id: SecretId, operation: string): Promise<KeyMetadata | undefined> {
    const answer: { data?: KeyMetadata } | undefined = await lookup(
      { operation, id },
      () => this.vault.request((client) => client.read(this.paths.metadata(id))),
      isMissing,
    );
    return answer && (answer.data ?? {});
  }

  /** The key's metadata if the key exists and is ours; SecretNotFoundError otherwise. */
  async owned(id: SecretId, operation: string): Promise<KeyMetadata> {
    const answer: { data?: KeyMetadata } = await attempt({ operation, id }, () =>
      this.vault.request((client) => client.read(this.paths.metadata(id))),
    );
    const metadata = answer.data;
    if (!metadata) throw notOurs(id, VAULT_BACKEND.service);
    this.paths.owner.assertOwns(id, metadata.custom_metadata);
    return metadata;
  }

  /** `owned`, and its current version must be readable (not deleted, not destroyed). */
  async live(id: SecretId, operation: string): Promise<KeyMetadata> {
    return assertLatestLive(id, await this.owned(id, operation), this.clock());
  }
}
