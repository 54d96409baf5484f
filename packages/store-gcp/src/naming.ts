/**
 * Where a Coffer secret lives in Secret Manager, and the marks that say whose it is.
 *
 *   secret id  <namePrefix>-<deployment>-<secret id>    e.g. coffer-prod-0b7e5a36-58f4-4c44-9d8e-6f2b8d0c1a2b
 *   labels     coffer-deployment=<deployment>, coffer-secret-id=<secret id>, plus the operator's labels
 *
 * GCP secret ids allow `[A-Za-z0-9_-]` (at most 255) and label values only lowercase letters, digits,
 * `_` and `-` (at most 63), while a Coffer deployment id is free text. So `<deployment>` is the
 * deployment id itself when it fits those rules, and otherwise `x` + 24 hex digits of its SHA-256.
 * The hashed form is reserved: a deployment id that looks like one is hashed too, so two different
 * deployment ids never share a form.
 */
import { createHash } from "node:crypto";
import type { SecretId } from "@coffer/core";

export const DEPLOYMENT_LABEL = "coffer-deployment";
export const SECRET_ID_LABEL = "coffer-secret-id";
export const OWNER_LABELS = [DEPLOYMENT_LABEL, SECRET_ID_LABEL] as const;

const FITS = /^[a-z0-9_-]{1,63}$/;
const HASHED = /^x[0-9a-f]{24}$/;

/** The deployment id in the form that fits a GCP secret id and a label value. */
export function deploymentSlug(deploymentId: string): string {
  if (FITS.test(deploymentId) && !HASHED.test(deploymentId)) return deploymentId;
  return `x${createHash("sha256").update(deploymentId, "utf8").digest("hex").slice(0, 24)}`;
}

export interface SecretNaming {
  /** `projects/<project>` or `projects/<project>/locations/<location>`. */
  readonly parent: string;
  readonly namePrefix: string;
  readonly deployment: string;
}

/** The GCP secret id (the last part of the resource name) of a Coffer secret. */
export function secretIdFor(naming: SecretNaming, id: SecretId): string {
  return `${naming.namePrefix}-${naming.deployment}-${id}`;
}

/** The full resource name, `projects/…/secrets/<secret id>`. */
export function resourceNameFor(naming: SecretNaming, id: SecretId): string {
  return `${naming.parent}/secrets/${secretIdFor(naming, id)}`;
}

/** A name under the prefix that no Coffer secret ever has (ids are UUIDs): init and health read it. */
export function probeResourceName(naming: SecretNaming): string {
  return `${naming.parent}/secrets/${naming.namePrefix}-${naming.deployment}-probe`;
}

export function ownerLabels(deployment: string, id: SecretId): Record<string, string> {
  return { [DEPLOYMENT_LABEL]: deployment, [SECRET_ID_LABEL]: id };
}

/** True when a secret's labels say it belongs to this deployment and this secret id. */
export function hasOwnerLabels(
  labels: Record<string, string> | null | undefined,
  deployment: string,
  id: SecretId,
): boolean {
  return labels?.[DEPLOYMENT_LABEL] === deployment && labels?.[SECRET_ID_LABEL] === id;
}
