/**
 * A SecretsStore on HashiCorp Vault's KV version 2 engine: one KV key per Coffer secret, its values
 * as the key's data, ownership in the key's custom_metadata. Revisions are KV version numbers
 * (1 after create, +1 per write), so `versions` and `cas` are native: currentRevision reads the
 * key's metadata, getRevision reads `?version=n`, and an update is a write with `cas` set to the
 * revision it expects.
 */

import type { SecretId, SecretValues, StoreCapabilities, StoreContext, UpdateOptions } from "@coffer/core";
import { assertSecretId } from "@coffer/core";
import {
  BackendStore,
  backendCapabilities,
  type FailureContext,
  RevisionHistory,
  revisionConflict,
  secretExists,
} from "@coffer/store-kit";
import type { AuthStats } from "./auth.js";
import { VaultCalls, type VaultClient } from "./client.js";
import {
  attempt,
  isCasMismatch,
  isMissing,
  lookup,
  toStoreError,
  VAULT_BACKEND,
  vaultMessage,
  vaultStatus,
} from "./errors.js";
import { JsonBody } from "./json-body.js";
import { KeyMetadataReads } from "./key-metadata.js";
import { type KeyData, noMount, notKvV2, ownedValues } from "./kv-answers.js";
import type { ParsedVaultStoreOptions } from "./options.js";
import { VaultPaths } from "./paths.js";

/** What a missing revision's error says about the kept ones. */
const PRUNED = "Older revisions are pruned beyond the key's max_versions; currentRevision gives the latest.";

/** Test hooks, not options: tests share a clock with the emulator to move token TTLs. */
export interface VaultStoreInjections {
  clock?: () => number;
}

/** A plain update retries this many times when another writer gets in between. */
const UPDATE_ATTEMPTS = 3;

export class VaultStore extends BackendStore {
  readonly type = "vault";
  readonly #options: ParsedVaultStoreOptions;
  readonly #context: StoreContext;
  readonly #paths: VaultPaths;
  readonly #vault: VaultCalls;
  readonly #history: RevisionHistory;
  readonly #metadata: KeyMetadataReads;

  constructor(
    options: ParsedVaultStoreOptions,
    context: StoreContext,
    injections: VaultStoreInjections = {},
  ) {
    super();
    this.#options = options;
    this.#context = context;
    this.#paths = new VaultPaths(options.mount, options.pathPrefix, context.deploymentId);
    const clock = injections.clock ?? Date.now;
    this.#vault = new VaultCalls(options, clock, context.logger);
    this.#history = new RevisionHistory(options.maxVersions, PRUNED);
    this.#metadata = new KeyMetadataReads(this.#vault, this.#paths, clock);
  }

