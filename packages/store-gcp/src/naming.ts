/**
 * Where a Coffer secret lives in Secret Manager, and the labels that say whose it is.
 *
 *   secret id  <namePrefix>-<deployment>-<secret id>    e.g. coffer-prod-0b7e5a36-58f4-4c44-9d8e-6f2b8d0c1a2b
 *   labels     the kit's ownership marks (coffer-deployment=<deployment>, coffer-secret-id=<secret id>),
 *              plus the operator's labels
 *
 * GCP secret ids allow `[A-Za-z0-9_-]` (at most 255) and label values only lowercase letters, digits,
 * `_` and `-` (at most 63), while a Coffer deployment id is free text. So `<deployment>` is the
 * kit's deployment slug for that rule (the id itself when it fits, else a hash).
 */
import type { SecretId } from "@coffer/core";
import { SecretNames, deploymentSlug as slug } from "@coffer/store-kit";

const FITS = /^[a-z0-9_-]{1,63}$/;

/** The deployment id in the form that fits a GCP secret id and a label value. */
export function deploymentSlug(deploymentId: string): string {
  return slug(deploymentId, FITS);
}

/** The kit's names as GCP secret ids, and their full resource names under the parent. */
export class SecretNaming extends SecretNames {
  /** `parent`: `projects/<project>` or `projects/<project>/locations/<location>`. */
  constructor(
    readonly parent: string,
    namePrefix: string,
    deploymentId: string,
  ) {
    super({ prefix: namePrefix, deploymentId, fits: FITS, separator: "-", probe: "probe" });
  }

  /** The full resource name, `projects/…/secrets/<namePrefix>-<deployment>-<id>`. */
  resourceName(id: SecretId): string {
    return `${this.parent}/secrets/${this.name(id)}`;
  }

  /** The resource name of the kit's probe name, which no Coffer secret ever has: init and health read it. */
  get probeResourceName(): string {
    return `${this.parent}/secrets/${this.probeName}`;
  }
}
