/**
 * Signing in and out. The token a person pastes is used once: to learn who it belongs to and to
 * make a short-lived session token (one day) for this tab. The session token lives in memory only
 * (the Api object), so closing or reloading the tab forgets it; signing out revokes it, which is
 * undoing exactly what signing in made — the pasted token keeps working for the CLI.
 *
 * An enrollment token (an admin made it for a new user, `coffer token create --user …`) can only
 * make that user's own API token, once: signing in with one makes it and hands it back to be
 * shown once; the user keeps it, and signing in continues with it.
 */
import { Api, ApiError, type Me } from "./api.js";

export interface Session {
  api: Api;
  me: Me;
}

export const SESSION_DESCRIPTION = "dashboard session";
export const ENROLLED_DESCRIPTION = "made in the dashboard from an enrollment token";

/** What signing in gave: a session, or (from an enrollment token) the user's own new API token. */
export type SignInResult = { session: Session } | { enrolled: { user: string; token: string } };

export async function signIn(pastedToken: string): Promise<SignInResult> {
  const token = pastedToken.trim();
  if (!token) {
    throw new ApiError(0, "VALIDATION", "Enter an API token.", "Make one with `coffer token create`.");
  }
  const pasted = new Api(token);
  const me = await pasted.me();
  if (me.enrollment) {
    // An admin's enrollment token for a new user: it makes that user's own API token, once. The
    // page shows it once, then signs in with it.
    const own = await pasted.createToken({ description: ENROLLED_DESCRIPTION });
    if (!own.token) throw new ApiError(0, "INTERNAL", "The server made no token.");
    return { enrolled: { user: me.user, token: own.token } };
  }
  const made = await pasted.createToken({ description: SESSION_DESCRIPTION, expiresInDays: 1 });
  if (!made.token) throw new ApiError(0, "INTERNAL", "The server made no session token.");
  return { session: { api: new Api(made.token), me } };
}

export async function signOut(session: Session): Promise<void> {
  try {
    await session.api.revokeOwnToken();
  } catch (error) {
    // Already revoked or expired: the session is over either way.
    if (!(error instanceof ApiError && error.status === 401)) throw error;
  }
}

/** May this user read the values of this secret? (value-reader and up, or its owner) */
export function canReadValues(me: Me, ownerId: string): boolean {
  return me.role === "value-reader" || me.role === "writer" || me.role === "admin" || me.userId === ownerId;
}

export function canWrite(me: Me): boolean {
  return me.role === "writer" || me.role === "admin";
}
