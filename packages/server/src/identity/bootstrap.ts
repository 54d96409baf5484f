/**
 * The first admin: on the first start the server creates the admin user and a token for it (the
 * configured one, or a new one printed once); a configured token not seen before is also added on
 * a later start, to rotate it or to get back in.
 */
import { SecretExistsError } from "@coffer/core";
import { isUniqueViolation } from "@coffer/sql";
import type { IdentityContext } from "./context.js";
import { hashToken, malformedBootstrapToken, newToken, storeToken, TOKEN_FORMAT } from "./tokens.js";
import type { IssuedToken, User } from "./types.js";
import { createUser, getUser, setRole } from "./users.js";

/**
 * The bootstrap admin's token. On the first start (no users yet) creates the admin user and a
 * token for it: the configured one, or a new one that is returned so the caller can print it
 * once. Either expires `ttlMs` after this start. A configured token not seen before is also
 * added on a later start (to rotate it, or to get back in when every admin token is lost).
 */
export async function bootstrap(
  ctx: IdentityContext,
  adminName: string,
  configuredToken?: string,
  ttlMs: number = 60 * 60_000,
): Promise<IssuedToken | undefined> {
  const anyUser = await ctx.run((db) =>
    db.selectFrom("coffer_users").select("name").limit(1).executeTakeFirst(),
  );
  if (anyUser && configuredToken === undefined) return undefined;
  if (configuredToken !== undefined) {
    const match = TOKEN_FORMAT.exec(configuredToken);
    if (!match) throw malformedBootstrapToken();
    const known = await ctx.run((db) =>
      db
        .selectFrom("coffer_tokens")
        .select("id")
        .where("hash", "=", hashToken(configuredToken))
        .executeTakeFirst(),
    );
    if (known) return undefined; // used before: never brought back to life, even if expired
  }
  const admin = await bootstrapAdmin(ctx, adminName);
  const expiresAt = ctx.clock() + ttlMs;
  const description = configuredToken ? "bootstrap token (from configuration)" : "bootstrap token";
  const token = configuredToken ?? newToken().token;
  try {
    const info = await storeToken(ctx, admin, token, {
      description,
      expiresAt,
      kind: "api",
      createdBy: null,
    });
    return configuredToken ? undefined : { ...info, token };
  } catch (error) {
    if (configuredToken && isUniqueViolation(error)) return undefined; // another replica stored it
    throw error;
  }
}

async function bootstrapAdmin(ctx: IdentityContext, name: string): Promise<User> {
  try {
    return await createUser(ctx, name, "admin");
  } catch (error) {
    if (!(error instanceof SecretExistsError)) throw error; // exists already (or another replica won)
  }
  const user = await getUser(ctx, name);
  return user.role === "admin" ? user : setRole(ctx, name, "admin");
}
