/**
 * Deployment slugs: the one rule by which every store turns a deployment id (free text) into a part
 * of a backend name or a mark value.
 *
 * The id is used as it is when it fits the backend's rule for that place (`fits`); otherwise, and
 * when it looks like a slug itself, it becomes `x` + 24 hex digits of its SHA-256. So every
 * deployment id works on every backend, an id that fits keeps its readable form (existing secrets
 * keep their names), and two different ids never share a form.
 */
import { createHash } from "node:crypto";

/** What a hashed deployment id looks like; an id of this shape is hashed too. */
export const HASHED_DEPLOYMENT = /^x[0-9a-f]{24}$/;

/** The deployment id in a form that satisfies `fits`. */
export function deploymentSlug(deploymentId: string, fits: RegExp): string {
  if (fits.test(deploymentId) && !HASHED_DEPLOYMENT.test(deploymentId)) return deploymentId;
  return `x${createHash("sha256").update(deploymentId, "utf8").digest("hex").slice(0, 24)}`;
}
