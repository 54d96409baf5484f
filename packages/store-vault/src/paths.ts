/**
 * Where a Coffer secret lives in Vault and how Coffer recognises it as its own.
 *
 * Data: `<mount>/data/<pathPrefix>/<deploymentId>/<id>`, the values map as the KV data itself, so
 * `vault kv get`, Vault Agent templates and the UI show it as ordinary keys.
 * Ownership: the key's KV v2 `custom_metadata` holds `coffer-deployment` and `coffer-secret-id`.
 * Vault returns custom_metadata with every data read, so checking it costs no extra call.
 */
import type { SecretId } from "@coffer/core";

export const DEPLOYMENT_KEY = "coffer-deployment";
export const SECRET_ID_KEY = "coffer-secret-id";

export class VaultPaths {
  readonly #relative: string;

  constructor(
    readonly mount: string,
    pathPrefix: string,
    readonly deploymentId: string,
  ) {
    this.#relative = `${pathPrefix}/${deploymentId}`;
  }

  /** The KV path under the mount, as `vault kv get -mount=<mount> <path>` takes it. */
  keyPath(id: SecretId): string {
    return `${this.#relative}/${id}`;
  }

  data(id: SecretId): string {
    return `${this.mount}/data/${this.keyPath(id)}`;
  }

  metadata(id: SecretId): string {
    return `${this.mount}/metadata/${this.keyPath(id)}`;
  }

  /** A data path under this deployment that no secret id can take (ids are UUIDs). */
  get probe(): string {
    return `${this.mount}/data/${this.#relative}/coffer-probe`;
  }

  ownership(id: SecretId): Record<string, string> {
    return { [DEPLOYMENT_KEY]: this.deploymentId, [SECRET_ID_KEY]: id };
  }

  owns(id: SecretId, customMetadata: unknown): boolean {
    if (customMetadata === null || typeof customMetadata !== "object") return false;
    const metadata = customMetadata as Record<string, unknown>;
    return metadata[DEPLOYMENT_KEY] === this.deploymentId && metadata[SECRET_ID_KEY] === id;
  }
}
