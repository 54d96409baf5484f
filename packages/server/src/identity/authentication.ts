/**
 * Who holds a token: every request with one asks, so a verified token is cached for `cacheMs`
 * (never past its own expiry). A revocation, user deletion or role change made on another replica
 * takes effect here within that time; on this replica at once (those clear the cache).
 */
import { timingSafeEqual } from "node:crypto";
import { UnauthenticatedError } from "@coffer/core";
import { isRole } from "../roles.js";
import type { IdentityContext } from "./context.js";
import { badToken, hashToken, TOKEN_FORMAT } from "./tokens.js";
import type { Caller } from "./types.js";

/** Who holds this token? UnauthenticatedError for a missing, unknown, revoked or expired one. */
export async function authenticate(ctx: IdentityContext, token: string | undefined): Promise<Caller> {
  if (!token) {
    throw new UnauthenticatedError("No API token was given.", {
      hint: "Send 'Authorization: Bearer <token>' (coffer login stores one for the CLI).",
    });
  }
  const hash = hashToken(token);
  const now = ctx.clock();
  const cached = ctx.callers.get(hash);
  if (cached && cached.until > now && (cached.expiresAt === null || cached.expiresAt > now))
    return cached.caller;
  if (!TOKEN_FORMAT.test(token)) throw badToken();
  const row = await ctx.run((db) =>
    db
      .selectFrom("coffer_tokens")
      .innerJoin("coffer_users", "coffer_users.id", "coffer_tokens.user_id")
      .select([
        "coffer_tokens.id",
        "coffer_tokens.hash",
        "coffer_tokens.kind",
        "coffer_tokens.expires_at",
        "coffer_tokens.revoked_at",
        "coffer_users.id as user_id",
        "coffer_users.name",
        "coffer_users.role",
      ])
      .where("coffer_tokens.hash", "=", hash)
      .executeTakeFirst(),
  );
  if (!row || !timingSafeEqual(Buffer.from(row.hash), Buffer.from(hash)) || row.revoked_at !== null)
    throw badToken();
  const expiresAt = row.expires_at === null ? null : Number(row.expires_at);
  if (expiresAt !== null && expiresAt <= now) {
    throw new UnauthenticatedError("The API token has expired.", {
      hint: "Make a new one with a current token (coffer token create), or ask an admin for an enrollment token.",
    });
  }
  if (!isRole(row.role)) throw badToken();
  const caller: Caller = { user: row.name, userId: row.user_id, role: row.role, tokenId: row.id };
  if (row.kind === "enrollment") caller.enrollment = true;
  if (ctx.cacheMs > 0) {
    if (ctx.callers.size > 10_000) ctx.callers.clear();
    ctx.callers.set(hash, { caller, until: now + ctx.cacheMs, expiresAt });
  }
  return caller;
}
