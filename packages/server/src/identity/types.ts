/** The identity records the server hands out: users, tokens, the authenticated caller, and the store's options. */
import type { RowSealer, TokenKind } from "../identity-schema.js";
import type { Role } from "../roles.js";

export interface User {
  /** Immutable; what the service records as the owner of the user's secrets. */
  id: string;
  name: string;
  role: Role;
  createdAt: Date;
}

export interface TokenInfo {
  id: string;
  user: string;
  userId: string;
  kind: TokenKind;
  description: string;
  /** The name of the user who made the token (their id when they were deleted); null: bootstrap or unknown. */
  createdBy: string | null;
  createdById: string | null;
  createdAt: Date;
  expiresAt: Date | null;
  revoked: boolean;
}

export interface IssuedToken extends TokenInfo {
  /** The token itself. Shown once; only its hash is kept. */
  token: string;
}

export interface Caller {
  /** The user's name, for messages. */
  user: string;
  /** The user's immutable id: the actor the service sees. */
  userId: string;
  role: Role;
  tokenId: string;
  /** An enrollment token: it may only make its user's own token (and ask who it belongs to). */
  enrollment?: boolean;
}

export interface IdentityOptions {
  clock?: () => number;
  /**
   * How long a verified token (and a user's name) is trusted without asking the database again.
   * A revocation, user deletion or role change made on another replica takes effect here within
   * this time; on this replica at once. 0 asks the database on every request.
   */
  cacheMs?: number;
  /**
   * The service's metadata sealer: the migration from owner names to user ids re-owns secret rows
   * and must re-seal them. Needed only when the database holds sealed secrets owned by names.
   */
  sealer?: RowSealer;
}

export const DEFAULT_IDENTITY_CACHE_MS = 5_000;
