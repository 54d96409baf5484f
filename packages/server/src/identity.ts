/**
 * Users and API tokens, kept in the metadata database next to the secrets' metadata.
 *
 * Tokens look like `coffer_<id>_<secret>`: the id names the token (for listing and revoking), the
 * secret is 32 random bytes. Only a SHA-256 hash of the whole token is stored — tokens are long
 * random strings, so a fast hash is enough (a password hash would only slow every request) — and
 * the token itself is shown once, when it is made.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { SecretExistsError, SecretNotFoundError, UnauthenticatedError, ValidationError } from "@coffer/core";
import {
  type Database,
  isUniqueViolation,
  type MigrationStep,
  migrate,
  rethrowDatabaseError,
} from "@coffer/sql";
import type { Kysely } from "kysely";
import { isRole, ROLES, type Role } from "./roles.js";

interface UserRow {
  name: string;
  role: string;
  created_at: number;
}

interface TokenRow {
  id: string;
  user_name: string;
  hash: string;
  description: string;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
}

interface IdentityTables {
  coffer_users: UserRow;
  coffer_tokens: TokenRow;
}

export interface User {
  name: string;
  role: Role;
  createdAt: Date;
}

export interface TokenInfo {
  id: string;
  user: string;
  description: string;
  createdAt: Date;
  expiresAt: Date | null;
  revoked: boolean;
}

export interface IssuedToken extends TokenInfo {
  /** The token itself. Shown once; only its hash is kept. */
  token: string;
}

export interface Caller {
  user: string;
  role: Role;
  tokenId: string;
}

const migrations: Record<string, MigrationStep> = {
  async "0001_identity"(db, t) {
    await db.schema
      .createTable("coffer_users")
      .addColumn("name", t.key, (c) => c.primaryKey())
      .addColumn("role", t.key, (c) => c.notNull())
      .addColumn("created_at", t.timestamp, (c) => c.notNull())
      .execute();
    await db.schema
      .createTable("coffer_tokens")
      .addColumn("id", t.key, (c) => c.primaryKey())
      .addColumn("user_name", t.key, (c) => c.notNull())
      .addColumn("hash", t.key, (c) => c.notNull().unique())
      .addColumn("description", t.name, (c) => c.notNull())
      .addColumn("created_at", t.timestamp, (c) => c.notNull())
      .addColumn("expires_at", t.timestamp)
      .addColumn("revoked_at", t.timestamp)
      .execute();
    await db.schema.createIndex("coffer_tokens_user").on("coffer_tokens").columns(["user_name"]).execute();
  },
};

const USER_NAME = /^[a-z0-9][a-z0-9._@-]{0,63}$/;
const TOKEN_FORMAT = /^coffer_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;
/** How long a verified token is trusted without asking the database again. */
const CACHE_MS = 5_000;

export class IdentityStore {
  readonly #db: Kysely<IdentityTables>;
  readonly #cache = new Map<string, { caller: Caller; until: number; expiresAt: number | null }>();

  private constructor(
    private readonly database: Database,
    private readonly clock: () => number,
  ) {
    this.#db = database.db as Kysely<IdentityTables>;
  }

  static async open(database: Database, clock: () => number = Date.now): Promise<IdentityStore> {
    await migrate(database, "coffer_server_migrations", migrations);
    return new IdentityStore(database, clock);
  }

