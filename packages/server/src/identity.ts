/**
 * Users and API tokens, kept in the metadata database next to the secrets' metadata: the
 * IdentityStore the server and the CLI use. Each concern has its file under identity/: users,
 * tokens and enrollment, authentication (with its cache), the bootstrap admin.
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
import type { Database } from "@coffer/sql";
import { migrate } from "@coffer/sql";
import { authenticate } from "./identity/authentication.js";
import { bootstrap } from "./identity/bootstrap.js";
import { IdentityContext } from "./identity/context.js";
import { createTokenFor, issueToken, listTokens, revokeToken } from "./identity/tokens.js";
import {
  type Caller,
  DEFAULT_IDENTITY_CACHE_MS,
  type IdentityOptions,
  type IssuedToken,
  type TokenInfo,
  type User,
} from "./identity/types.js";
import { createUser, deleteUser, getUser, idOf, listUsers, namesOf, setRole } from "./identity/users.js";
import { IDENTITY_MIGRATIONS_TABLE, identityMigrations } from "./identity-schema.js";
import type { Role } from "./roles.js";

export { hashToken } from "./identity/tokens.js";
export {
  type Caller,
  DEFAULT_IDENTITY_CACHE_MS,
  type IdentityOptions,
  type IssuedToken,
  type TokenInfo,
  type User,
} from "./identity/types.js";

export class IdentityStore {
  readonly #ctx: IdentityContext;

  private constructor(database: Database, options: IdentityOptions) {
    this.#ctx = new IdentityContext(
      database,
      options.clock ?? Date.now,
      options.cacheMs ?? DEFAULT_IDENTITY_CACHE_MS,
    );
  }

  static async open(database: Database, options: IdentityOptions = {}): Promise<IdentityStore> {
    await migrate(database, IDENTITY_MIGRATIONS_TABLE, identityMigrations(options.sealer));
    return new IdentityStore(database, options);
  }

  /** See identity/bootstrap.ts. */
  bootstrap(adminName: string, configuredToken?: string, ttlMs?: number): Promise<IssuedToken | undefined> {
    return bootstrap(this.#ctx, adminName, configuredToken, ttlMs);
  }

  createUser(name: string, role: Role): Promise<User> {
    return createUser(this.#ctx, name, role);
  }

  listUsers(): Promise<User[]> {
    return listUsers(this.#ctx);
  }

  getUser(name: string): Promise<User> {
    return getUser(this.#ctx, name);
  }

  /** The current user's id for a name, or undefined when no user has that name. */
  idOf(name: string): Promise<string | undefined> {
    return idOf(this.#ctx, name);
  }

  /** The names of these user ids (for showing owners); an id with no user is absent. Cached. */
  namesOf(ids: Iterable<string>): Promise<Map<string, string>> {
    return namesOf(this.#ctx, ids);
  }

  setRole(name: string, role: Role): Promise<User> {
    return setRole(this.#ctx, name, role);
  }

  /** Deletes a user and revokes all their tokens; their secrets stay, owned by the old id. */
  deleteUser(name: string): Promise<void> {
    return deleteUser(this.#ctx, name);
  }

  /** Makes a working token for `user`: the operator's call; the API never makes one for another user. */
  issueToken(
    user: string,
    options: { description?: string; expiresInDays?: number; createdBy?: Caller | null } = {},
  ): Promise<IssuedToken> {
    return issueToken(this.#ctx, user, options);
  }

  /** What `POST /api/v1/tokens` does for `caller` (see identity/tokens.ts). */
  createTokenFor(
    caller: Caller,
    target: string,
    options: { description?: string; expiresInDays?: number },
  ): Promise<IssuedToken> {
    return createTokenFor(this.#ctx, caller, target, options);
  }

  listTokens(userId?: string): Promise<TokenInfo[]> {
    return listTokens(this.#ctx, userId);
  }

  /** Revokes a token. A non-admin may only revoke their own. */
  revokeToken(id: string, caller: Caller): Promise<void> {
    return revokeToken(this.#ctx, id, caller);
  }

  /** Who holds this token? UnauthenticatedError for a missing, unknown, revoked or expired one. */
  authenticate(token: string | undefined): Promise<Caller> {
    return authenticate(this.#ctx, token);
  }
}
