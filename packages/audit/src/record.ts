/**
 * An audit record: who did what to which secret, from where, and how it ended. Never a value: the
 * target names a secret by id, name and version, and of a reference document only the secret names
 * it touched. Records are built from AuditEvents by the trail (trail.ts), which adds the sequence
 * number and the chain fields (chain.ts).
 */
import type { AuditAction } from "./actions.js";

export type OriginKind = "cli-local" | "sdk" | "server";

export interface AuditActor {
  /** The user id (`user:…` on a server; the local user's id for the CLI). */
  id: string;
  /** The user's name when known. */
  name?: string;
  /** The token the request came with (its id, never the token). */
  tokenId?: string;
}

export interface AuditOrigin {
  kind: OriginKind;
  /** The client's address (servers only). */
  address?: string;
  userAgent?: string;
}

export interface AuditTarget {
  secretId?: string;
  name?: string;
  version?: number;
  /** Secrets a reference document touched, by name (no keys, no values). */
  names?: string[];
  /** For identity actions: the user or token acted on. */
  user?: string;
  token?: string;
  /** For a role change: the new role. */
  role?: string;
  /** For a rename: the new name; for a visibility change: the new visibility. */
  newName?: string;
  private?: boolean;
  /** For a refusal by the server: the route (`GET /api/v1/secrets/:name`). */
  route?: string;
  /** For `audit.prune`: the first record retention kept (verify expects the log to start there). */
  keptFrom?: number;
  /**
   * For `deployment.*` actions: how many secrets (values, versions…) the run handled, by what —
   * on the outcome record, counts only.
   */
  counts?: Record<string, number>;
  /** For `deployment.migrate`: the target store, as its type and a hash of its options. */
  store?: string;
  /** For `deployment.restore`: the conflict policy, and whether it was a dry run. */
  onConflict?: string;
  dryRun?: boolean;
  /** For `deployment.backup`: whether older versions were included. */
  withHistory?: boolean;
  /** For `deployment.diff`: what the deployment was compared with (`archive`, `deployment`). */
  against?: string;
}

/** What a caller hands the trail. */
export interface AuditEvent {
  action: AuditAction;
  actor: AuditActor;
  origin?: AuditOrigin;
  target?: AuditTarget;
  /** `ok`, `started` (a write about to be made) or the error code it ended with. */
  outcome: string;
  /**
   * The request was refused: no or a bad token, a role it lacks, or a not-found that hides a
   * private secret someone else owns (which the caller still sees as a 404).
   */
  denied?: boolean;
  requestId?: string;
}

/** A stored record: the event, numbered, timed and chained. */
export interface AuditRecord extends AuditEvent {
  /** 1, 2, 3… without gaps; the chain order. */
  seq: number;
  /** Milliseconds since the epoch. */
  time: number;
  origin: AuditOrigin;
  /** The hash of the record before (base64url SHA-256); "" for the first record ever. */
  prev: string;
  /** This record's hash: over its canonical form including `prev`. */
  hash: string;
  /**
   * On a checkpoint record: `<key id>.<HMAC>` over its seq and hash under the audit key, which
   * proves the whole chain up to here was written by Coffer (whoever edits records cannot make it).
   */
  mac?: string;
}