  /**
   * On the first start (no users yet) creates the admin user and a token for it: the configured
   * one, or a new one that is returned so the caller can print it once.
   */
  async bootstrap(adminName: string, configuredToken?: string): Promise<IssuedToken | undefined> {
    const anyUser = await this.#run((db) =>
      db.selectFrom("coffer_users").select("name").limit(1).executeTakeFirst(),
    );
    if (anyUser) return undefined;
    await this.createUser(adminName, "admin").catch((error) => {
      if (!(error instanceof SecretExistsError)) throw error; // another replica won the race
    });
    if (configuredToken !== undefined) {
      await this.#storeToken(adminName, configuredToken, "bootstrap token (from configuration)", null);
      return undefined;
    }
    return this.issueToken(adminName, { description: "bootstrap token" });
  }

  async createUser(name: string, role: Role): Promise<User> {
    validateUserName(name);
    validateRole(role);
    const now = this.clock();
    try {
      await this.#run((db) =>
        db.insertInto("coffer_users").values({ name, role, created_at: now }).execute(),
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
    return { name, role, createdAt: new Date(now) };
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

  async setRole(name: string, role: Role): Promise<User> {
    validateRole(role);
    const result = await this.#run((db) =>
      db.updateTable("coffer_users").set({ role }).where("name", "=", name).executeTakeFirst(),
    );
    if (Number(result.numUpdatedRows) !== 1) throw noSuchUser(name);
    this.#cache.clear();
    return this.getUser(name);
  }

  /** Deletes a user and revokes all their tokens. Their secrets stay (public ones remain useful). */
  async deleteUser(name: string): Promise<void> {
    const now = this.clock();
    await this.#run((db) =>
      db.transaction().execute(async (trx) => {
        const removed = await trx.deleteFrom("coffer_users").where("name", "=", name).executeTakeFirst();
        if (Number(removed.numDeletedRows) !== 1) throw noSuchUser(name);
        await trx
          .updateTable("coffer_tokens")
          .set({ revoked_at: now })
          .where("user_name", "=", name)
          .execute();
      }),
    );
    this.#cache.clear();
  }

  async issueToken(
    user: string,
    options: { description?: string; expiresInDays?: number } = {},
  ): Promise<IssuedToken> {
    await this.getUser(user);
    const id = randomBytes(9)
      .toString("base64url")
      .toLowerCase()
      .replace(/[^a-z0-9]/g, "0")
      .slice(0, 12);
    const token = `coffer_${id}_${randomBytes(32).toString("base64url")}`;
    const expiresIn = options.expiresInDays;
    if (expiresIn !== undefined && (!Number.isFinite(expiresIn) || expiresIn <= 0 || expiresIn > 3650)) {
      throw new ValidationError(`A token cannot expire in ${expiresIn} days.`, {
        hint: "Give 1 to 3650 days, or no expiry.",
        details: { field: "expiresInDays" },
      });
    }
    const expiresAt = expiresIn === undefined ? null : this.clock() + expiresIn * 86_400_000;
    const info = await this.#storeToken(user, token, options.description ?? "", expiresAt);
    return { ...info, token };
  }

  async listTokens(user?: string): Promise<TokenInfo[]> {
    const rows = await this.#run((db) => {
      let query = db.selectFrom("coffer_tokens").selectAll().orderBy("created_at");
      if (user !== undefined) query = query.where("user_name", "=", user);
      return query.execute();
    });
    return rows.map(toTokenInfo);
  }

  /** Revokes a token. A non-admin may only revoke their own. */
  async revokeToken(id: string, caller: Caller): Promise<void> {
    const row = await this.#run((db) =>
      db.selectFrom("coffer_tokens").selectAll().where("id", "=", id).executeTakeFirst(),
    );
    if (!row || (row.user_name !== caller.user && caller.role !== "admin")) {
      throw new SecretNotFoundError(`No token with id '${id}'.`, {
        hint: "`coffer token list` shows your tokens.",
        details: { token: id },
      });
    }
    await this.#run((db) =>
      db.updateTable("coffer_tokens").set({ revoked_at: this.clock() }).where("id", "=", id).execute(),
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
    const now = this.clock();
    const cached = this.#cache.get(hash);
    if (cached && cached.until > now && (cached.expiresAt === null || cached.expiresAt > now))
      return cached.caller;
    if (!TOKEN_FORMAT.test(token)) throw badToken();
    const row = await this.#run((db) =>
      db
        .selectFrom("coffer_tokens")
        .innerJoin("coffer_users", "coffer_users.name", "coffer_tokens.user_name")
        .select([
          "coffer_tokens.id",
          "coffer_tokens.hash",
          "coffer_tokens.expires_at",
          "coffer_tokens.revoked_at",
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
        hint: "Ask an admin for a new token (coffer token create).",
      });
    }
    if (!isRole(row.role)) throw badToken();
    const caller: Caller = { user: row.name, role: row.role, tokenId: row.id };
    if (this.#cache.size > 10_000) this.#cache.clear();
    this.#cache.set(hash, { caller, until: now + CACHE_MS, expiresAt });
    return caller;
  }

  async #storeToken(
    user: string,
    token: string,
    description: string,
    expiresAt: number | null,
  ): Promise<TokenInfo> {
    const match = TOKEN_FORMAT.exec(token);
    if (!match) {
      throw new ValidationError("The configured bootstrap token is not a Coffer token.", {
        hint: "Use a token of the form coffer_<12 lowercase letters or digits>_<43 base64url characters>, or leave it unset to have one made.",
        details: { variable: "COFFER_SERVER_BOOTSTRAP_TOKEN" },
      });
    }
    const row: TokenRow = {
      id: match[1]!,
      user_name: user,
      hash: hashToken(token),
      description: description.slice(0, 255),
      created_at: this.clock(),
      expires_at: expiresAt,
      revoked_at: null,
    };
    await this.#run((db) => db.insertInto("coffer_tokens").values(row).execute());
    return toTokenInfo(row);
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

function toUser(row: UserRow): User {
  return {
    name: row.name,
    role: isRole(row.role) ? row.role : "reader",
    createdAt: new Date(Number(row.created_at)),
  };
}

function toTokenInfo(row: TokenRow): TokenInfo {
  return {
    id: row.id,
    user: row.user_name,
    description: row.description,
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
