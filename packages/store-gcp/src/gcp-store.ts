/**
 * The gcp store: each Coffer secret is one Secret Manager secret, its values the latest version.
 *
 *   create  CreateSecret (labels) + AddSecretVersion; the secret is deleted again if the version fails
 *   get     AccessSecretVersion(latest): CRC32C and owner checked (see payload.ts)
 *   update  GetSecret (owner labels) + AddSecretVersion, then older versions beyond `keepVersions`
 *           are destroyed (ListSecretVersions + DestroySecretVersion)
 *   delete  GetSecret (owner labels) + DeleteSecret
 *
 * Every payload goes out with its CRC32C, which Secret Manager verifies before storing it, and every
 * payload read is checked against the CRC32C the service returns.
 */

import type {
  Logger,
  SecretId,
  SecretValues,
  StoreCapabilities,
  StoreContext,
  UpdateOptions,
} from "@coffer/core";
import { assertSecretId, BackendUnavailableError, parseStoreOptions } from "@coffer/core";
import { BackendStore, backendCapabilities, hasOwnerMarks, notOurs, ownerMarks } from "@coffer/store-kit";
import { type protos, SecretManagerServiceClient } from "@google-cloud/secret-manager";
import type { CallOptions } from "google-gax";
import { clientOptions, type GcpStoreInjections } from "./client.js";
import { GCP_BACKEND, Status, statusOf, toStoreError } from "./errors.js";
import { deploymentSlug, probeResourceName, resourceNameFor, type SecretNaming } from "./naming.js";
import { type GcpStoreOptions, gcpStoreOptions, type ParsedGcpStoreOptions } from "./options.js";
import {
  checksumOf,
  decodePayload,
  encodePayload,
  MAX_VALUE_BYTES,
  ownerMark,
  reportedChecksum,
} from "./payload.js";

export class GcpStore extends BackendStore {
  readonly type = "gcp";
  readonly #options: ParsedGcpStoreOptions;
  readonly #injections: GcpStoreInjections;
  readonly #naming: SecretNaming;
  readonly #deploymentId: string;
  readonly #logger: Logger;
  readonly #callOptions: CallOptions;
  #sdk: SecretManagerServiceClient | undefined;
  #closed = false;

