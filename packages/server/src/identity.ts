/**
 * Users and API tokens, kept in the metadata database next to the secrets' metadata.
 *
 * Every user has an immutable id (see identity-schema.ts); the service sees only that id, so
 * ownership follows the user, never the name.
 *
 * Tokens look like `coffer_<id>_<secret>`: the id names the token (for listing and revoking), the
 * secret is 32 random bytes. Only a SHA-256 hash of the whole token is stored — tokens are long
 * random strings, so a fast hash is enough (a password hash would only slow every request) — and
 * the token itself is shown once, when it is made. Every token records who made it.
 *
 * Nobody makes a working token for another user: that would let an admin read anyone's private
 * secrets. An admin may make an *enrollment* token for a user who has never had a token; it is
 * good for one thing only, once, within a day or so: that user making their own token.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import {
  PermissionDeniedError,
  SecretExistsError,
  SecretNotFoundError,
  UnauthenticatedError,
  ValidationError,
} from "@coffer/core";
import { type Database, isUniqueViolation, migrate, rethrowDatabaseError } from "@coffer/sql";
import type { Kysely } from "kysely";
import {
  IDENTITY_MIGRATIONS_TABLE,
  type IdentityTables,
  identityMigrations,
  newUserId,
  type RowSealer,
  type TokenKind,
  type TokenRow,
  type UserRow,
} from "./identity-schema.js";
import { isRole, ROLES, type Role } from "./roles.js";

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
/** Enrollment tokens live for a day unless asked otherwise, and never longer than a week. */
const ENROLLMENT_DEFAULT_DAYS = 1;
const ENROLLMENT_MAX_DAYS = 7;

const USER_NAME = /^[a-z0-9][a-z0-9._@-]{0,63}$/;
const TOKEN_FORMAT = /^coffer_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

export class IdentityStore {
  readonly #db: Kysely<IdentityTables>;
  readonly #clock: () => number;
  readonly #cacheMs: number;
  readonly #cache = new Map<string, { caller: Caller; until: number; expiresAt: number | null }>();
  readonly #names = new Map<string, { name: string | undefined; until: number }>();

  private constructor(
    private readonly database: Database,
    options: IdentityOptions,
  ) {
    this.#db = database.db as Kysely<IdentityTables>;
    this.#clock = options.clock ?? Date.now;
    this.#cacheMs = options.cacheMs ?? DEFAULT_IDENTITY_CACHE_MS;
  }

  static async open(database: Database, options: IdentityOptions = {}): Promise<IdentityStore> {
    await migrate(database, IDENTITY_MIGRATIONS_TABLE, identityMigrations(options.sealer));
    return new IdentityStore(database, options);
  }

