/**
 * Every query on the metadata database's secrets and deployment tables goes through here (the
 * rest of the service never writes SQL). The reads that serve callers apply visibility: a private
 * secret exists only for its owner; for anyone else the queries simply find nothing.
 */
import type { SecretMetadata } from "@coffer/core";
import { type Database, isUniqueViolation, rethrowDatabaseError } from "@coffer/sql";
import { type Compilable, CompiledQuery, type Kysely } from "kysely";
import type { ChangeLog, ChangeNote } from "./change-log.js";
import type { CursorSigner } from "./cursor-key.js";
import { buildListQuery, type ParsedQuery } from "./list-query.js";
import type { MetadataCache } from "./metadata-cache.js";
import { type MetadataSealer, SEALED_COLUMNS } from "./metadata-seal.js";
import type { MetadataTables, SecretRow, SecretState } from "./schema.js";

/** States in which a secret is visible: it exists and its values are readable. */
export const LIVE_STATES: SecretState[] = ["active", "updating"];

export function scopeFor(isPrivate: boolean, owner: string): string {
  return isPrivate ? owner : "";
}

export function rowToMetadata(row: SecretRow): SecretMetadata {
  return {
    id: row.id,
    name: row.name,
    private: Number(row.private) === 1,
    owner: row.owner,
    version: Number(row.version),
    keys: parseKeys(row.keys),
    createdAt: new Date(Number(row.created_at)),
    updatedAt: new Date(Number(row.updated_at)),
  };
}

/** The key list of a verified row (its seal covers the text, so this only fails on a bug). */
function parseKeys(text: string): string[] {
  const keys: unknown = JSON.parse(text);
  return Array.isArray(keys) ? keys.map(String) : [];
}

/**
 * Every row this repository returns has passed its seal check (metadata-seal.ts), and every row it
 * writes is sealed — except for the listing, which checks rows itself so that one bad row does not
 * fail the page, and reconcile's stuck rows, checked one by one.
 */
export class MetadataRepository {
  /** Private: every query on these tables is a method here. */
  readonly #db: Kysely<MetadataTables>;

  // Every read starts with one of these lookups, so they are compiled once (see PreparedQuery).
  readonly #byId: PreparedQuery<[id: string, actorId: string]>;
  readonly #byNameEither: PreparedQuery<[name: string, actorId: string]>;
  readonly #byNameIn: PreparedQuery<[name: string, scope: string]>;

