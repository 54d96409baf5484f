/**
 * Ownership marks: the two tags (labels, custom metadata) every cloud store writes on a secret it
 * creates, and checks before it reads, overwrites or deletes one. Defined here once, so that every
 * backend names them alike and an operator can find Coffer's secrets with one filter.
 */
import type { SecretId } from "@coffer/core";
import { notOurs } from "./common-errors.js";

/** The mark naming the deployment that created the secret. */
export const DEPLOYMENT_MARK = "coffer-deployment";
/** The mark naming the Coffer secret id the backend's secret holds. */
export const SECRET_ID_MARK = "coffer-secret-id";
/** Both marks: option checks refuse operator tags with these names. */
export const OWNER_MARKS: readonly string[] = [DEPLOYMENT_MARK, SECRET_ID_MARK];

/** The marks to write on a new secret: `deployment` is the store's deployment mark value. */
export function ownerMarks(deployment: string, id: SecretId): Record<string, string> {
  return { [DEPLOYMENT_MARK]: deployment, [SECRET_ID_MARK]: id };
}

/** True when a secret's marks (a tag map, however the backend returns it) name this owner. */
export function hasOwnerMarks(marks: unknown, deployment: string, id: SecretId): boolean {
  if (marks === null || typeof marks !== "object") return false;
  const found = marks as Record<string, unknown>;
  return found[DEPLOYMENT_MARK] === deployment && found[SECRET_ID_MARK] === id;
}

/**
 * One deployment's marks, for a store that checks them in several places: what to write on a new
 * secret, whether found marks are this deployment's, and the refusal when they are not (the secret
 * is reported missing, and left alone).
 */
export class Ownership {
  /** `deployment`: the mark's value (the deployment slug); `service` names the backend in errors. */
  constructor(
    readonly deployment: string,
    readonly service: string,
  ) {}

  marks(id: SecretId): Record<string, string> {
    return ownerMarks(this.deployment, id);
  }

  owns(id: SecretId, marks: unknown): boolean {
    return hasOwnerMarks(marks, this.deployment, id);
  }

  /** Throws `notOurs` unless the marks name this deployment and id. */
  assertOwns(id: SecretId, marks: unknown): void {
    if (!this.owns(id, marks)) throw notOurs(id, this.service);
  }
}
