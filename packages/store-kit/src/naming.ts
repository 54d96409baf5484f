/**
 * Backend names: every cloud store keeps a Coffer secret under
 * `<prefix><separator><deployment><separator><id>` (a path, or a dashed name where the backend has
 * no paths), with `<deployment>` the kit's deployment slug, and checks access by reading a name
 * under the same base that no secret can take. Written once here so that the four stores build,
 * recognise and probe names alike.
 */
import { isSecretId, type SecretId } from "@coffer/core";
import { deploymentSlug } from "./deployment.js";

export interface NamingRules {
  /** The store's namePrefix option. */
  prefix: string;
  /** The deployment id from the store context (free text). */
  deploymentId: string;
  /** The backend's rule for the deployment part (see deploymentSlug). */
  fits: RegExp;
  /** Between the parts: "/" for path-like names, "-" for flat ones. */
  separator: string;
  /** The last part of the probe name: ids are UUIDs, so this never names a secret. */
  probe: string;
}

export class SecretNames {
  /** The deployment id as it appears in names (and, on most backends, in the ownership mark). */
  readonly deployment: string;
  readonly #base: string;
  readonly #probe: string;

  constructor({ prefix, deploymentId, fits, separator, probe }: NamingRules) {
    this.deployment = deploymentSlug(deploymentId, fits);
    this.#base = `${prefix}${separator}${this.deployment}${separator}`;
    this.#probe = probe;
  }

  /** The backend name of a secret id. */
  name(id: SecretId): string {
    return this.#base + id;
  }

  /**
   * A name under this deployment that no secret id can take: init() and health() read it to
   * check address, credentials and permissions without needing a "list all" permission.
   */
  get probeName(): string {
    return this.#base + this.#probe;
  }

  /** The id a name under this deployment stands for, or undefined for any other name. */
  idOf(name: string | undefined): SecretId | undefined {
    if (!name?.startsWith(this.#base)) return undefined;
    const id = name.slice(this.#base.length);
    return isSecretId(id) ? id : undefined;
  }
}
