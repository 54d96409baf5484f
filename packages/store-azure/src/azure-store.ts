/**
 * The azure store: each Coffer secret is one Key Vault secret, its value the JSON of the values.
 *
 *   create  GetSecret (the name must be free: Key Vault's set is an upsert) + SetSecret (tags);
 *           a name held by a soft-deleted secret of ours is purged (or recovered) first (reclaim.ts)
 *   get     GetSecret: the owner tags come with the value, so ownership costs no extra call
 *   update  GetSecret (owner tags) + SetSecret (a new version)
 *   delete  GetSecret (owner tags) + DeleteSecret, waiting for the deletion, then PurgeDeletedSecret
 *           when `purgeOnDelete` is on and the vault allows purging; when nothing live is found,
 *           a soft-deleted secret of ours that an interrupted delete left unpurged is purged
 *   restore RecoverDeletedSecret (only when `purgeOnDelete` is off: capability `softDelete`)
 */
import type { KeyVaultSecret } from "@azure/keyvault-secrets";
import type { SecretId, SecretValues, StoreCapabilities, StoreContext, UpdateOptions } from "@coffer/core";
import { assertSecretId, parseStoreOptions, SecretNotFoundError } from "@coffer/core";
import {
  BackendStore,
  backendCapabilities,
  decodeStoredValues,
  Ownership,
  RevisionHistory,
  type SecretNames,
  secretExists,
} from "@coffer/store-kit";
import { type AzureStoreInjections, KeyVaultCalls, MAX_VALUE_BYTES, purgeable } from "./client.js";
import { assertAuthenticationConfigured } from "./credential.js";
import {
  AZURE_BACKEND,
  attempt,
  innerCodeOf,
  isDeletedButRecoverable,
  isMissing,
  lookup,
  statusOf,
  toStoreError,
} from "./errors.js";
import { deploymentTag, secretNames } from "./naming.js";
import { type AzureStoreOptions, azureStoreOptions, type ParsedAzureStoreOptions } from "./options.js";
import { createOverDeleted } from "./reclaim.js";
import { disableVersions, ownedVersions, revisionOf, type VersionsOf } from "./revisions.js";

export class AzureStore extends BackendStore {
  readonly type = "azure";
  readonly #options: ParsedAzureStoreOptions;
  readonly #naming: SecretNames;
  /** The ownership marks: their deployment value is the id as it is (up to a tag's 256 characters). */
  readonly #owner: Ownership;
  readonly #history: RevisionHistory;
  readonly #vault: KeyVaultCalls;

