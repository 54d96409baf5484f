/**
 * Where a Coffer secret lives in Key Vault, and the tags that say whose it is.
 *
 *   name  <namePrefix>-<deployment>-<secret id>    e.g. coffer-prod-0b7e5a36-58f4-4c44-9d8e-6f2b8d0c1a2b
 *   tags  the kit's ownership marks (coffer-deployment, coffer-secret-id), plus the operator's tags
 *
 * Key Vault names allow letters, digits and `-` (at most 127) and ignore case, while a Coffer
 * deployment id is free text. Both places use the kit's one slug rule with their own limits: the
 * name's `<deployment>` is the id when it is lowercase letters, digits and dashes (at most 48); the
 * tag keeps the id as it is up to 256 characters (a tag value's limit).
 */
import { SecretNames, deploymentSlug as slug } from "@coffer/store-kit";

const FITS_NAME = /^[a-z0-9-]{1,48}$/;
const FITS_TAG = /^[\s\S]{0,256}$/;

/** The deployment id in the form that fits a Key Vault secret name. */
export function deploymentSlug(deploymentId: string): string {
  return slug(deploymentId, FITS_NAME);
}

/** The deployment tag's value: the id itself, unless it is longer than a tag value may be. */
export function deploymentTag(deploymentId: string): string {
  return slug(deploymentId, FITS_TAG);
}

/** The kit's names, flat: `<namePrefix>-<deployment>-<id>`, and `<namePrefix>-<deployment>-probe`. */
export function secretNames(namePrefix: string, deploymentId: string): SecretNames {
  return new SecretNames({
    prefix: namePrefix,
    deploymentId,
    fits: FITS_NAME,
    separator: "-",
    probe: "probe",
  });
}
