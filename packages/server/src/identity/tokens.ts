/**
 * API tokens: `coffer_<id>_<secret>`, the id names the token (for listing and revoking), the secret
 * is 32 random bytes. Only a SHA-256 hash of the whole token is stored — tokens are long random
 * strings, so a fast hash is enough (a password hash would only slow every request) — and the
 * token itself is shown once, when it is made. Every token records who made it.
 *
 * Nobody makes a working token for another user: that would let an admin read anyone's private
 * secrets. An admin may make an *enrollment* token for a user who has never had a token; it is
 * good for one thing only, once, within a day or so: that user making their own token.
 */
import { createHash, randomBytes } from "node:crypto";
import {
  PermissionDeniedError,
  SecretNotFoundError,
  UnauthenticatedError,
  ValidationError,
} from "@coffer/core";
import type { TokenKind, TokenRow } from "../identity-schema.js";
import type { IdentityContext } from "./context.js";
import type { Caller, IssuedToken, TokenInfo, User } from "./types.js";
import { getUser, namesOf } from "./users.js";

/** Enrollment tokens live for a day unless asked otherwise, and never longer than a week. */
const ENROLLMENT_DEFAULT_DAYS = 1;
const ENROLLMENT_MAX_DAYS = 7;

export const TOKEN_FORMAT = /^coffer_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

/**
 * Makes a working token for `user`. This is the operator's call (and the one behind a user's
 * own `POST /api/v1/tokens`); the API never lets one user make another's working token.
 */
export async function issueToken(
  ctx: IdentityContext,
  user: string,
  options: { description?: string; expiresInDays?: number; createdBy?: Caller | null } = {},
): Promise<IssuedToken> {
  const owner = await getUser(ctx, user);
  const expiresAt = expiry(ctx, options.expiresInDays, 3650);
  const { token } = newToken();
  const info = await storeToken(ctx, owner, token, {
    description: options.description ?? "",
    expiresAt,
    kind: "api",
    createdBy: options.createdBy?.userId ?? null,
  });
  return { ...info, token };
}

/**
 * What `POST /api/v1/tokens` does for `caller`: their own working token; with an enrollment
 * token, their own working token once (the enrollment token is used up); for another user, an
 * enrollment token (admins only, and only for a user who has never had a working token).
 */
export async function createTokenFor(
  ctx: IdentityContext,
  caller: Caller,
  target: string,
  options: { description?: string; expiresInDays?: number },
): Promise<IssuedToken> {
  if (target === caller.user) {
    if (caller.enrollment) await useUpEnrollment(ctx, caller);
    return issueToken(ctx, target, { ...options, createdBy: caller });
  }
  if (caller.enrollment || caller.role !== "admin") {
    throw new PermissionDeniedError(`User '${caller.user}' may not create tokens for '${target}'.`, {
      hint: "Everyone makes their own tokens; an admin can only give a new user an enrollment token.",
      details: { user: caller.user, target },
    });
  }
  const user = await getUser(ctx, target);
  const enrolled = await ctx.run((db) =>
    db
      .selectFrom("coffer_tokens")
      .select("id")
      .where("user_id", "=", user.id)
      .where("kind", "=", "api")
      .limit(1)
      .executeTakeFirst(),
  );
  if (enrolled) {
    throw new PermissionDeniedError(
      `'${target}' already has tokens; only they can make more (a private secret exists only for its owner, whatever the role).`,
      {
        hint: `Ask ${target} to run \`coffer token create\`. If every one of their tokens is lost, delete the user and create it again: the new user starts without the old one's private secrets.`,
        details: { user: caller.user, target },
      },
    );
  }
  const { token } = newToken();
  const info = await storeToken(ctx, user, token, {
    description: options.description ?? "enrollment token",
    expiresAt: expiry(ctx, options.expiresInDays ?? ENROLLMENT_DEFAULT_DAYS, ENROLLMENT_MAX_DAYS),
    kind: "enrollment",
    createdBy: caller.userId,
  });
  return { ...info, token };
}

/** Marks the caller's enrollment token used, exactly once even under concurrent requests. */
async function useUpEnrollment(ctx: IdentityContext, caller: Caller): Promise<void> {
  const now = ctx.clock();
  const used = await ctx.run((db) =>
    db
      .updateTable("coffer_tokens")
      .set({ revoked_at: now })
      .where("id", "=", caller.tokenId)
      .where("kind", "=", "enrollment")
      .where("revoked_at", "is", null)
      .executeTakeFirst(),
  );
  ctx.callers.clear();
  if (Number(used.numUpdatedRows) !== 1) throw badToken();
  // Any other outstanding enrollment token for this user is now pointless: retire it.
  await ctx.run((db) =>
    db
      .updateTable("coffer_tokens")
      .set({ revoked_at: now })
      .where("user_id", "=", caller.userId)
      .where("kind", "=", "enrollment")
      .where("revoked_at", "is", null)
      .execute(),
  );
}

