/**
 * The azure store: each Coffer secret is one Key Vault secret, its value the JSON of the values.
 *
 *   create  GetSecret (the name must be free: Key Vault's set is an upsert) + SetSecret (tags);
 *           a name held by a soft-deleted secret of ours is purged (or recovered) first
 *   get     GetSecret: the owner tags come with the value, so ownership costs no extra call
 *   update  GetSecret (owner tags) + SetSecret (a new version)
 *   delete  GetSecret (owner tags) + DeleteSecret, waiting for the deletion, then PurgeDeletedSecret
 *           when `purgeOnDelete` is on and the vault allows purging; when nothing live is found,
 *           a soft-deleted secret of ours that an interrupted delete left unpurged is purged
 *   restore RecoverDeletedSecret (only when `purgeOnDelete` is off: capability `softDelete`)
 */
import type { TokenCredential } from "@azure/core-auth";
import {
  type DeletedSecret,
  type KeyVaultSecret,
  SecretClient,
  type SecretClientOptions,
} from "@azure/keyvault-secrets";
import {
  AbstractSecretsStore,
  assertSecretId,
  BackendUnavailableError,
  type HealthReport,
  IntegrityError,
  type Logger,
  parseStoreOptions,
  probeHealth,
  SecretExistsError,
  type SecretId,
  SecretNotFoundError,
  type SecretValues,
  type StoreCapabilities,
  type StoreContext,
  type UpdateOptions,
} from "@coffer/core";
import { assertAuthenticationConfigured, credentialFromOptions, readTlsCa } from "./credential.js";
import { innerCodeOf, isDeletedButRecoverable, mapAzureError, statusOf } from "./errors.js";
import {
  deploymentSlug,
  deploymentTag,
  hasOwnerTags,
  ownerTags,
  probeName,
  type SecretNaming,
  secretNameFor,
} from "./naming.js";
import { type AzureStoreOptions, azureStoreOptions, type ParsedAzureStoreOptions } from "./options.js";

/** Key Vault's limit on a secret value, in UTF-8 bytes; the value is the values' JSON. */
export const MAX_VALUE_BYTES = 25_600;

/** How long after a purge the name may still be reserved, in tries of a set (Key Vault purges asynchronously). */
const RECLAIM_DELAYS_MS = [0, 100, 250, 500, 1_000, 2_000, 4_000];

/**
 * What embedders and tests hand the store besides its options: objects, not configuration. Tests
 * pass a hand-written TokenCredential (never a real identity) and client options without retries.
 */
export interface AzureStoreInjections {
  /** Authenticates every request; overrides clientSecret, certificatePath and managedIdentity. */
  credential?: TokenCredential;
  /** Extra SecretClient options, applied last (e.g. `retryOptions`). */
  clientOptions?: SecretClientOptions;
  /** How often the delete and recover pollers look; 500 ms unless set. */
  pollIntervalMs?: number;
}

export class AzureKeyVaultStore extends AbstractSecretsStore {
  readonly type = "azure";
  protected override readonly getManyConcurrency: number;

  readonly #options: ParsedAzureStoreOptions;
  readonly #injections: AzureStoreInjections;
  readonly #naming: SecretNaming;
  readonly #deploymentTag: string;
  readonly #logger: Logger;
  readonly #pollIntervalMs: number;
  #sdk: Promise<SecretClient> | undefined;
  #closed = false;

