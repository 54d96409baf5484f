/**
 * The SecretsStore plugin contract: a backend stores the values of a secret under its id, and
 * nothing else. Names, owners, visibility, versions of record, listing and references live once,
 * above this interface, in the service layer.
 *
 * Rules every store keeps (the conformance suite in @coffer/conformance checks each one):
 * - Constructing a store does no I/O. `init()` connects and verifies access, failing fast with a
 *   typed error (BackendUnavailableError, BackendAccessDeniedError, InvalidConfigError).
 * - `create` refuses an id that exists (SecretExistsError); `get`, `update` and `delete` refuse an
 *   id that does not (SecretNotFoundError). `update` replaces all values.
 * - Values round-trip exactly: unicode, newlines, JSON text, empty strings and "0"/"false".
 * - A write whose serialized size (see `serializedSize`) is over `maxValueBytes` throws
 *   ValueTooLargeError and writes nothing; a write of exactly `maxValueBytes` succeeds.
 * - An optional operation whose capability is not declared throws NotSupportedError.
 * - Stores that share an account with others tag what they create and treat anything whose tags
 *   do not match as absent (SecretNotFoundError): they never read or clobber what is not theirs.
 * - Errors never contain secret values.
 */

import type { Logger } from "./logger.js";
import type { SecretId, SecretValues } from "./model.js";

export interface StoreCapabilities {
  /** Which operations the store allows at all; a read-only store rejects writes and vice versa. */
  readonly access: "read-write" | "read-only" | "write-only";
  /** The largest accepted secret, in bytes of its JSON encoding (see serializedSize). */
  readonly maxValueBytes: number;
  /** How many ids one backend call of getMany covers; 1 means no native batch read. */
  readonly batchGetMax: number;
  /**
   * Previous values stay readable by revision: getRevision and currentRevision work. A store keeps
   * the newest `maxVersions` revisions (an option of each store, DEFAULT_MAX_VERSIONS unless set);
   * an older one, or any revision of a deleted secret, is SecretNotFoundError.
   */
  readonly versions: boolean;
  /** update accepts `expectedRevision` and refuses a stale one (VersionConflictError). */
  readonly cas: boolean;
  /** delete is recoverable: restore brings the values back. */
  readonly softDelete: boolean;
}

/** How many revisions (the current one included) a store with `versions` keeps by default. */
export const DEFAULT_MAX_VERSIONS = 10;

export interface UpdateOptions {
  /** Check-and-set (capability `cas`): the update applies only if this is the current revision. */
  expectedRevision?: number;
}

export type HealthStatus = "ready" | "error" | "unknown";

export interface HealthReport {
  status: HealthStatus;
  /** How long the check took. */
  latencyMs: number;
  /** A short, value-free description: the endpoint checked, or what went wrong and the fix. */
  message?: string;
  /** The typed error code behind an "error" status. */
  errorCode?: string;
}

export interface SecretsStore {
  /** The registered store type, e.g. "sql" or "aws". */
  readonly type: string;
  capabilities(): StoreCapabilities;
  /** Connects and verifies access. Called once before any other operation. */
  init(): Promise<void>;
  create(id: SecretId, values: SecretValues): Promise<void>;
  get(id: SecretId): Promise<SecretValues>;
  /**
   * Reads many secrets. Ids that do not exist are absent from the result; the map iterates in the
   * order of `ids`. Any number of ids is accepted (the store splits them into batchGetMax calls),
   * and an empty list makes no backend call.
   */
  getMany(ids: readonly SecretId[]): Promise<Map<SecretId, SecretValues>>;
  update(id: SecretId, values: SecretValues, options?: UpdateOptions): Promise<void>;
  delete(id: SecretId): Promise<void>;
  /** Never throws: a failed check is reported as status "error". */
  health(): Promise<HealthReport>;
  /** Releases connections. Safe to call more than once. */
  close(): Promise<void>;

  /** Capability `versions` or `cas`: the current revision (1 after create, +1 per update). */
  currentRevision(id: SecretId): Promise<number>;
  /** Capability `versions`: the values as they were at `revision`. */
  getRevision(id: SecretId, revision: number): Promise<SecretValues>;
  /** Capability `softDelete`: brings back a deleted secret's values. */
  restore(id: SecretId): Promise<void>;
}

/** What the registry hands a store factory besides its own options. */
export interface StoreContext {
  /**
   * Identifies this Coffer deployment. Stores tag what they create with it and ignore what carries
   * another deployment's tag, so several deployments can share one cloud account.
   */
  deploymentId: string;
  /** A directory the store may keep files in (keys, local state). */
  dataDir: string;
  /** The metadata database's URL; the sql store keeps values there unless told otherwise. */
  databaseUrl: string;
  logger: Logger;
}
