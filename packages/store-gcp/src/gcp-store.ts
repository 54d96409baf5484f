/**
 * The gcp store: each Coffer secret is one Secret Manager secret, its values the latest version.
 *
 *   create  CreateSecret (labels) + AddSecretVersion; the secret is deleted again if the version fails
 *   get     AccessSecretVersion(latest): CRC32C and owner checked (see payload.ts)
 *   update  GetSecret (owner labels) + AddSecretVersion, then versions older than the newest
 *           `maxVersions` are destroyed (ListSecretVersions + DestroySecretVersion)
 *   history revisions are GCP's version numbers: AccessSecretVersion of `latest` or of `n`
 *   delete  GetSecret (owner labels) + DeleteSecret
 *
 * Every payload goes out with its CRC32C, which Secret Manager verifies before storing it, and every
 * payload read is checked against the CRC32C the service returns.
 */

import type { SecretId, SecretValues, StoreCapabilities, StoreContext, UpdateOptions } from "@coffer/core";
import { assertSecretId, parseStoreOptions } from "@coffer/core";
import {
  BackendStore,
  backendCapabilities,
  LazyClient,
  notOurs,
  Ownership,
  RevisionHistory,
} from "@coffer/store-kit";
import { SecretManagerServiceClient } from "@google-cloud/secret-manager";
import type { CallOptions } from "google-gax";
import { clientOptions, type GcpStoreInjections } from "./client.js";
import {
  attempt,
  bestEffort,
  GCP_BACKEND,
  isMissing,
  lookup,
  Status,
  statusOf,
  toStoreError,
} from "./errors.js";
import { SecretNaming } from "./naming.js";
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
  readonly #naming: SecretNaming;
  readonly #ownership: Ownership;
  readonly #history: RevisionHistory;
  readonly #context: StoreContext;
  readonly #callOptions: CallOptions;
  readonly #sdk: LazyClient<SecretManagerServiceClient>;

  constructor(options: GcpStoreOptions, context: StoreContext, injections: GcpStoreInjections = {}) {
    const parsed = parseStoreOptions("gcp", gcpStoreOptions, options);
    super(parsed.concurrency);
    this.#options = parsed;
    this.#context = context;
    const { project, location, namePrefix, maxVersions } = this.#options;
    const parent =
      location === undefined ? `projects/${project}` : `projects/${project}/locations/${location}`;
    this.#naming = new SecretNaming(parent, namePrefix, context.deploymentId);
    this.#ownership = new Ownership(this.#naming.deployment, GCP_BACKEND.service);
    const kept = `Versions older than the newest ${maxVersions} are destroyed; currentRevision gives the latest.`;
    this.#history = new RevisionHistory(maxVersions, kept);
    this.#callOptions = { timeout: this.#options.timeoutMs, ...injections.callOptions };
    const build = () => new SecretManagerServiceClient(clientOptions(parsed, injections));
    this.#sdk = new LazyClient("gcp", build);
  }

  capabilities(): StoreCapabilities {
    return backendCapabilities({ maxValueBytes: MAX_VALUE_BYTES, versions: true });
  }

  /** The resource name a secret id maps to (for operators and tests). */
  nameOf(id: SecretId): string {
    assertSecretId(id);
    return this.#naming.resourceName(id);
  }

  async create(id: SecretId, values: SecretValues): Promise<void> {
    this.assertWrite(id, values);
    const client = this.#client();
    const name = this.#naming.resourceName(id);
    const { location } = this.#options;
    const secret = {
      labels: { ...this.#options.labels, ...this.#ownership.marks(id) },
      // Global secrets need a replication policy; regional ones must not have one.
      ...(location === undefined ? { replication: { automatic: {} } } : {}),
    };
    const secretId = this.#naming.name(id);
    await attempt({ operation: "create", id }, () =>
      client.createSecret({ parent: this.#naming.parent, secretId, secret }, this.#callOptions),
    );
    try {
      await this.#addVersion(name, id, values);
    } catch (error) {
      // A secret without a version would block this id: take it back before reporting the failure.
      await client.deleteSecret({ name }, this.#callOptions).catch((rollbackError: unknown) => {
        this.#context.logger.warn("gcp store: could not delete a secret whose first version failed", {
          id,
          status: statusOf(rollbackError) ?? null,
        });
      });
      throw toStoreError(error, { operation: "create", id });
    }
  }

  async get(id: SecretId): Promise<SecretValues> {
    assertSecretId(id);
    return (await this.#readVersion(id, "latest")).values;
  }

  /** The latest version's number: GCP numbers a secret's versions 1, 2, … as they are added. */
  override async currentRevision(id: SecretId): Promise<number> {
    assertSecretId(id);
    return (await this.#readVersion(id, "latest")).revision;
  }

  /** Version `revision`; one destroyed by retention, or never added, is SecretNotFoundError. */
  override async getRevision(id: SecretId, revision: number): Promise<SecretValues> {
    assertSecretId(id);
    this.#history.assertPossible(id, revision);
    try {
      return (await this.#readVersion(id, String(revision))).values;
    } catch (error) {
      const status = (error as { details?: { status?: unknown } }).details?.status;
      if (status === "NOT_FOUND" || status === "FAILED_PRECONDITION")
        throw this.#history.missing(id, revision);
      throw error;
    }
  }

  async update(id: SecretId, values: SecretValues, options?: UpdateOptions): Promise<void> {
    this.assertCasSupported(options);
    this.assertWrite(id, values);
    const name = this.#naming.resourceName(id);
    await this.#assertOwned(name, id, "update");
    const added = await attempt({ operation: "update", id }, () => this.#addVersion(name, id, values));
    await this.#destroyOlderVersions(name, id, added);
  }

  async delete(id: SecretId): Promise<void> {
    assertSecretId(id);
    const name = this.#naming.resourceName(id);
    await this.#assertOwned(name, id, "delete");
    await attempt({ operation: "delete", id }, () =>
      this.#client().deleteSecret({ name }, this.#callOptions),
    );
  }

  protected describe(): string {
    return `GCP Secret Manager, ${this.#naming.parent}`;
  }

  async close(): Promise<void> {
    await this.#sdk.close()?.close();
  }

  /** Reads a name under the prefix that never exists: proves reach and permission, not "list all". */
  protected async probe(): Promise<void> {
    const name = `${this.#naming.probeResourceName}/versions/latest`;
    await lookup(
      { operation: "access check" },
      () => this.#client().accessSecretVersion({ name }, this.#callOptions),
      isMissing,
    );
  }

  /** AccessSecretVersion (CRC32C and owner checked, see payload.ts): the values and the version's number. */
  async #readVersion(id: SecretId, version: string): Promise<{ values: SecretValues; revision: number }> {
    const name = `${this.#naming.resourceName(id)}/versions/${version}`;
    const [response] = await attempt({ operation: "read", id }, () =>
      this.#client().accessSecretVersion({ name }, this.#callOptions),
    );
    const data = response.payload?.data;
    const bytes = typeof data === "string" ? Buffer.from(data, "base64") : (data ?? new Uint8Array());
    const checksum = reportedChecksum(response.payload?.dataCrc32c);
    const decoded = decodePayload(id, ownerMark(this.#context.deploymentId, id), bytes, checksum);
    if (!decoded.owned) throw notOurs(id, GCP_BACKEND.service);
    return { values: decoded.values, revision: versionNumber(response.name) };
  }

  /** Adds a version with its checksum; returns the new version's number. */
  async #addVersion(name: string, id: SecretId, values: SecretValues): Promise<number> {
    const data = encodePayload(ownerMark(this.#context.deploymentId, id), values);
    const [version] = await this.#client().addSecretVersion(
      { parent: name, payload: { data, dataCrc32c: checksumOf(data) } },
      this.#callOptions,
    );
    return versionNumber(version.name);
  }

  /** GetSecret, and SecretNotFoundError unless the labels name this deployment and id. */
  async #assertOwned(name: string, id: SecretId, operation: string): Promise<void> {
    const [secret] = await attempt({ operation, id }, () =>
      this.#client().getSecret({ name }, this.#callOptions),
    );
    this.#ownership.assertOwns(id, secret.labels);
  }

  /**
   * Destroys enabled versions older than the newest `maxVersions`, so that versions (which GCP
   * bills per month each) do not pile up. The update has happened already: a failure here is logged,
   * not thrown, and the next update sweeps whatever was left.
   */
  async #destroyOlderVersions(name: string, id: SecretId, added: number): Promise<void> {
    const keep = this.#options.maxVersions;
    const { logger } = this.#context;
    const failed = "gcp store: could not destroy older versions after an update";
    await bestEffort(logger, failed, { operation: "version clean-up", id }, async () => {
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
    });
  }

  #client(): SecretManagerServiceClient {
    return this.#sdk.get();
  }
}

function versionNumber(name: string | null | undefined): number {
  const match = /\/versions\/(\d+)$/.exec(name ?? "");
  return match ? Number(match[1]) : 0;
}
