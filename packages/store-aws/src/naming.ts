/**
 * Where a Coffer secret lives in Secrets Manager and how Coffer recognises it as its own.
 *
 * Name: `<namePrefix>/<deploymentId>/<id>`. Tags: `coffer-deployment=<deploymentId>` and
 * `coffer-secret-id=<id>`, written atomically by CreateSecret, plus the operator's extra tags.
 */
import type { Tag } from "@aws-sdk/client-secrets-manager";
import { isSecretId, type SecretId } from "@coffer/core";
import { DEPLOYMENT_TAG, SECRET_ID_TAG } from "./options.js";

export class SecretNaming {
  readonly #base: string;

  constructor(
    namePrefix: string,
    readonly deploymentId: string,
    readonly extraTags: Readonly<Record<string, string>>,
  ) {
    this.#base = `${namePrefix}/${deploymentId}/`;
  }

  name(id: SecretId): string {
    return this.#base + id;
  }

  /**
   * A name under this deployment that no secret id can take (ids are UUIDs): init() and health()
   * look it up to check access without needing ListSecrets.
   */
  get probeName(): string {
    return `${this.#base}coffer-probe`;
  }

  /** The id a name under this deployment stands for, or undefined for any other name. */
  idOf(name: string | undefined): SecretId | undefined {
    if (!name?.startsWith(this.#base)) return undefined;
    const id = name.slice(this.#base.length);
    return isSecretId(id) ? id : undefined;
  }

  tags(id: SecretId): Tag[] {
    return [
      ...Object.entries(this.extraTags).map(([Key, Value]) => ({ Key, Value })),
      { Key: DEPLOYMENT_TAG, Value: this.deploymentId },
      { Key: SECRET_ID_TAG, Value: id },
    ];
  }

  /** True when the tags say this deployment created the secret for this id. */
  owns(id: SecretId, tags: readonly Tag[] | undefined): boolean {
    const value = (key: string) => tags?.find((tag) => tag.Key === key)?.Value;
    return value(DEPLOYMENT_TAG) === this.deploymentId && value(SECRET_ID_TAG) === id;
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
