/**
 * Users: an immutable id (what the service records as owner), a unique name and a role. Deleting a
 * user revokes their tokens; a new user of the same name gets a new id and none of the old one's
 * private secrets.
 */
import { SecretExistsError, SecretNotFoundError, ValidationError } from "@coffer/core";
import { isUniqueViolation } from "@coffer/sql";
import { newUserId, type UserRow } from "../identity-schema.js";
import { USER_NAME } from "../input/fields.js";
import { isRole, ROLES, type Role } from "../roles.js";
import type { IdentityContext } from "./context.js";
import type { User } from "./types.js";

export async function createUser(ctx: IdentityContext, name: string, role: Role): Promise<User> {
  validateUserName(name);
  validateRole(role);
  const now = ctx.clock();
  const id = newUserId();
  try {
    await ctx.run((db) =>
      db.insertInto("coffer_users").values({ id, name, role, created_at: now }).execute(),
    );
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new SecretExistsError(`A user named '${name}' already exists.`, {
        hint: "Choose another name, or change that user's role.",
        details: { user: name },
      });
    }
    throw error;
  }
  return { id, name, role, createdAt: new Date(now) };
}

export async function listUsers(ctx: IdentityContext): Promise<User[]> {
  const rows = await ctx.run((db) => db.selectFrom("coffer_users").selectAll().orderBy("name").execute());
  return rows.map(toUser);
}

export async function getUser(ctx: IdentityContext, name: string): Promise<User> {
  const row = await ctx.run((db) =>
    db.selectFrom("coffer_users").selectAll().where("name", "=", name).executeTakeFirst(),
  );
  if (!row) throw noSuchUser(name);
  return toUser(row);
}

/** The current user's id for a name, or undefined when no user has that name. */
export async function idOf(ctx: IdentityContext, name: string): Promise<string | undefined> {
  const row = await ctx.run((db) =>
    db.selectFrom("coffer_users").select("id").where("name", "=", name).executeTakeFirst(),
  );
  return row?.id;
}

/**
 * The names of these user ids (for showing owners). An id with no user (deleted, or an owner
 * from local mode) is absent from the map. Cached like tokens, since every reply asks.
 */
export async function namesOf(ctx: IdentityContext, ids: Iterable<string>): Promise<Map<string, string>> {
  const now = ctx.clock();
  const result = new Map<string, string>();
  const missing: string[] = [];
  for (const id of new Set(ids)) {
    const cached = ctx.names.get(id);
    if (cached && cached.until > now) {
      if (cached.name !== undefined) result.set(id, cached.name);
    } else missing.push(id);
  }
  if (missing.length > 0) {
    const rows = await ctx.run((db) =>
      db.selectFrom("coffer_users").select(["id", "name"]).where("id", "in", missing).execute(),
    );
    const found = new Map(rows.map((row) => [row.id, row.name]));
    if (ctx.names.size > 10_000) ctx.names.clear();
    for (const id of missing) {
      const name = found.get(id);
      if (name !== undefined) result.set(id, name);
      if (ctx.cacheMs > 0) ctx.names.set(id, { name, until: now + ctx.cacheMs });
    }
  }
  return result;
}

export async function setRole(ctx: IdentityContext, name: string, role: Role): Promise<User> {
  validateRole(role);
  const result = await ctx.run((db) =>
    db.updateTable("coffer_users").set({ role }).where("name", "=", name).executeTakeFirst(),
  );
  if (Number(result.numUpdatedRows) !== 1) throw noSuchUser(name);
  ctx.callers.clear();
  return getUser(ctx, name);
}

/**
 * Deletes a user and revokes all their tokens. Their public secrets stay (and stay useful);
 * their private secrets stay too, but are readable by nobody: a new user of the same name gets
 * a new id.
 */
export async function deleteUser(ctx: IdentityContext, name: string): Promise<void> {
  const now = ctx.clock();
  await ctx.run((db) =>
    db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom("coffer_users")
        .select("id")
        .where("name", "=", name)
        .executeTakeFirst();
      if (!row) throw noSuchUser(name);
      await trx.deleteFrom("coffer_users").where("id", "=", row.id).execute();
      await trx
        .updateTable("coffer_tokens")
        .set({ revoked_at: now })
        .where("user_id", "=", row.id)
        .where("revoked_at", "is", null)
        .execute();
    }),
  );
  ctx.callers.clear();
  ctx.names.clear();
}

function toUser(row: UserRow): User {
  return {
    id: row.id,
    name: row.name,
    role: isRole(row.role) ? row.role : "reader",
    createdAt: new Date(Number(row.created_at)),
  };
}

function validateUserName(name: string): void {
  if (typeof name !== "string" || !USER_NAME.test(name)) {
    throw new ValidationError(`'${String(name).slice(0, 64)}' is not a valid user name.`, {
      hint: "Use 1–64 lowercase letters, digits, dots, dashes, underscores or @, starting with a letter or digit.",
      details: { field: "name" },
    });
  }
}

function validateRole(role: string): void {
  if (!isRole(role)) {
    throw new ValidationError(`'${role}' is not a role.`, {
      hint: `Use one of: ${ROLES.join(", ")}.`,
      details: { field: "role" },
    });
  }
}

function noSuchUser(name: string): SecretNotFoundError {
  return new SecretNotFoundError(`No user named '${name}'.`, {
    hint: "`coffer user list` shows the users.",
    details: { user: name },
  });
}
