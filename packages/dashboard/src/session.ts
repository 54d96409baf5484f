/**
 * Signing in and out. The token a person pastes is used once: to learn who it belongs to and to
 * make a short-lived session token (one day) for this tab. The session token lives in memory only
 * (the Api object), so closing or reloading the tab forgets it; signing out revokes it, which is
 * undoing exactly what signing in made — the pasted token keeps working for the CLI.
 */
import { Api, ApiError, type Me } from "./api.js";

export interface Session {
  api: Api;
  me: Me;
}

export const SESSION_DESCRIPTION = "dashboard session";

export async function signIn(pastedToken: string): Promise<Session> {
  const token = pastedToken.trim();
  if (!token)
    throw new ApiError(0, "VALIDATION", "Enter an API token.", "Make one with `coffer token create`.");
  const pasted = new Api(token);
  const me = await pasted.me();
  if (me.enrollment) {
    throw new ApiError(
      0,
      "ENROLLMENT_TOKEN",
      "This is an enrollment token: it can only make your own API token, once.",
      "Run `coffer login` with it to get your token, then sign in with that token.",
    );
  }
  const made = await pasted.createToken({ description: SESSION_DESCRIPTION, expiresInDays: 1 });
  if (!made.token) throw new ApiError(0, "INTERNAL", "The server made no session token.");
  return { api: new Api(made.token), me };
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
