/**
 * What remote mode is configured with, and the shapes of the server's own resources (the calling
 * user, users, tokens) as its REST API returns them.
 */
import type { CofferError, Logger } from "@coffer/core";

export interface RemoteTransportOptions {
  /** The server's base URL, e.g. https://coffer.internal:8700. */
  url: string;
  token: string;
  /** Where the plain-HTTP warning goes (standard error by default). */
  logger?: Logger;
  /**
   * Send the token over plain http:// to a host that is not this machine (loopback: 127.0.0.0/8,
   * ::1, localhost). Refused by default, with a CleartextTokenError on the first call.
   */
  insecure?: boolean;
  /**
   * A configuration problem found by the caller (e.g. the token is missing), reported on the
   * first call rather than at construction, like a bad URL.
   */
  problem?: CofferError;
}

export interface Me {
  user: string;
  /** The user's immutable id (servers from before user ids do not send it). */
  userId?: string;
  role: string;
  /** The token is an enrollment token: it can only make its user's own token. */
  enrollment?: boolean;
}

export interface RemoteUser {
  id?: string;
  name: string;
  role: string;
  createdAt: string;
}

export interface RemoteToken {
  id: string;
  user: string;
  userId?: string;
  /** "enrollment": good only for its user to make their own token, once. */
  kind?: "api" | "enrollment";
  description: string;
  /** Who made the token (null: the bootstrap token, or made before servers recorded it). */
  createdBy?: string | null;
  createdById?: string | null;
  createdAt: string;
  expiresAt: string | null;
  revoked: boolean;
}
