/**
 * The secrets API every front end speaks: the service in-process, the client in local or remote
 * mode, the server's REST API. One set of types, so that the same behavioural suite can run
 * against each of them.
 */
import type { SecretId } from "./model.js";
import type { SecretValidationLevel } from "./references.js";
import type { Secret, SecretMetadata } from "./secret.js";

/** Who is calling. The service trusts it: authentication happens in front of it (server, CLI). */
export interface Actor {
  /** A stable user id; it becomes the owner of what the actor creates. */
  id: string;
}

/**
 * Which secret: by id, or by name. A name alone finds the actor's private secret of that name
 * first, then the public one; `private: true | false` asks for exactly one of them.
 */
export type SecretRef = { id: SecretId } | { name: string; private?: boolean };

export interface CreateSecretInput {
  name: string;
  values: Record<string, string>;
  /** Private secrets are visible to their owner only. Default false. */
  private?: boolean;
}

export interface UpdateSecretInput {
  /**
   * New values. With mode "merge" (the default) they are added to the existing values and a
   * null removes that key; with mode "replace" they become the secret's values.
   */
  values?: Record<string, string | null>;
  mode?: "merge" | "replace";
  /** Keys to remove (each must exist). */
  removeKeys?: string[];
  /** A new name. */
  name?: string;
  /** A new visibility. */
  private?: boolean;
}

export interface WriteOptions {
  /**
   * Check-and-set: the change applies only if the secret is at this version, else
   * VersionConflictError. For `put`, 0 means "only if no such secret exists".
   */
  expectedVersion?: number;
}

export type NameFilter =
  | string
  | { equals: string }
  | { contains: string }
  | { startsWith: string }
  | { endsWith: string };

export interface TimeRange {
  after?: Date | string;
  before?: Date | string;
}

export interface ListQuery {
  /** A plain string means equals. */
  name?: NameFilter;
  private?: boolean;
  owner?: string;
  created?: TimeRange;
  updated?: TimeRange;
  sort?: { by: "name" | "created" | "updated"; direction?: "asc" | "desc" };
  /** Page size, 1–1000 (default 50). */
  limit?: number;
  /** The `nextCursor` of the previous page. */
  cursor?: string;
}

export interface SecretPage {
  items: SecretMetadata[];
  /** Pass this as `cursor` for the next page; absent on the last page. */
  nextCursor?: string;
}

export interface ReferenceProblem {
  /** Where the reference is, e.g. `/database/url`. */
  path: string;
  /** The reference as written. */
  reference: string;
  problem: "secret-missing" | "key-missing";
  message: string;
}

/** Which version of a secret to read; without it, the current one. */
export interface ReadOptions {
  version?: number;
}

/**
 * How one version differs from the one before it, by key name only: values are compared through
 * keyed digests kept in the metadata, so no old value is read to tell what changed.
 */
export interface VersionChanges {
  added: string[];
  removed: string[];
  changed: string[];
  /** The secret was renamed at this version (the name it had before). */
  renamedFrom?: string;
  /** The visibility changed at this version (the new one). */
  private?: boolean;
}

/** One entry of a secret's history: what it was at a version and who made it. Never values. */
export interface SecretVersion {
  version: number;
  created: Date;
  /** The actor id that wrote this version. */
  createdBy: string;
  /** What kind of change made it. */
  action: "create" | "update" | "rename" | "visibility" | "rollback";
  /** The secret's name and visibility at this version. */
  name: string;
  private: boolean;
  keys: string[];
  changes: VersionChanges;
  /** With `action: "rollback"`: the version whose values it brought back. */
  rolledBackTo?: number;
}

/** The wire form of a SecretVersion (ISO timestamp). */
export type SecretVersionJson = Omit<SecretVersion, "created"> & { created: string };

export interface SecretHistory {
  id: SecretId;
  /** The current version. */
  version: number;
  /** Newest first. */
  versions: SecretVersion[];
}

/**
 * The secrets API as one user sees it. `service.as(actor)` gives one in-process; the client gives
 * one for its configured user, locally or over HTTP.
 */
export interface SecretsSession {
  create(input: CreateSecretInput): Promise<Secret>;
  /** With `version`, the values as they were then (NotSupportedError on a store without versions). */
  get(ref: SecretRef, options?: ReadOptions): Promise<Secret>;
  getMetadata(ref: SecretRef): Promise<SecretMetadata>;
  list(query?: ListQuery): Promise<SecretPage>;
  update(ref: SecretRef, input: UpdateSecretInput, options?: WriteOptions): Promise<SecretMetadata>;
  rename(ref: SecretRef, newName: string, options?: WriteOptions): Promise<SecretMetadata>;
  setVisibility(ref: SecretRef, isPrivate: boolean, options?: WriteOptions): Promise<SecretMetadata>;
  put(
    name: string,
    values: Record<string, string>,
    options?: WriteOptions & { private?: boolean },
  ): Promise<SecretMetadata>;
  delete(ref: SecretRef, options?: WriteOptions): Promise<void>;
  /** The secret's versions, newest first: who, when, which keys changed. Never values. */
  history(ref: SecretRef): Promise<SecretHistory>;
  /** Writes a new version holding the values of `toVersion`; history is never rewritten. */
  rollback(ref: SecretRef, toVersion: number, options?: WriteOptions): Promise<SecretMetadata>;
  validateReferences(config: unknown, level?: SecretValidationLevel): Promise<ReferenceProblem[]>;
  resolveReferences<T>(config: T, level?: SecretValidationLevel): Promise<T>;
}
