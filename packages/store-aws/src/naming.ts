/**
 * Where a Coffer secret lives in Secrets Manager and how Coffer recognises it as its own.
 *
 * Name: `<namePrefix>/<deployment>/<id>`. Tags: `coffer-deployment=<deployment>` and
 * `coffer-secret-id=<id>` (the kit's ownership marks), written atomically by CreateSecret, plus the
 * operator's extra tags. `<deployment>` is the deployment id, slugged by the kit's one rule when it
 * is not 1–128 of `A-Za-z0-9_+=.@-`.
 */
import type { Tag } from "@aws-sdk/client-secrets-manager";
import type { SecretId } from "@coffer/core";
import { hasOwnerMarks, ownerMarks, SecretNames } from "@coffer/store-kit";
import { FITS_DEPLOYMENT } from "./options.js";

/** The kit's names (`name`, `probeName`, `idOf`), with the ownership marks as Secrets Manager tags. */
export class SecretNaming extends SecretNames {
  constructor(
    namePrefix: string,
    deploymentId: string,
    readonly extraTags: Readonly<Record<string, string>>,
  ) {
    super({ prefix: namePrefix, deploymentId, fits: FITS_DEPLOYMENT, separator: "/", probe: "coffer-probe" });
  }

  tags(id: SecretId): Tag[] {
    return [
      ...Object.entries({ ...this.extraTags, ...ownerMarks(this.deployment, id) }).map(([Key, Value]) => ({
        Key,
        Value,
      })),
    ];
  }

  /** True when the tags say this deployment created the secret for this id. */
  owns(id: SecretId, tags: readonly Tag[] | undefined): boolean {
    const marks = Object.fromEntries((tags ?? []).map((tag) => [tag.Key, tag.Value]));
    return hasOwnerMarks(marks, this.deployment, id);
  }
}

/**
 * ARNs whose tags have been checked. An ARN names one incarnation of a secret: Secrets Manager
 * appends six random characters when a secret is created, so a secret deleted and created again
 * under the same name has a new ARN. Tags are written by CreateSecret in the same call that creates
 * the secret, so once an ARN's tags matched, reads of that ARN need not fetch them again. Bounded,
 * least recently used first out.
 */
export class VerifiedArns {
  readonly #arns = new Set<string>();

  constructor(readonly capacity = 10_000) {}

  has(arn: string | undefined): boolean {
    if (arn === undefined || !this.#arns.has(arn)) return false;
    this.#arns.delete(arn);
    this.#arns.add(arn);
    return true;
  }

  add(arn: string | undefined): void {
    if (arn === undefined) return;
    this.#arns.delete(arn);
    this.#arns.add(arn);
    while (this.#arns.size > this.capacity) {
      const oldest = this.#arns.values().next().value;
      if (oldest === undefined) break;
      this.#arns.delete(oldest);
    }
  }

  clear(): void {
    this.#arns.clear();
  }

  get size(): number {
    return this.#arns.size;
  }
}
