/**
 * Where a Coffer secret lives in Key Vault, and the tags that say whose it is.
 *
 *   name  <namePrefix>-<deployment>-<secret id>    e.g. coffer-prod-0b7e5a36-58f4-4c44-9d8e-6f2b8d0c1a2b
 *   tags  coffer-deployment=<deployment id>, coffer-secret-id=<secret id>, plus the operator's tags
 *
 * Key Vault names allow letters, digits and `-` (at most 127) and ignore case, while a Coffer
 * deployment id is free text. So the `<deployment>` in a name is the deployment id itself when it is
 * lowercase letters, digits and dashes (at most 48), and otherwise `x` + 24 hex digits of its SHA-256;
 * an id that looks like that is hashed too, so two deployment ids never share a form. The tag keeps
 * the deployment id as it is (tag values hold 256 characters of any text).
 */
import { createHash } from "node:crypto";
import type { SecretId } from "@coffer/core";

export const DEPLOYMENT_TAG = "coffer-deployment";
export const SECRET_ID_TAG = "coffer-secret-id";
export const OWNER_TAGS = [DEPLOYMENT_TAG, SECRET_ID_TAG] as const;

const FITS = /^[a-z0-9-]{1,48}$/;
const HASHED = /^x[0-9a-f]{24}$/;
const MAX_TAG_VALUE = 256;

function hashed(deploymentId: string): string {
  return `x${createHash("sha256").update(deploymentId, "utf8").digest("hex").slice(0, 24)}`;
}

/** The deployment id in the form that fits a Key Vault secret name. */
export function deploymentSlug(deploymentId: string): string {
  return FITS.test(deploymentId) && !HASHED.test(deploymentId) ? deploymentId : hashed(deploymentId);
}

/** The deployment tag's value: the id itself, unless it is longer than a tag value may be. */
export function deploymentTag(deploymentId: string): string {
  return deploymentId.length <= MAX_TAG_VALUE ? deploymentId : hashed(deploymentId);
}

export interface SecretNaming {
  readonly namePrefix: string;
  readonly deployment: string;
}

export function secretNameFor(naming: SecretNaming, id: SecretId): string {
  return `${naming.namePrefix}-${naming.deployment}-${id}`;
}

/** A name under the prefix that no Coffer secret ever has (ids are UUIDs): init and health read it. */
export function probeName(naming: SecretNaming): string {
  return `${naming.namePrefix}-${naming.deployment}-probe`;
}

export function ownerTags(deploymentTagValue: string, id: SecretId): Record<string, string> {
  return { [DEPLOYMENT_TAG]: deploymentTagValue, [SECRET_ID_TAG]: id };
}

export function hasOwnerTags(
  tags: Record<string, string> | undefined,
  deploymentTagValue: string,
  id: SecretId,
): boolean {
  return tags?.[DEPLOYMENT_TAG] === deploymentTagValue && tags?.[SECRET_ID_TAG] === id;
}