export async function listTokens(ctx: IdentityContext, userId?: string): Promise<TokenInfo[]> {
  const rows = await ctx.run((db) => {
    let query = db.selectFrom("coffer_tokens").selectAll().orderBy("created_at").orderBy("id");
    if (userId !== undefined) query = query.where("user_id", "=", userId);
    return query.execute();
  });
  const names = await namesOf(
    ctx,
    rows.flatMap((row) => [row.user_id, row.created_by]).filter((id): id is string => typeof id === "string"),
  );
  return rows.map((row) => toTokenInfo(row, names));
}

/** Revokes a token. A non-admin may only revoke their own. */
export async function revokeToken(ctx: IdentityContext, id: string, caller: Caller): Promise<void> {
  const row = await ctx.run((db) =>
    db.selectFrom("coffer_tokens").selectAll().where("id", "=", id).executeTakeFirst(),
  );
  if (!row || (row.user_id !== caller.userId && caller.role !== "admin")) {
    throw new SecretNotFoundError(`No token with id '${id}'.`, {
      hint: "`coffer token list` shows your tokens.",
      details: { token: id },
    });
  }
  await ctx.run((db) =>
    db.updateTable("coffer_tokens").set({ revoked_at: ctx.clock() }).where("id", "=", id).execute(),
  );
  ctx.callers.clear();
}

function expiry(ctx: IdentityContext, days: number | undefined, maxDays: number): number | null {
  if (days === undefined) return null;
  if (!Number.isFinite(days) || days <= 0 || days > maxDays) {
    throw new ValidationError(`A token cannot expire in ${days} days.`, {
      hint: `Give 1 to ${maxDays} days${maxDays === ENROLLMENT_MAX_DAYS ? " for an enrollment token" : ", or no expiry"}.`,
      details: { field: "expiresInDays" },
    });
  }
  return ctx.clock() + days * 86_400_000;
}

export async function storeToken(
  ctx: IdentityContext,
  user: User,
  token: string,
  options: { description: string; expiresAt: number | null; kind: TokenKind; createdBy: string | null },
): Promise<TokenInfo> {
  const match = TOKEN_FORMAT.exec(token);
  if (!match) throw malformedBootstrapToken();
  const row: TokenRow = {
    id: match[1]!,
    user_name: user.name,
    user_id: user.id,
    hash: hashToken(token),
    description: options.description.slice(0, 255),
    kind: options.kind,
    created_by: options.createdBy,
    created_at: ctx.clock(),
    expires_at: options.expiresAt,
    revoked_at: null,
  };
  await ctx.run((db) => db.insertInto("coffer_tokens").values(row).execute());
  const names = options.createdBy ? await namesOf(ctx, [options.createdBy]) : new Map<string, string>();
  names.set(user.id, user.name);
  return toTokenInfo(row, names);
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export function newToken(): { id: string; token: string } {
  const id = randomBytes(9)
    .toString("base64url")
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "0")
    .slice(0, 12);
  return { id, token: `coffer_${id}_${randomBytes(32).toString("base64url")}` };
}

function toTokenInfo(row: TokenRow, names: Map<string, string>): TokenInfo {
  return {
    id: row.id,
    user: names.get(row.user_id) ?? row.user_name,
    userId: row.user_id ?? "",
    kind: row.kind === "enrollment" ? "enrollment" : "api",
    description: row.description,
    createdBy: row.created_by === null ? null : (names.get(row.created_by) ?? row.created_by),
    createdById: row.created_by,
    createdAt: new Date(Number(row.created_at)),
    expiresAt: row.expires_at === null ? null : new Date(Number(row.expires_at)),
    revoked: row.revoked_at !== null,
  };
}

export function badToken(): UnauthenticatedError {
  return new UnauthenticatedError("The API token is not valid (unknown or revoked).", {
    hint: "Check COFFER_TOKEN or run `coffer login` again with a current token.",
  });
}

export function malformedBootstrapToken(): ValidationError {
  return new ValidationError("The configured bootstrap token is not a Coffer token.", {
    hint: "Use a token of the form coffer_<12 lowercase letters or digits>_<43 base64url characters>, or leave it unset to have one made.",
    details: { variable: "COFFER_SERVER_BOOTSTRAP_TOKEN" },
  });
}
