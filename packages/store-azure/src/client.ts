/**
 * The store's Key Vault calls that have a life of their own: connecting (credential, tlsCa), the
 * per-operation deadline, and the soft-delete primitives (read a deleted secret, recover, purge)
 * that both delete and create use. Errors come back mapped, except where a caller must look at them.
 */
import type { TokenCredential } from "@azure/core-auth";
import {
  type DeletedSecret,
  type KeyVaultSecret,
  SecretClient,
  type SecretClientOptions,
} from "@azure/keyvault-secrets";
import type { Logger, SecretId, SecretValues } from "@coffer/core";
import { LazyClient, type Ownership, REVISION_MARK } from "@coffer/store-kit";
import { credentialFromOptions } from "./credential.js";
import { attempt, bestEffort, isMissing, lookup } from "./errors.js";
import type { ParsedAzureStoreOptions } from "./options.js";

/** Key Vault's limit on a secret value, in UTF-8 bytes; the value is the values' JSON. */
export const MAX_VALUE_BYTES = 25_600;

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

/** Recovery levels without "Purgeable" (purge protection) let only the service purge, at the end of retention. */
export function purgeable(recoveryLevel: string | undefined): boolean {
  return recoveryLevel === undefined || recoveryLevel.includes("Purgeable");
}

export class KeyVaultCalls {
  readonly pollIntervalMs: number;
  readonly #sdk = new LazyClient("azure", () => this.#connect());

  constructor(
    readonly options: ParsedAzureStoreOptions,
    readonly injections: AzureStoreInjections,
    readonly logger: Logger,
  ) {
    this.pollIntervalMs = injections.pollIntervalMs ?? 500;
  }

  deadline(): AbortSignal {
    return AbortSignal.timeout(this.options.timeoutMs);
  }

  async client(): Promise<SecretClient> {
    return this.#sdk.get();
  }

  close(): void {
    // SecretClient holds no connection of its own to release (its agent's sockets time out).
    this.#sdk.close();
  }

  /** Writes the values as a new version, tagged with the owner marks and its revision (errors unmapped). */
  async set(
    name: string,
    owner: Ownership,
    id: SecretId,
    values: SecretValues,
    revision: number,
  ): Promise<KeyVaultSecret> {
    const client = await this.client();
    return client.setSecret(name, JSON.stringify(values), {
      contentType: "application/json",
      tags: { ...this.options.extraTags, ...owner.marks(id), [REVISION_MARK]: String(revision) },
      abortSignal: this.deadline(),
    });
  }

  /** The soft-deleted secret under `name`, or undefined when there is none. */
  async getDeleted(name: string, id: SecretId, operation: string): Promise<DeletedSecret | undefined> {
    const client = await this.client();
    const abortSignal = this.deadline();
    return lookup({ operation, id }, () => client.getDeletedSecret(name, { abortSignal }), isMissing);
  }

  async recover(name: string, id: SecretId, operation: string): Promise<void> {
    const client = await this.client();
    const abortSignal = this.deadline();
    await attempt({ operation, id }, async () => {
      const poller = await client.beginRecoverDeletedSecret(name, {
        intervalInMs: this.pollIntervalMs,
        abortSignal,
      });
      await poller.pollUntilDone({ abortSignal });
    });
  }

  /**
   * Purges a deleted secret. It is deleted already; a purge that fails leaves it soft-deleted,
   * which a later create of the same id handles (it purges or recovers first). So log, do not throw.
   */
  async purge(name: string, id: SecretId): Promise<void> {
    const client = await this.client();
    const failed = "azure store: a deleted secret could not be purged; it stays soft-deleted";
    await bestEffort(this.logger, failed, { operation: "purge", id }, async () => {
      await client.purgeDeletedSecret(name, { abortSignal: this.deadline() });
    });
  }

  async #connect(): Promise<SecretClient> {
    const { vaultUrl, tlsCa, disableChallengeResourceVerification } = this.options;
    const credential = this.injections.credential ?? (await credentialFromOptions(this.options));
    const options: SecretClientOptions = { disableChallengeResourceVerification };
    // tlsCa is PEM text: a file given as @/path was read by the configuration loader.
    if (tlsCa !== undefined) options.tlsOptions = { ca: tlsCa };
    return new SecretClient(vaultUrl, credential, { ...options, ...this.injections.clientOptions });
  }
}
