/**
 * Where a Coffer secret lives in Vault and how Coffer recognises it as its own.
 *
 * Data: `<mount>/data/<pathPrefix>/<deployment>/<id>`, the values map as the KV data itself, so
 * `vault kv get`, Vault Agent templates and the UI show it as ordinary keys. `<deployment>` is the
 * deployment id, slugged by the kit's one rule when it is not a path segment of letters, digits,
 * `.`, `_` and `-`. Ownership: the kit's marks in the key's KV v2 `custom_metadata`, which Vault
 * returns with every data read, so checking it costs no extra call.
 */
import type { SecretId } from "@coffer/core";
import { deploymentSlug, hasOwnerMarks, ownerMarks } from "@coffer/store-kit";

/** A deployment id used as it is: one path segment (not `.` or `..`). */
const FITS_DEPLOYMENT = /^(?!\.{1,2}$)[A-Za-z0-9._-]{1,128}$/;

export class VaultPaths {
  readonly #relative: string;
  readonly deployment: string;

  constructor(
    readonly mount: string,
    pathPrefix: string,
    deploymentId: string,
  ) {
    this.deployment = deploymentSlug(deploymentId, FITS_DEPLOYMENT);
    this.#relative = `${pathPrefix}/${this.deployment}`;
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
    return ownerMarks(this.deployment, id);
  }

  owns(id: SecretId, customMetadata: unknown): boolean {
    return hasOwnerMarks(customMetadata, this.deployment, id);
  }
}