  capabilities(): StoreCapabilities {
    return backendCapabilities({ maxValueBytes: this.#options.maxValueBytes, versions: true, cas: true });
  }

  /** The KV path of a secret under the mount (for operators and tests). */
  nameOf(id: SecretId): string {
    return this.#paths.name(id);
  }

  /** Logins and renewals so far (a test and metrics hook). */
  get authStats(): AuthStats {
    return this.#vault.authStats;
  }

  protected async probe(): Promise<void> {
    // Reading a path under our prefix that never exists needs only the policy Coffer needs anyway,
    // and proves address, TLS, credentials and mount at once.
    try {
      await this.#vault.request((client) => client.read(this.#paths.probe));
    } catch (error) {
      if (vaultStatus(error) === 404 && vaultMessage(error) === "") return;
      if (vaultStatus(error) === 404) throw noMount(this.#options.mount);
      throw toStoreError(error, { operation: "access check" });
    }
  }

  /**
   * Ownership first, values second, so that values never sit in Vault under a key that does not
   * say it is Coffer's (an outage between two writes would otherwise leave an unowned key holding
   * them, which Coffer could then neither see nor remove):
   *
   *   1. read the key's metadata: a key that is not ours, or that has versions, means it exists;
   *   2. write the ownership custom_metadata (KV v2 takes it only on the metadata endpoint);
   *   3. write the values with cas=0, which succeeds only while the key has no version.
   *
   * Interrupted after 2, the key is ours and empty: reads find nothing, delete removes it, and a
   * create of the same id takes it over.
   */
  async create(id: SecretId, values: SecretValues): Promise<void> {
    this.assertWrite(id, values);
    const existing = await this.#metadata.ifAny(id, "create");
    const foreign = existing && !this.#paths.owner.owns(id, existing.custom_metadata);
    if (foreign || (existing?.current_version ?? 0) > 0) throw secretExists(id, VAULT_BACKEND.service);
    await this.#request({ operation: "create", id }, (client) =>
      client.write(this.#paths.metadata(id), {
        custom_metadata: this.#paths.owner.marks(id),
        max_versions: this.#options.maxVersions,
      }),
    );
    let written: { data?: { version?: unknown } } | undefined;
    try {
      written = await this.#vault.request((client) =>
        // Wrapped, so that keys such as __proto__ survive node-vault's HTTP client (see JsonBody).
        client.write(this.#paths.data(id), new JsonBody({ data: values, options: { cas: 0 } })),
      );
    } catch (error) {
      // Another writer of this very id got in between: the key is theirs to keep.
      if (isCasMismatch(error)) throw secretExists(id, VAULT_BACKEND.service);
      // The create failed, so leave nothing behind (if Vault can be reached; if not, what is
      // left is ours and is either empty or a complete secret, which the caller's cleanup or
      // reconciliation handles).
      await this.#removeKey(id);
      throw toStoreError(error, { operation: "create", id });
    }
    if (typeof written?.data?.version !== "number") {
      // A KV version 1 mount stored both requests as plain keys at "metadata/…" and "data/…".
      for (const path of [this.#paths.data(id), this.#paths.metadata(id)])
        await this.#vault.request((client) => client.delete(path)).catch(() => undefined);
      throw notKvV2(this.#options.mount);
    }
  }

  async get(id: SecretId): Promise<SecretValues> {
    assertSecretId(id);
    const answer: { data?: KeyData } = await this.#request({ operation: "read", id }, (client) =>
      client.read(this.#paths.data(id)),
    );
    return this.#ownedValues(id, answer.data);
  }

  async update(id: SecretId, values: SecretValues, options?: UpdateOptions): Promise<void> {
    this.assertCasSupported(options);
    this.assertWrite(id, values);
    const expected = options?.expectedRevision;
    for (let attempt = 1; ; attempt++) {
      const current = (await this.#metadata.live(id, "update")).current_version ?? 0;
      if (expected !== undefined && expected !== current) throw revisionConflict(id, expected, current);
      try {
        await this.#vault.request((client) =>
          client.write(
            this.#paths.data(id),
            new JsonBody({ data: values, options: { cas: expected ?? current } }),
          ),
        );
        return;
      } catch (error) {
        if (!isCasMismatch(error)) throw toStoreError(error, { operation: "update", id });
        // Someone wrote in between. A check-and-set update fails; a plain one tries again on top.
        if (expected !== undefined || attempt >= UPDATE_ATTEMPTS)
          throw revisionConflict(id, expected ?? current);
      }
    }
  }

  async delete(id: SecretId): Promise<void> {
    assertSecretId(id);
    // Ours, live or not: a key whose latest version someone soft-deleted by hand is still ours to
    // remove. Deleting the metadata removes every version.
    await this.#metadata.owned(id, "delete");
    await this.#request({ operation: "delete", id }, (client) => client.delete(this.#paths.metadata(id)));
  }

  override async currentRevision(id: SecretId): Promise<number> {
    assertSecretId(id);
    return (await this.#metadata.live(id, "read")).current_version ?? 0;
  }

  override async getRevision(id: SecretId, revision: number): Promise<SecretValues> {
    assertSecretId(id);
    this.#history.assertPossible(id, revision);
    const read = `${this.#paths.data(id)}?version=${revision}`;
    const answer: { data?: KeyData } | undefined = await lookup(
      { operation: "read", id },
      () => this.#vault.request((client) => client.read(read)),
      isMissing,
    );
    if (answer === undefined) throw this.#history.missing(id, revision);
    return this.#ownedValues(id, answer.data);
  }

  protected describe(): string {
    return `Vault at ${this.#options.address}, mount ${this.#options.mount}`;
  }

  async close(): Promise<void> {
    await this.#vault.close();
  }

  // --- internals -------------------------------------------------------------------------------

  #ownedValues(id: SecretId, data: KeyData | undefined): SecretValues {
    return ownedValues(id, data, this.#paths, this.#options.mount);
  }

  /** One Vault call, its failure mapped to a typed error. */
  #request<T>(context: FailureContext, call: (client: VaultClient) => Promise<T>): Promise<T> {
    return attempt(context, () => this.#vault.request(call));
  }

  /** Undoes a half-made create; a failure here is logged, the create's own error is what matters. */
  async #removeKey(id: SecretId): Promise<void> {
    await this.#vault
      .request((client) => client.delete(this.#paths.metadata(id)))
      .catch(() => this.#context.logger.warn("Could not remove a half-created Vault key.", { id }));
  }
}
