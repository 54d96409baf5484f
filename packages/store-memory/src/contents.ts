/**
 * What a memory store holds: each secret's kept revisions and its deleted flag. Stores created
 * with the same `shared` name share one Contents within a process.
 */
import type { SecretId, SecretValues } from "@coffer/core";
import { noRevision, secretNotFound } from "@coffer/store-kit";

/** Values of the kept revisions, oldest first; `first` is the number of the first. */
interface StoredSecret {
  revisions: SecretValues[];
  first: number;
  deleted: boolean;
}

const shared = new Map<string, Contents>();

export class Contents {
  readonly #secrets = new Map<SecretId, StoredSecret>();

  /** A fresh Contents, or the one shared under `name`. */
  static open(name: string | undefined): Contents {
    if (name === undefined) return new Contents();
    if (!shared.has(name)) shared.set(name, new Contents());
    return shared.get(name)!;
  }

  /** Writes a fresh history for `id` (a soft-deleted id can be used again). */
  seed(id: SecretId, values: SecretValues): void {
    this.#secrets.set(id, { revisions: [{ ...values }], first: 1, deleted: false });
  }

  peek(id: SecretId): SecretValues | undefined {
    const secret = this.#secrets.get(id);
    return secret && !secret.deleted ? { ...secret.revisions.at(-1)! } : undefined;
  }

  unseed(id: SecretId): void {
    this.#secrets.delete(id);
  }

  get size(): number {
    return [...this.#secrets.values()].filter((secret) => !secret.deleted).length;
  }

  /** Deletes a live secret: marked deleted (`soft`), or gone. */
  remove(id: SecretId, soft: boolean): void {
    this.live(id);
    if (soft) this.setDeleted(id, true);
    else this.unseed(id);
  }

  isDeleted(id: SecretId): boolean {
    return this.#secrets.get(id)?.deleted === true;
  }

  setDeleted(id: SecretId, deleted: boolean): void {
    this.live(id, !deleted).deleted = deleted;
  }

  /** The latest revision's number of a live secret. */
  latest(id: SecretId): number {
    const secret = this.live(id);
    return secret.first + secret.revisions.length - 1;
  }

  /** Adds a revision, dropping the oldest beyond `keep`. */
  push(id: SecretId, values: SecretValues, keep: number): void {
    const secret = this.live(id);
    secret.revisions.push({ ...values });
    if (secret.revisions.length > keep) {
      secret.revisions.shift();
      secret.first++;
    }
  }

  revision(id: SecretId, revision: number): SecretValues {
    const secret = this.live(id);
    const values = secret.revisions[revision - secret.first];
    if (!Number.isInteger(revision) || values === undefined) {
      throw noRevision(id, revision, `Revisions ${secret.first} to ${this.latest(id)} are kept.`);
    }
    return { ...values };
  }

  /** The stored secret; SecretNotFoundError when missing, or deleted unless `deleted` is allowed. */
  live(id: SecretId, deleted = false): StoredSecret {
    const secret = this.#secrets.get(id);
    if (!secret || (secret.deleted && !deleted)) throw secretNotFound(id, "The store");
    return secret;
  }
}