  /**
   * The bootstrap admin's token. On the first start (no users yet) creates the admin user and a
   * token for it: the configured one, or a new one that is returned so the caller can print it
   * once. Either expires `ttlMs` after this start. A configured token not seen before is also
   * added on a later start (to rotate it, or to get back in when every admin token is lost).
   */
  async bootstrap(
    adminName: string,
    configuredToken?: string,
    ttlMs: number = 60 * 60_000,
  ): Promise<IssuedToken | undefined> {
    const anyUser = await this.#run((db) =>
      db.selectFrom("coffer_users").select("name").limit(1).executeTakeFirst(),
    );
    if (anyUser && configuredToken === undefined) return undefined;
    if (configuredToken !== undefined) {
      const match = TOKEN_FORMAT.exec(configuredToken);
      if (!match) throw malformedBootstrapToken();
      const known = await this.#run((db) =>
        db
          .selectFrom("coffer_tokens")
          .select("id")
          .where("hash", "=", hashToken(configuredToken))
          .executeTakeFirst(),
      );
      if (known) return undefined; // used before: never brought back to life, even if expired
    }
    const admin = await this.#bootstrapAdmin(adminName);
    const expiresAt = this.#clock() + ttlMs;
    const description = configuredToken ? "bootstrap token (from configuration)" : "bootstrap token";
    const token = configuredToken ?? newToken().token;
    try {
      const info = await this.#storeToken(admin, token, {
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

  async #bootstrapAdmin(name: string): Promise<User> {
    try {
      return await this.createUser(name, "admin");
    } catch (error) {
      if (!(error instanceof SecretExistsError)) throw error; // exists already (or another replica won)
    }
    const user = await this.getUser(name);
    return user.role === "admin" ? user : this.setRole(name, "admin");
  }

  async createUser(name: string, role: Role): Promise<User> {
    validateUserName(name);
    validateRole(role);
    const now = this.#clock();
    const id = newUserId();
    try {
      await this.#run((db) =>
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

  async listUsers(): Promise<User[]> {
    const rows = await this.#run((db) => db.selectFrom("coffer_users").selectAll().orderBy("name").execute());
    return rows.map(toUser);
  }

  async getUser(name: string): Promise<User> {
    const row = await this.#run((db) =>
      db.selectFrom("coffer_users").selectAll().where("name", "=", name).executeTakeFirst(),
    );
    if (!row) throw noSuchUser(name);
    return toUser(row);
  }

  /** The current user's id for a name, or undefined when no user has that name. */
  async idOf(name: string): Promise<string | undefined> {
    const row = await this.#run((db) =>
      db.selectFrom("coffer_users").select("id").where("name", "=", name).executeTakeFirst(),
    );
    return row?.id;
  }

  /**
   * The names of these user ids (for showing owners). An id with no user (deleted, or an owner
   * from local mode) is absent from the map. Cached like tokens, since every reply asks.
   */
  async namesOf(ids: Iterable<string>): Promise<Map<string, string>> {
    const now = this.#clock();
    const result = new Map<string, string>();
    const missing: string[] = [];
    for (const id of new Set(ids)) {
      const cached = this.#names.get(id);
      if (cached && cached.until > now) {
        if (cached.name !== undefined) result.set(id, cached.name);
      } else missing.push(id);
    }
    if (missing.length > 0) {
      const rows = await this.#run((db) =>
        db.selectFrom("coffer_users").select(["id", "name"]).where("id", "in", missing).execute(),
      );
      const found = new Map(rows.map((row) => [row.id, row.name]));
      if (this.#names.size > 10_000) this.#names.clear();
      for (const id of missing) {
        const name = found.get(id);
        if (name !== undefined) result.set(id, name);
        if (this.#cacheMs > 0) this.#names.set(id, { name, until: now + this.#cacheMs });
      }
    }
    return result;
  }

  async setRole(name: string, role: Role): Promise<User> {
    validateRole(role);
    const result = await this.#run((db) =>
      db.updateTable("coffer_users").set({ role }).where("name", "=", name).executeTakeFirst(),
    );
    if (Number(result.numUpdatedRows) !== 1) throw noSuchUser(name);
    this.#cache.clear();
    return this.getUser(name);
  }

  /**
   * Deletes a user and revokes all their tokens. Their public secrets stay (and stay useful);
   * their private secrets stay too, but are readable by nobody: a new user of the same name gets
   * a new id.
   */
  async deleteUser(name: string): Promise<void> {
    const now = this.#clock();
    await this.#run((db) =>
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
    this.#cache.clear();
    this.#names.clear();
  }

  /**
   * Makes a working token for `user`. This is the operator's call (and the one behind a user's
   * own `POST /api/v1/tokens`); the API never lets one user make another's working token.
   */
  async issueToken(
    user: string,
    options: { description?: string; expiresInDays?: number; createdBy?: Caller | null } = {},
  ): Promise<IssuedToken> {
    const owner = await this.getUser(user);
    const expiresAt = this.#expiry(options.expiresInDays, 3650);
    const { token } = newToken();
    const info = await this.#storeToken(owner, token, {
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
  async createTokenFor(
    caller: Caller,
    target: string,
    options: { description?: string; expiresInDays?: number },
  ): Promise<IssuedToken> {
    if (target === caller.user) {
      if (caller.enrollment) await this.#useUpEnrollment(caller);
      return this.issueToken(target, { ...options, createdBy: caller });
    }
    if (caller.enrollment || caller.role !== "admin") {
      throw new PermissionDeniedError(`User '${caller.user}' may not create tokens for '${target}'.`, {
        hint: "Everyone makes their own tokens; an admin can only give a new user an enrollment token.",
        details: { user: caller.user, target },
      });
    }
    const user = await this.getUser(target);
    const enrolled = await this.#run((db) =>
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
    const info = await this.#storeToken(user, token, {
      description: options.description ?? "enrollment token",
      expiresAt: this.#expiry(options.expiresInDays ?? ENROLLMENT_DEFAULT_DAYS, ENROLLMENT_MAX_DAYS),
      kind: "enrollment",
      createdBy: caller.userId,
    });
    return { ...info, token };
  }

  /** Marks the caller's enrollment token used, exactly once even under concurrent requests. */
  async #useUpEnrollment(caller: Caller): Promise<void> {
    const now = this.#clock();
    const used = await this.#run((db) =>
      db
        .updateTable("coffer_tokens")
        .set({ revoked_at: now })
        .where("id", "=", caller.tokenId)
        .where("kind", "=", "enrollment")
        .where("revoked_at", "is", null)
        .executeTakeFirst(),
    );
    this.#cache.clear();
    if (Number(used.numUpdatedRows) !== 1) throw badToken();
    // Any other outstanding enrollment token for this user is now pointless: retire it.
    await this.#run((db) =>
      db
        .updateTable("coffer_tokens")
        .set({ revoked_at: now })
        .where("user_id", "=", caller.userId)
        .where("kind", "=", "enrollment")
        .where("revoked_at", "is", null)
        .execute(),
    );
  }

  async listTokens(userId?: string): Promise<TokenInfo[]> {
    const rows = await this.#run((db) => {
      let query = db.selectFrom("coffer_tokens").selectAll().orderBy("created_at").orderBy("id");
      if (userId !== undefined) query = query.where("user_id", "=", userId);
      return query.execute();
    });
    const names = await this.namesOf(
      rows
        .flatMap((row) => [row.user_id, row.created_by])
        .filter((id): id is string => typeof id === "string"),
    );
    return rows.map((row) => toTokenInfo(row, names));
  }

  /** Revokes a token. A non-admin may only revoke their own. */
  async revokeToken(id: string, caller: Caller): Promise<void> {
    const row = await this.#run((db) =>
      db.selectFrom("coffer_tokens").selectAll().where("id", "=", id).executeTakeFirst(),
    );
    if (!row || (row.user_id !== caller.userId && caller.role !== "admin")) {
      throw new SecretNotFoundError(`No token with id '${id}'.`, {
        hint: "`coffer token list` shows your tokens.",
        details: { token: id },
      });
    }
    await this.#run((db) =>
      db.updateTable("coffer_tokens").set({ revoked_at: this.#clock() }).where("id", "=", id).execute(),
    );
    this.#cache.clear();
  }

  /** Who holds this token? UnauthenticatedError for a missing, unknown, revoked or expired one. */
  async authenticate(token: string | undefined): Promise<Caller> {
    if (!token) {
      throw new UnauthenticatedError("No API token was given.", {
        hint: "Send 'Authorization: Bearer <token>' (coffer login stores one for the CLI).",
      });
    }
    const hash = hashToken(token);
    const now = this.#clock();
    const cached = this.#cache.get(hash);
    if (cached && cached.until > now && (cached.expiresAt === null || cached.expiresAt > now))
      return cached.caller;
    if (!TOKEN_FORMAT.test(token)) throw badToken();
    const row = await this.#run((db) =>
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
    if (this.#cacheMs > 0) {
      if (this.#cache.size > 10_000) this.#cache.clear();
      this.#cache.set(hash, { caller, until: now + this.#cacheMs, expiresAt });
    }
    return caller;
  }

  #expiry(days: number | undefined, maxDays: number): number | null {
    if (days === undefined) return null;
    if (!Number.isFinite(days) || days <= 0 || days > maxDays) {
      throw new ValidationError(`A token cannot expire in ${days} days.`, {
        hint: `Give 1 to ${maxDays} days${maxDays === ENROLLMENT_MAX_DAYS ? " for an enrollment token" : ", or no expiry"}.`,
        details: { field: "expiresInDays" },
      });
    }
    return this.#clock() + days * 86_400_000;
  }

  async #storeToken(
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
      created_at: this.#clock(),
      expires_at: options.expiresAt,
      revoked_at: null,
    };
    await this.#run((db) => db.insertInto("coffer_tokens").values(row).execute());
    const names = options.createdBy ? await this.namesOf([options.createdBy]) : new Map<string, string>();
    names.set(user.id, user.name);
    return toTokenInfo(row, names);
  }

  async #run<T>(query: (db: Kysely<IdentityTables>) => Promise<T>): Promise<T> {
    try {
      return await query(this.#db);
    } catch (error) {
      rethrowDatabaseError(error, this.database.location);
    }
  }
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

function newToken(): { id: string; token: string } {
  const id = randomBytes(9)
    .toString("base64url")
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "0")
    .slice(0, 12);
  return { id, token: `coffer_${id}_${randomBytes(32).toString("base64url")}` };
}

function toUser(row: UserRow): User {
  return {
    id: row.id,
    name: row.name,
    role: isRole(row.role) ? row.role : "reader",
    createdAt: new Date(Number(row.created_at)),
  };
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

function badToken(): UnauthenticatedError {
  return new UnauthenticatedError("The API token is not valid (unknown or revoked).", {
    hint: "Check COFFER_TOKEN or run `coffer login` again with a current token.",
  });
}

function malformedBootstrapToken(): ValidationError {
  return new ValidationError("The configured bootstrap token is not a Coffer token.", {
    hint: "Use a token of the form coffer_<12 lowercase letters or digits>_<43 base64url characters>, or leave it unset to have one made.",
    details: { variable: "COFFER_SERVER_BOOTSTRAP_TOKEN" },
  });
}
