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
import { Ownership, SecretNames } from "@coffer/store-kit";
import { VAULT_BACKEND } from "./errors.js";

/** A deployment id used as it is: one path segment (not `.` or `..`). */
const FITS_DEPLOYMENT = /^(?!\.{1,2}$)[A-Za-z0-9._-]{1,128}$/;

/** The kit's names as KV paths under the mount (`name` is the path `vault kv get` takes), and the marks. */
export class VaultPaths extends SecretNames {
  /** The ownership marks, kept in the key's custom_metadata. */
  readonly owner: Ownership;

  constructor(
    readonly mount: string,
    pathPrefix: string,
    deploymentId: string,
  ) {
    super({ prefix: pathPrefix, deploymentId, fits: FITS_DEPLOYMENT, separator: "/", probe: "coffer-probe" });
    this.owner = new Ownership(this.deployment, VAULT_BACKEND.service);
  }

  data(id: SecretId): string {
    return `${this.mount}/data/${this.name(id)}`;
  }

  metadata(id: SecretId): string {
    return `${this.mount}/metadata/${this.name(id)}`;
  }

  /** The data path of the kit's probe name, which no secret id can take (ids are UUIDs). */
  get probe(): string {
    return `${this.mount}/data/${this.probeName}`;
  }
}