  constructor(options: GcpStoreOptions, context: StoreContext, injections: GcpStoreInjections = {}) {
    const parsed = parseStoreOptions("gcp", gcpStoreOptions, options);
    super(parsed.concurrency);
    this.#options = parsed;
    this.#injections = injections;
    this.#deploymentId = context.deploymentId;
    this.#logger = context.logger;
    const { project, location, namePrefix } = this.#options;
    this.#naming = {
      parent: location === undefined ? `projects/${project}` : `projects/${project}/locations/${location}`,
      namePrefix,
      deployment: deploymentSlug(context.deploymentId),
    };
    this.#callOptions = { timeout: this.#options.timeoutMs, ...injections.callOptions };
  }

  capabilities(): StoreCapabilities {
    return backendCapabilities({ maxValueBytes: MAX_VALUE_BYTES });
  }

  /** The resource name a secret id maps to (for operators and tests). */
  nameOf(id: SecretId): string {
    assertSecretId(id);
    return resourceNameFor(this.#naming, id);
  }

  async create(id: SecretId, values: SecretValues): Promise<void> {
    this.assertWrite(id, values);
    const client = this.#client();
    const name = resourceNameFor(this.#naming, id);
    const { location } = this.#options;
    try {
      await client.createSecret(
        {
          parent: this.#naming.parent,
          secretId: name.slice(name.lastIndexOf("/") + 1),
          secret: {
            labels: { ...this.#options.labels, ...ownerMarks(this.#naming.deployment, id) },
            // Global secrets need a replication policy; regional ones must not have one.
            ...(location === undefined ? { replication: { automatic: {} } } : {}),
          },
        },
        this.#callOptions,
      );
    } catch (error) {
      throw toStoreError(error, { operation: "create", id });
    }
    try {
      await this.#addVersion(name, id, values);
    } catch (error) {
      // A secret without a version would block this id: take it back before reporting the failure.
      await client.deleteSecret({ name }, this.#callOptions).catch((rollbackError: unknown) => {
        this.#logger.warn("gcp store: could not delete a secret whose first version failed", {
          id,
          status: statusOf(rollbackError) ?? null,
        });
      });
      throw toStoreError(error, { operation: "create", id });
    }
  }

  async get(id: SecretId): Promise<SecretValues> {
    assertSecretId(id);
    const name = resourceNameFor(this.#naming, id);
    let response: protos.google.cloud.secretmanager.v1.IAccessSecretVersionResponse;
    try {
      [response] = await this.#client().accessSecretVersion(
        { name: `${name}/versions/latest` },
        this.#callOptions,
      );
    } catch (error) {
      throw toStoreError(error, { operation: "read", id });
    }
    const data = response.payload?.data;
    const bytes = typeof data === "string" ? Buffer.from(data, "base64") : (data ?? new Uint8Array());
    const decoded = decodePayload(
      id,
      ownerMark(this.#deploymentId, id),
      bytes,
      reportedChecksum(response.payload?.dataCrc32c),
    );
    if (!decoded.owned) throw notOurs(id, GCP_BACKEND.service);
    return decoded.values;
  }

  async update(id: SecretId, values: SecretValues, options?: UpdateOptions): Promise<void> {
    this.assertCasSupported(options);
    this.assertWrite(id, values);
    const name = resourceNameFor(this.#naming, id);
    await this.#assertOwned(name, id, "update");
    let added: number;
    try {
      added = await this.#addVersion(name, id, values);
    } catch (error) {
      throw toStoreError(error, { operation: "update", id });
    }
    await this.#destroyOlderVersions(name, id, added);
  }

  async delete(id: SecretId): Promise<void> {
    assertSecretId(id);
    const name = resourceNameFor(this.#naming, id);
    await this.#assertOwned(name, id, "delete");
    try {
      await this.#client().deleteSecret({ name }, this.#callOptions);
    } catch (error) {
      throw toStoreError(error, { operation: "delete", id });
    }
  }

  protected describe(): string {
    return `GCP Secret Manager, ${this.#naming.parent}`;
  }

  async close(): Promise<void> {
    this.#closed = true;
    const client = this.#sdk;
    this.#sdk = undefined;
    await client?.close();
  }

  /** Reads a name under the prefix that never exists: proves reach and permission, not "list all". */
  protected async probe(): Promise<void> {
    try {
      await this.#client().accessSecretVersion(
        { name: `${probeResourceName(this.#naming)}/versions/latest` },
        this.#callOptions,
      );
    } catch (error) {
      if (statusOf(error) === Status.NOT_FOUND) return;
      throw toStoreError(error, { operation: "access check" });
    }
  }

  /** Adds a version with its checksum; returns the new version's number. */
  async #addVersion(name: string, id: SecretId, values: SecretValues): Promise<number> {
    const data = encodePayload(ownerMark(this.#deploymentId, id), values);
    const [version] = await this.#client().addSecretVersion(
      { parent: name, payload: { data, dataCrc32c: checksumOf(data) } },
      this.#callOptions,
    );
    return versionNumber(version.name);
  }

  /** GetSecret, and SecretNotFoundError unless the labels name this deployment and id. */
  async #assertOwned(name: string, id: SecretId, operation: string): Promise<void> {
    let labels: Record<string, string> | null | undefined;
    try {
      const [secret] = await this.#client().getSecret({ name }, this.#callOptions);
      labels = secret.labels;
    } catch (error) {
      throw toStoreError(error, { operation, id });
    }
    if (!hasOwnerMarks(labels, this.#naming.deployment, id)) throw notOurs(id, GCP_BACKEND.service);
  }

  /**
   * Destroys enabled versions older than the newest `keepVersions + 1`, so that versions (which GCP
   * bills per month each) do not pile up. The update has happened already: a failure here is logged,
   * not thrown, and the next update sweeps whatever was left.
   */
  async #destroyOlderVersions(name: string, id: SecretId, added: number): Promise<void> {
    const keep = this.#options.keepVersions + 1;
    try {
      const [versions] = await this.#client().listSecretVersions(
        { parent: name, filter: "state:ENABLED" },
        { ...this.#callOptions, autoPaginate: true },
      );
      const numbers = versions
        .map((version) => versionNumber(version.name))
        .filter((number) => number > 0 && number !== added)
        .sort((a, b) => b - a);
      // The version just added always stays; of the others, the newest keep-1 stay too.
      for (const number of numbers.slice(keep - 1)) {
        await this.#client()
          .destroySecretVersion({ name: `${name}/versions/${number}` }, this.#callOptions)
          .catch((error: unknown) => {
            // Already destroyed (a concurrent update swept it) is fine; anything else is logged.
            if (statusOf(error) !== Status.FAILED_PRECONDITION && statusOf(error) !== Status.NOT_FOUND)
              throw error;
          });
      }
    } catch (error) {
      const mapped = toStoreError(error, { operation: "version clean-up", id });
      this.#logger.warn("gcp store: could not destroy older versions after an update", {
        id,
        errorCode: mapped.code,
        reason: mapped.message,
      });
    }
  }

  #client(): SecretManagerServiceClient {
    if (this.#closed) {
      throw new BackendUnavailableError("The gcp store is closed.", {
        hint: "Create a new store; a closed one cannot be reopened.",
      });
    }
    this.#sdk ??= new SecretManagerServiceClient(clientOptions(this.#options, this.#injections));
    return this.#sdk;
  }
}

function versionNumber(name: string | null | undefined): number {
  const match = /\/versions\/(\d+)$/.exec(name ?? "");
  return match ? Number(match[1]) : 0;
}