  constructor(options: AzureStoreOptions, context: StoreContext, injections: AzureStoreInjections = {}) {
    const parsed = parseStoreOptions("azure", azureStoreOptions, options);
    super(parsed.concurrency);
    this.#options = parsed;
    if (injections.credential === undefined) assertAuthenticationConfigured(this.#options);
    this.#vault = new KeyVaultCalls(this.#options, injections, context.logger);
    this.#naming = secretNames(this.#options.namePrefix, context.deploymentId);
    this.#owner = new Ownership(deploymentTag(context.deploymentId), AZURE_BACKEND.service);
    const kept = `Versions older than the newest ${parsed.maxVersions} are disabled; currentRevision gives the latest.`;
    this.#history = new RevisionHistory(parsed.maxVersions, kept);
  }

  capabilities(): StoreCapabilities {
    // With purging on, a deleted secret is gone; with it off, it stays recoverable and restore() works.
    const softDelete = !this.#options.purgeOnDelete;
    return backendCapabilities({ maxValueBytes: MAX_VALUE_BYTES, softDelete, versions: true });
  }

  /** The Key Vault secret name an id maps to (for operators and tests). */
  nameOf(id: SecretId): string {
    assertSecretId(id);
    return this.#naming.name(id);
  }

  async create(id: SecretId, values: SecretValues): Promise<void> {
    this.assertWrite(id, values);
    const name = this.#naming.name(id);
    if (await this.#nameTaken(name, id)) throw secretExists(id, AZURE_BACKEND.service);
    try {
      await this.#vault.set(name, this.#owner, id, values, 1);
    } catch (error) {
      if (!isDeletedButRecoverable(error)) throw toStoreError(error, { operation: "create", id });
      // The name is held by a soft-deleted secret (ours, deleted earlier): free it, then write.
      await createOverDeleted(this.#vault, name, this.#owner, id, values);
    }
  }

  async get(id: SecretId): Promise<SecretValues> {
    assertSecretId(id);
    const secret = await this.#getOwned(this.#naming.name(id), id, "read");
    return decodeStoredValues(id, secret.value ?? "", AZURE_BACKEND.service);
  }

  async update(id: SecretId, values: SecretValues, options?: UpdateOptions): Promise<void> {
    this.assertCasSupported(options);
    this.assertWrite(id, values);
    const name = this.#naming.name(id);
    const current = await this.#getOwned(name, id, "update");
    const revision = revisionOf(current.properties.tags) + 1;
    await attempt({ operation: "update", id }, () =>
      this.#vault.set(name, this.#owner, id, values, revision),
    );
    const oldest = this.#history.newestDropped(revision);
    if (oldest >= 1) await disableVersions(this.#vault, this.#target(name, id), (kept) => kept <= oldest);
  }

  /** The revision tag of the latest version (see revisions.ts). */
  override async currentRevision(id: SecretId): Promise<number> {
    assertSecretId(id);
    return revisionOf((await this.#getOwned(this.#naming.name(id), id, "read")).properties.tags);
  }

  /** The enabled version tagged `revision`; one disabled by retention, or never written, is not found. */
  override async getRevision(id: SecretId, revision: number): Promise<SecretValues> {
    assertSecretId(id);
    this.#history.assertPossible(id, revision);
    const name = this.#naming.name(id);
    const latest = await this.#getOwned(name, id, "read");
    const current = revisionOf(latest.properties.tags);
    if (revision === current) return decodeStoredValues(id, latest.value ?? "", AZURE_BACKEND.service);
    const versions = await ownedVersions(this.#vault, this.#target(name, id), "read");
    const found = versions.filter(
      (entry) => entry.revision === revision && entry.properties.enabled !== false,
    );
    const version = found.at(-1)?.properties.version;
    if (revision > current || version === undefined) throw this.#history.missing(id, revision);
    const client = await this.#vault.client();
    const abortSignal = this.#vault.deadline();
    const secret = await lookup(
      { operation: "read", id },
      () => client.getSecret(name, { version, abortSignal }),
      (error) => statusOf(error) === 403 && innerCodeOf(error) === "SecretDisabled",
    );
    if (secret === undefined) throw this.#history.missing(id, revision);
    return decodeStoredValues(id, secret.value ?? "", AZURE_BACKEND.service);
  }

  #target(name: string, id: SecretId): VersionsOf {
    return { name, id, owner: this.#owner };
  }

  async delete(id: SecretId): Promise<void> {
    assertSecretId(id);
    const name = this.#naming.name(id);
    try {
      await this.#getOwned(name, id, "delete");
    } catch (error) {
      // Nothing live to delete. But a delete cut off after Key Vault deleted the secret (an outage
      // while waiting for the deletion) never purged it: the retry, e.g. by the service's
      // reconcile, finishes that purge before it reports the secret as not found.
      if (error instanceof SecretNotFoundError && this.#options.purgeOnDelete) {
        await this.#purgeLeftover(name, id);
      }
      throw error;
    }
    const client = await this.#vault.client();
    const abortSignal = this.#vault.deadline();
    const deleted = await attempt({ operation: "delete", id }, async () => {
      const poller = await client.beginDeleteSecret(name, {
        intervalInMs: this.#vault.pollIntervalMs,
        abortSignal,
      });
      return poller.pollUntilDone({ abortSignal });
    });
    if (this.#options.purgeOnDelete && purgeable(deleted.properties.recoveryLevel))
      await this.#vault.purge(name, id);
  }

  override async restore(id: SecretId): Promise<void> {
    if (!this.capabilities().softDelete) return super.restore(id);
    assertSecretId(id);
    const name = this.#naming.name(id);
    const deleted = await this.#vault.getDeleted(name, id, "restore");
    if (!deleted || !this.#owner.owns(id, deleted.properties.tags)) {
      throw new SecretNotFoundError(`Key Vault holds no deleted secret ${id} of this Coffer deployment.`, {
        hint: "Only a deleted secret can be restored, and only until the vault's retention period ends.",
        details: { backend: "azure", id },
      });
    }
    await this.#vault.recover(name, id, "restore");
  }

  protected describe(): string {
    return `Key Vault ${this.#options.vaultUrl}`;
  }

  async close(): Promise<void> {
    this.#vault.close();
  }

  /** Reads a name under the prefix that never exists: proves reach and permission, not "list all". */
  protected async probe(): Promise<void> {
    const client = await this.#vault.client();
    const abortSignal = this.#vault.deadline();
    await lookup(
      { operation: "access check" },
      () => client.getSecret(this.#naming.probeName, { abortSignal }),
      isMissing,
    );
  }

  /** Whether a live secret of any owner has this name (a disabled one counts: the name is taken). */
  async #nameTaken(name: string, id: SecretId): Promise<boolean> {
    const client = await this.#vault.client();
    try {
      await client.getSecret(name, { abortSignal: this.#vault.deadline() });
      return true;
    } catch (error) {
      if (statusOf(error) === 404) return false;
      if (statusOf(error) === 403 && innerCodeOf(error) === "SecretDisabled") return true;
      throw toStoreError(error, { operation: "create", id });
    }
  }

  /** GetSecret, and SecretNotFoundError unless its tags name this deployment and id. */
  async #getOwned(name: string, id: SecretId, operation: string): Promise<KeyVaultSecret> {
    const client = await this.#vault.client();
    const secret = await attempt({ operation, id }, () =>
      client.getSecret(name, { abortSignal: this.#vault.deadline() }),
    );
    this.#owner.assertOwns(id, secret.properties.tags);
    return secret;
  }

  /** Purges a soft-deleted secret of ours under `name` that an interrupted delete left behind. */
  async #purgeLeftover(name: string, id: SecretId): Promise<void> {
    const deleted = await this.#vault.getDeleted(name, id, "delete");
    if (!deleted || !this.#owner.owns(id, deleted.properties.tags)) return;
    if (purgeable(deleted.properties.recoveryLevel)) await this.#vault.purge(name, id);
  }
}