  /**
   * Without a sealer the repository only serves the deployment id (before the keyring is loaded).
   * With `changes`, a transition given a ChangeNote appends its event in the same transaction and
   * announces the committed id (change-feed.ts). With `cache`, every transition drops what it
   * touches from the read cache (metadata-cache.ts) before it returns.
   */
  constructor(
    readonly database: Database,
    readonly sealer?: MetadataSealer,
    readonly changes?: { log: ChangeLog; committed(id: number): void },
    readonly cache?: MetadataCache,
  ) {
    this.#db = database.db as Kysely<MetadataTables>;
    const secrets = () => this.#db.selectFrom("coffer_secrets").selectAll().where("state", "in", LIVE_STATES);
    this.#byId = new PreparedQuery(this.#db, (id, actorId) =>
      secrets()
        .where("id", "=", id)
        .where((eb) => eb.or([eb("private", "=", 0), eb("owner", "=", actorId)])),
    );
    this.#byNameEither = new PreparedQuery(this.#db, (name, actorId) =>
      secrets().where("name", "=", name).where("scope", "in", [actorId, ""]),
    );
    this.#byNameIn = new PreparedQuery(this.#db, (name, scope) =>
      secrets().where("name", "=", name).where("scope", "=", scope),
    );
  }

  /** Runs a query, turning connectivity problems into typed errors. */
  async run<T>(query: (db: Kysely<MetadataTables>) => Promise<T>): Promise<T> {
    try {
      return await query(this.#db);
    } catch (error) {
      rethrowDatabaseError(error, this.database.location);
    }
  }

  /** The deployment id stored in the database; `candidate` becomes it on first use. */
  async deploymentId(candidate: string, now: number): Promise<string> {
    const read = async () =>
      (await this.run((db) => db.selectFrom("coffer_deployment").select("id").executeTakeFirst()))?.id;
    return this.#readOrInsert(read, candidate, () =>
      this.run((db) =>
        db.insertInto("coffer_deployment").values({ id: candidate, created_at: now }).execute(),
      ),
    );
  }

  /** The list-cursor key (base64url) stored as `keyId`; `candidate` becomes it on first use. */
  async cursorKey(keyId: string, candidate: string, now: number): Promise<string> {
    const read = async () =>
      (
        await this.run((db) =>
          db.selectFrom("coffer_cursor_keys").select("key").where("id", "=", keyId).executeTakeFirst(),
        )
      )?.key;
    return this.#readOrInsert(read, candidate, () =>
      this.run((db) =>
        db.insertInto("coffer_cursor_keys").values({ id: keyId, key: candidate, created_at: now }).execute(),
      ),
    );
  }

  /** What `read` finds; else `candidate`, once inserted — or, if another process inserted first, theirs. */
  async #readOrInsert<T>(
    read: () => Promise<T | undefined>,
    candidate: T,
    insert: () => Promise<unknown>,
  ): Promise<T> {
    const existing = await read();
    if (existing !== undefined) return existing;
    try {
      await insert();
      return candidate;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const theirs = await read();
      if (theirs === undefined) throw error;
      return theirs;
    }
  }

  /** The id of the key that sealed some row, or undefined when no row is sealed yet. */
  async sealingKeyIdInUse(): Promise<string | undefined> {
    const row = await this.run((db) =>
      db.selectFrom("coffer_secrets").select("mac").where("mac", "is not", null).limit(1).executeTakeFirst(),
    );
    if (!row?.mac) return undefined;
    return row.mac.slice(0, Math.max(0, row.mac.lastIndexOf(".")));
  }

  #sealer(): MetadataSealer {
    if (!this.sealer) throw new Error("MetadataRepository: rows are read or written without a sealer");
    return this.sealer;
  }

  verify(row: SecretRow): SecretRow {
    return this.#sealer().verify(row);
  }

  verifyOptional(row: SecretRow | undefined): SecretRow | undefined {
    return row && this.verify(row);
  }

  async findVisibleById(actorId: string, id: string): Promise<SecretRow | undefined> {
    const rows = await this.run(() => this.#byId.run([id, actorId]));
    return this.verifyOptional(rows[0]);
  }

  /** Private first, then public; or exactly one of them when `isPrivate` is given. */
  async findVisibleByName(
    actorId: string,
    name: string,
    isPrivate?: boolean,
  ): Promise<SecretRow | undefined> {
    const rows = await this.run(() =>
      isPrivate === undefined
        ? this.#byNameEither.run([name, actorId])
        : this.#byNameIn.run([name, scopeFor(isPrivate, actorId)]),
    );
    // At most two rows (the unique key is scope + name): the caller's private one wins.
    return this.verifyOptional(rows.find((row) => Number(row.private) === 1) ?? rows[0]);
  }

  /** Every visible secret with one of these names: one query however many names. */
  async findVisibleByNames(actorId: string, names: string[]): Promise<SecretRow[]> {
    if (names.length === 0) return [];
    const rows = await this.run((db) =>
      db
        .selectFrom("coffer_secrets")
        .selectAll()
        .where("name", "in", names)
        .where("scope", "in", [actorId, ""])
        .where("state", "in", LIVE_STATES)
        .execute(),
    );
    return rows.map((row) => this.verify(row));
  }

  async findById(id: string): Promise<SecretRow | undefined> {
    return this.verifyOptional(
      await this.run((db) =>
        db.selectFrom("coffer_secrets").selectAll().where("id", "=", id).executeTakeFirst(),
      ),
    );
  }

  /** Rows left in a transitional state since before `olderThan` (for reconcile; not yet verified). */
  async findStuck(olderThan: number): Promise<SecretRow[]> {
    return this.run((db) =>
      db
        .selectFrom("coffer_secrets")
        .selectAll()
        .where("state", "<>", "active")
        .where("state_since", "<=", olderThan)
        .orderBy("state_since")
        .execute(),
    );
  }

  /**
   * Moves a row from one state to another, only if it is still in `from` (and at `version`, when
   * given). Returns whether it moved: false means someone else got there first.
   */
  async transition(
    id: string,
    from: SecretState,
    change: Partial<SecretRow> & { state: SecretState },
    now: number,
    version?: number,
    /** The row as read, when `change` touches a sealed column: the new seal covers base + change. */
    base?: SecretRow,
    /** The change feed's event for this transition (needs `base`). */
    event?: ChangeNote,
  ): Promise<boolean> {
    try {
      return await this.#transition(id, from, change, now, version, base, event);
    } finally {
      // Whatever the outcome (an error may come after the commit): the secret's id, and the names
      // it had and takes — a name a secret takes changes what other lookups of it find.
      this.cache?.invalidate(id, [base?.name, change.name]);
    }
  }

  async #transition(
    id: string,
    from: SecretState,
    change: Partial<SecretRow> & { state: SecretState },
    now: number,
    version: number | undefined,
    base: SecretRow | undefined,
    event: ChangeNote | undefined,
  ): Promise<boolean> {
    const resealed = SEALED_COLUMNS.some((column) => column in change);
    if (resealed && !base)
      throw new Error(`MetadataRepository: a change of ${id}'s sealed columns needs the row`);
    const set = resealed ? { ...change, mac: this.#sealer().seal({ ...base!, ...change }) } : change;
    const update = (db: Kysely<MetadataTables>) => {
      let query = db
        .updateTable("coffer_secrets")
        .set({ ...set, state_since: now })
        .where("id", "=", id)
        .where("state", "=", from);
      if (version !== undefined) query = query.where("version", "=", version);
      return query.executeTakeFirst();
    };
    const changes = this.changes;
    if (!event || !changes) return Number((await this.run(update)).numUpdatedRows) === 1;
    if (!base) throw new Error(`MetadataRepository: an event for ${id} needs the row`);
    // The change and its event commit together or not at all (change-log.ts).
    const appended = await this.run((db) =>
      db.transaction().execute(async (trx) => {
        if (Number((await update(trx)).numUpdatedRows) !== 1) return undefined;
        return changes.log.append(trx, { ...base, ...change }, event, now);
      }),
    );
    if (appended === undefined) return false;
    changes.committed(appended);
    return true;
  }

  /**
   * The state of the row holding `name` in `scope`, whatever that state (not verified: it only
   * words the error of a create that found the name taken).
   */
  async nameHolder(
    name: string,
    scope: string,
  ): Promise<Pick<SecretRow, "state" | "state_since"> | undefined> {
    return this.run((db) =>
      db
        .selectFrom("coffer_secrets")
        .select(["state", "state_since"])
        .where("name", "=", name)
        .where("scope", "=", scope)
        .executeTakeFirst(),
    );
  }

  /** Up to `limit` ids of existing secrets after `after`, in id order (whoever owns them). */
  async liveIdsAfter(after: string, limit: number): Promise<string[]> {
    const rows = await this.run((db) =>
      db
        .selectFrom("coffer_secrets")
        .select(["id"])
        .where("id", ">", after)
        .where("state", "in", LIVE_STATES)
        .orderBy("id")
        .limit(limit)
        .execute(),
    );
    return rows.map((row) => row.id);
  }

  /** How many secrets exist (a backup's progress shows it as the total). */
  async countLive(): Promise<number> {
    const row = await this.run((db) =>
      db
        .selectFrom("coffer_secrets")
        .select((eb) => eb.fn.countAll().as("count"))
        .where("state", "in", LIVE_STATES)
        .executeTakeFirst(),
    );
    return Number(row?.count ?? 0);
  }

  /** Up to `limit` existing secrets after id `after`, in id order, whoever owns them (backup). */
  async liveRowsAfter(after: string, limit: number): Promise<SecretRow[]> {
    const rows = await this.run((db) =>
      db
        .selectFrom("coffer_secrets")
        .selectAll()
        .where("id", ">", after)
        .where("state", "in", LIVE_STATES)
        .orderBy("id")
        .limit(limit)
        .execute(),
    );
    return rows.map((row) => this.verify(row));
  }

  /** The cheapest query that shows the database answers (health checks). */
  async ping(): Promise<void> {
    await this.run((db) => db.selectFrom("coffer_deployment").select("id").limit(1).execute());
  }

  /**
   * One page of a listing (list-query.ts builds it): up to `limit + 1` rows, the extra one telling
   * that another page follows. Rows are not verified here: the caller leaves out the ones whose
   * seal fails, so that one bad row does not fail the page.
   */
  async listPage(actorId: string, query: ParsedQuery, signer: CursorSigner) {
    const page = buildListQuery(this.#db, this.database.dialect, actorId, query, signer);
    const rows = await this.run(() => page.run());
    return { rows, limit: page.limit, cursorFor: page.cursorFor };
  }

  async insert(row: SecretRow): Promise<void> {
    const sealed = { ...row, mac: this.#sealer().seal(row) };
    await this.run((db) => db.insertInto("coffer_secrets").values(sealed).execute());
  }

  async remove(id: string, state: SecretState): Promise<void> {
    await this.run((db) =>
      db.deleteFrom("coffer_secrets").where("id", "=", id).where("state", "=", state).execute(),
    );
  }
}

/**
 * A query Kysely compiles once, then runs with new arguments. Building and compiling a query costs
 * Kysely more than SQLite needs to answer a point lookup, and these run on every read. The query
 * is compiled with a marker in place of each argument; each run puts the arguments where the
 * markers ended up (other parameters, such as the state list, stay as compiled).
 */
class PreparedQuery<Args extends string[]> {
  #compiled: { sql: string; slots: Array<number | { constant: unknown }> } | undefined;

  constructor(
    private readonly db: Kysely<MetadataTables>,
    private readonly build: (...args: Args) => Compilable<SecretRow>,
  ) {}

  async run(args: Args): Promise<SecretRow[]> {
    this.#compiled ??= this.#compile(args.length);
    const compiled = this.#compiled;
    const parameters = compiled.slots.map((slot) => (typeof slot === "number" ? args[slot] : slot.constant));
    const result = await this.db.executeQuery<SecretRow>(CompiledQuery.raw(compiled.sql, parameters));
    return result.rows;
  }

  #compile(arity: number) {
    const markers = Array.from({ length: arity }, (_, index) => `\u0000coffer-argument-${index}`) as Args;
    const { sql, parameters } = this.build(...markers).compile();
    const slots = parameters.map((parameter) => {
      const index = markers.indexOf(parameter as string);
      return index >= 0 ? index : { constant: parameter };
    });
    return { sql, slots };
  }
}
