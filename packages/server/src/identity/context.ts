/**
 * What the identity modules share: the database (every query goes through `run`, which turns
 * driver errors into Coffer's typed ones), the clock, and the two caches — verified tokens and
 * user names by id — which a change of users or tokens clears.
 */
import { type Database, rethrowDatabaseError } from "@coffer/sql";
import type { Kysely } from "kysely";
import type { IdentityTables } from "../identity-schema.js";
import type { Caller } from "./types.js";

export class IdentityContext {
  readonly #db: Kysely<IdentityTables>;
  /** Verified tokens by hash, until `until` (and never past the token's own expiry). */
  readonly callers = new Map<string, { caller: Caller; until: number; expiresAt: number | null }>();
  /** User names by id (undefined: no such user), until `until`. */
  readonly names = new Map<string, { name: string | undefined; until: number }>();

  constructor(
    private readonly database: Database,
    readonly clock: () => number,
    /** How long either cache trusts an entry; 0 turns both off. */
    readonly cacheMs: number,
  ) {
    this.#db = database.db as Kysely<IdentityTables>;
  }

  async run<T>(query: (db: Kysely<IdentityTables>) => Promise<T>): Promise<T> {
    try {
      return await query(this.#db);
    } catch (error) {
      rethrowDatabaseError(error, this.database.location);
    }
  }
}