  constructor(options: AzureStoreOptions, context: StoreContext, injections: AzureStoreInjections = {}) {
    super();
    this.#options = parseStoreOptions("azure", azureStoreOptions, options);
    if (injections.credential === undefined) assertAuthenticationConfigured(this.#options);
    this.#injections = injections;
    this.#logger = context.logger;
    this.#naming = { namePrefix: this.#options.namePrefix, deployment: deploymentSlug(context.deploymentId) };
    this.#deploymentTag = deploymentTag(context.deploymentId);
    this.#pollIntervalMs = injections.pollIntervalMs ?? 500;
    this.getManyConcurrency = this.#options.concurrency;
  }

  capabilities(): StoreCapabilities {
    return {
      access: "read-write",
      maxValueBytes: MAX_VALUE_BYTES,
      batchGetMax: 1,
      versions: false,
      cas: false,
      // With purging on, a deleted secret is gone; with it off, it stays recoverable and restore() works.
      softDelete: !this.#options.purgeOnDelete,
    };
  }

  /** The Key Vault secret name an id maps to (for operators and tests). */
  secretName(id: SecretId): string {
    assertSecretId(id);
    return secretNameFor(this.#naming, id);
  }

  /** Reads a name under the prefix that never exists: proves reach and permission, not "list all". */
  async init(): Promise<void> {
    await this.#probe();
  }

  async create(id: SecretId, values: SecretValues): Promise<void> {
    assertSecretId(id);
    this.assertWithinLimit(id, values);
    const name = secretNameFor(this.#naming, id);
    if (await this.#nameTaken(name, id)) {
      throw new SecretExistsError(`Key Vault already holds secret ${id}.`, {
        hint: "Use update to change it, or delete it first.",
        details: { backend: "azure", id },
      });
    }
    try {
      await this.#set(name, id, values);
    } catch (error) {
      if (!isDeletedButRecoverable(error)) throw mapAzureError(error, { operation: "create", id });
      // The name is held by a soft-deleted secret (ours, deleted earlier): free it, then write.
      await this.#reclaimDeleted(name, id);
      await this.#setAfterReclaim(name, id, values);
    }
  }

  async get(id: SecretId): Promise<SecretValues> {
    assertSecretId(id);
    const secret = await this.#getOwned(secretNameFor(this.#naming, id), id, "read");
    return parseValues(id, secret.value);
  }

  async update(id: SecretId, values: SecretValues, options?: UpdateOptions): Promise<void> {
    assertSecretId(id);
    this.assertCasSupported(options);
    this.assertWithinLimit(id, values);
    const name = secretNameFor(this.#naming, id);
    await this.#getOwned(name, id, "update");
    try {
      await this.#set(name, id, values);
    } catch (error) {
      throw mapAzureError(error, { operation: "update", id });
    }
  }

  async delete(id: SecretId): Promise<void> {
    assertSecretId(id);
    const name = secretNameFor(this.#naming, id);
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
    const client = await this.#client();
    let deleted: DeletedSecret;
    try {
      const abortSignal = this.#deadline();
      const poller = await client.beginDeleteSecret(name, {
        intervalInMs: this.#pollIntervalMs,
        abortSignal,
      });
      deleted = await poller.pollUntilDone({ abortSignal });
    } catch (error) {
      throw mapAzureError(error, { operation: "delete", id });
    }
    if (this.#options.purgeOnDelete && purgeable(deleted.properties.recoveryLevel))
      await this.#purge(name, id);
  }

  override async restore(id: SecretId): Promise<void> {
    if (!this.capabilities().softDelete) return super.restore(id);
    assertSecretId(id);
    const name = secretNameFor(this.#naming, id);
    const deleted = await this.#getDeleted(name, id, "restore");
    if (!deleted || !hasOwnerTags(deleted.properties.tags, this.#deploymentTag, id)) {
      throw new SecretNotFoundError(`Key Vault holds no deleted secret ${id} of this Coffer deployment.`, {
        hint: "Only a deleted secret can be restored, and only until the vault's retention period ends.",
        details: { backend: "azure", id },
      });
    }
    await this.#recover(name, id, "restore");
  }

  async health(): Promise<HealthReport> {
    return probeHealth(
      async () => {
        await this.#probe().catch((error: unknown) => {
          throw mapAzureError(error, { operation: "health check" });
        });
        return `Key Vault ${this.#options.vaultUrl}`;
      },
      "Key Vault could not be checked.",
      { withHint: true },
    );
  }

  async close(): Promise<void> {
    // SecretClient holds no connection of its own to release (its agent's sockets time out).
    this.#closed = true;
    this.#sdk = undefined;
  }

  async #probe(): Promise<void> {
    const client = await this.#client();
    try {
      await client.getSecret(probeName(this.#naming), { abortSignal: this.#deadline() });
    } catch (error) {
      if (statusOf(error) === 404) return;
      throw mapAzureError(error, { operation: "access check" });
    }
  }

  async #set(name: string, id: SecretId, values: SecretValues): Promise<void> {
    const client = await this.#client();
    await client.setSecret(name, JSON.stringify(values), {
      contentType: "application/json",
      tags: { ...this.#options.extraTags, ...ownerTags(this.#deploymentTag, id) },
      abortSignal: this.#deadline(),
    });
  }

  /** Whether a live secret of any owner has this name (a disabled one counts: the name is taken). */
  async #nameTaken(name: string, id: SecretId): Promise<boolean> {
    const client = await this.#client();
    try {
      await client.getSecret(name, { abortSignal: this.#deadline() });
      return true;
    } catch (error) {
      if (statusOf(error) === 404) return false;
      if (statusOf(error) === 403 && innerCodeOf(error) === "SecretDisabled") return true;
      throw mapAzureError(error, { operation: "create", id });
    }
  }

  /** GetSecret, and SecretNotFoundError unless its tags name this deployment and id. */
  async #getOwned(name: string, id: SecretId, operation: string): Promise<KeyVaultSecret> {
    const client = await this.#client();
    let secret: KeyVaultSecret;
    try {
      secret = await client.getSecret(name, { abortSignal: this.#deadline() });
    } catch (error) {
      throw mapAzureError(error, { operation, id });
    }
    if (!hasOwnerTags(secret.properties.tags, this.#deploymentTag, id)) {
      throw new SecretNotFoundError(`Key Vault holds no secret ${id} of this Coffer deployment.`, {
        hint: "Check the id; the secret may have been deleted. A secret of that name that another deployment or tool wrote is left alone.",
        details: { backend: "azure", id },
      });
    }
    return secret;
  }

  /** The soft-deleted secret under `name`, or undefined when there is none. */
  async #getDeleted(name: string, id: SecretId, operation: string): Promise<DeletedSecret | undefined> {
    const client = await this.#client();
    try {
      return await client.getDeletedSecret(name, { abortSignal: this.#deadline() });
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw mapAzureError(error, { operation, id });
    }
  }

  async #recover(name: string, id: SecretId, operation: string): Promise<void> {
    const client = await this.#client();
    try {
      const abortSignal = this.#deadline();
      const poller = await client.beginRecoverDeletedSecret(name, {
        intervalInMs: this.#pollIntervalMs,
        abortSignal,
      });
      await poller.pollUntilDone({ abortSignal });
    } catch (error) {
      throw mapAzureError(error, { operation, id });
    }
  }

  /**
   * Purges a deleted secret. It is deleted already; a purge that fails leaves it soft-deleted,
   * which a later create of the same id handles (it purges or recovers first). So log, do not throw.
   */
  async #purge(name: string, id: SecretId): Promise<void> {
    const client = await this.#client();
    try {
      await client.purgeDeletedSecret(name, { abortSignal: this.#deadline() });
    } catch (error) {
      const mapped = mapAzureError(error, { operation: "purge", id });
      this.#logger.warn("azure store: a deleted secret could not be purged; it stays soft-deleted", {
        id,
        errorCode: mapped.code,
        reason: mapped.message,
      });
    }
  }

  /** Purges a soft-deleted secret of ours under `name` that an interrupted delete left behind. */
  async #purgeLeftover(name: string, id: SecretId): Promise<void> {
    const deleted = await this.#getDeleted(name, id, "delete");
    if (!deleted || !hasOwnerTags(deleted.properties.tags, this.#deploymentTag, id)) return;
    if (purgeable(deleted.properties.recoveryLevel)) await this.#purge(name, id);
  }

  /**
   * Frees a name held by a soft-deleted secret before a create: purged when the store purges and the
   * vault allows it, recovered otherwise (the create then writes a new version over it, and the old
   * versions stay in the secret's history). A deleted secret of another owner is never touched.
   */
  async #reclaimDeleted(name: string, id: SecretId): Promise<void> {
    const deleted = await this.#getDeleted(name, id, "create");
    if (!deleted) return; // purged meanwhile: the retried set will tell
    if (!hasOwnerTags(deleted.properties.tags, this.#deploymentTag, id)) {
      throw new SecretExistsError(
        `A deleted Key Vault secret of another owner holds the name of secret ${id}.`,
        {
          hint: "Coffer does not purge or recover what it did not write; the name frees when the vault's retention ends.",
          details: { backend: "azure", id },
        },
      );
    }
    if (this.#options.purgeOnDelete && purgeable(deleted.properties.recoveryLevel)) {
      const client = await this.#client();
      try {
        await client.purgeDeletedSecret(name, { abortSignal: this.#deadline() });
        return;
      } catch (error) {
        // 403: purging is not permitted (purge protection, or no purge permission): recover instead.
        if (statusOf(error) !== 403) throw mapAzureError(error, { operation: "create", id });
      }
    }
    await this.#recover(name, id, "create");
  }

  /** Sets the value once the name is free; Key Vault may need a moment after a purge. */
  async #setAfterReclaim(name: string, id: SecretId, values: SecretValues): Promise<void> {
    let last: unknown;
    for (const delay of RECLAIM_DELAYS_MS) {
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      try {
        await this.#set(name, id, values);
        return;
      } catch (error) {
        if (statusOf(error) !== 409) throw mapAzureError(error, { operation: "create", id });
        last = error;
      }
    }
    const mapped = mapAzureError(last, { operation: "create", id });
    throw new BackendUnavailableError(`Key Vault still holds the name of secret ${id} after freeing it.`, {
      hint: "Key Vault finishes purges asynchronously; retry in a few seconds.",
      details: mapped.details,
    });
  }

  #deadline(): AbortSignal {
    return AbortSignal.timeout(this.#options.timeoutMs);
  }

  #client(): Promise<SecretClient> {
    if (this.#closed) {
      return Promise.reject(
        new BackendUnavailableError("The azure store is closed.", {
          hint: "Create a new store; a closed one cannot be reopened.",
        }),
      );
    }
    this.#sdk ??= this.#connect();
    return this.#sdk;
  }

  async #connect(): Promise<SecretClient> {
    const { vaultUrl, tlsCa, disableChallengeResourceVerification } = this.#options;
    const credential = this.#injections.credential ?? (await credentialFromOptions(this.#options));
    const options: SecretClientOptions = { disableChallengeResourceVerification };
    if (tlsCa !== undefined) options.tlsOptions = { ca: readTlsCa(tlsCa) };
    return new SecretClient(vaultUrl, credential, { ...options, ...this.#injections.clientOptions });
  }
}

/** Recovery levels without "Purgeable" (purge protection) let only the service purge, at the end of retention. */
function purgeable(recoveryLevel: string | undefined): boolean {
  return recoveryLevel === undefined || recoveryLevel.includes("Purgeable");
}

function parseValues(id: SecretId, value: string | undefined): SecretValues {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value ?? "");
  } catch {
    parsed = undefined;
  }
  if (
    parsed === null ||
    typeof parsed !== "object" ||
    Array.isArray(parsed) ||
    Object.values(parsed).some((each) => typeof each !== "string")
  ) {
    throw new IntegrityError(`The value of secret ${id} in Key Vault is not a JSON map of strings.`, {
      hint: "A version was written by something other than Coffer; set a correct value or delete the secret.",
      details: { backend: "azure", id },
    });
  }
  return { ...(parsed as SecretValues) };
}
