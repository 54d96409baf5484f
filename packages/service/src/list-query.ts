/**
 * Listing: filters, sort and keyset pagination over the metadata database.
 *
 * Keyset pagination: each page continues after the last row of the previous one in
 * (sort column, id) order, using the matching index, so the last page of 100,000 secrets costs
 * about what the first does (an OFFSET would read and discard every row before it).
 *
 * Name filters mean the same on every database: exact, case-sensitive code-point comparisons
 * (instr/strpos and substrings rather than LIKE, whose case rules and wildcards differ).
 */
import { createHash } from "node:crypto";
import { isSecretId, ValidationError, validateQueryText, validateSecretName, z } from "@coffer/core";
import type { Dialect } from "@coffer/sql";
import { type ExpressionBuilder, type Kysely, type SelectQueryBuilder, sql } from "kysely";
import type { CursorSigner } from "./cursor-key.js";
import type { MetadataTables, SecretRow } from "./schema.js";

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

/**
 * The list query's schema, built on first use: building it costs several milliseconds (zod sets
 * up each schema eagerly), which every command that never lists — `coffer secret get` — would
 * otherwise pay at start.
 */
export const listQuerySchema = once(() => {
  const timeValue = z.union([z.date(), z.iso.datetime({ offset: true })]);
  const timeRange = z.object({ after: timeValue.optional(), before: timeValue.optional() }).strict();
  const nameFilter = z.union([
    z.string(),
    z.object({ equals: z.string() }).strict(),
    z.object({ contains: z.string().min(1) }).strict(),
    z.object({ startsWith: z.string().min(1) }).strict(),
    z.object({ endsWith: z.string().min(1) }).strict(),
  ]);
  return z
    .object({
      name: nameFilter.optional(),
      private: z.boolean().optional(),
      owner: z.string().min(1).optional(),
      created: timeRange.optional(),
      updated: timeRange.optional(),
      sort: z
        .object({ by: z.enum(["name", "created", "updated"]), direction: z.enum(["asc", "desc"]).optional() })
        .strict()
        .optional(),
      limit: z.number().int().min(1).max(MAX_PAGE_SIZE).optional(),
      cursor: z.string().min(1).optional(),
    })
    .strict();
});

function once<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => {
    built ??= { value: build() };
    return built.value;
  };
}

export type ParsedQuery = z.output<ReturnType<typeof listQuerySchema>>;
type NameFilter = NonNullable<ParsedQuery["name"]>;

const SORT_COLUMNS = { name: "name", created: "created_at", updated: "updated_at" } as const;

interface Cursor {
  /** The sort column's value on the last row returned. */
  k: string | number;
  /** The last row's id. */
  i: string;
  /** A fingerprint of the query the cursor belongs to. */
  q: string;
}

export function parseListQuery(input: unknown): ParsedQuery {
  const result = listQuerySchema().safeParse(input ?? {});
  if (result.success) return checkText(result.data);
  const issue = result.error.issues[0]!;
  if (issue.code === "unrecognized_keys") {
    const where = issue.path.length ? ` in '${issue.path.join(".")}'` : "";
    throw new ValidationError(`'${issue.keys.join("', '")}'${where} is not a list filter.`, {
      hint: "Filter on name (equals, contains, startsWith, endsWith), private, owner, created or updated; sort by name, created or updated.",
      details: { field: issue.keys[0] ?? null },
    });
  }
  const field = issue.path.join(".") || "query";
  throw new ValidationError(`The list ${field} is invalid: ${issue.message}.`, {
    hint: `Fix '${field}'; page sizes are 1 to ${MAX_PAGE_SIZE}, times are ISO 8601.`,
    details: { field },
  });
}

/**
 * Every string that reaches the query is checked before it runs, the same way on every database:
 * no NUL (PostgreSQL refuses it in text: a 500 there, an empty page elsewhere), no lone
 * surrogate. Names are normalised to NFC like every name Coffer stores; an exact name must be a
 * valid name (a name with a trailing space would match "db" on MySQL, whose comparisons ignore
 * trailing spaces, and nothing elsewhere).
 */
function checkText(query: ParsedQuery): ParsedQuery {
  const checked: ParsedQuery = { ...query };
  if (query.name !== undefined) checked.name = checkNameFilter(query.name);
  if (query.owner !== undefined) {
    const owner = validateQueryText(query.owner, "owner");
    if (owner.trim() !== owner) {
      throw new ValidationError("The owner filter starts or ends with whitespace.", {
        hint: "Give the owner's user name exactly.",
        details: { field: "owner" },
      });
    }
  }
  return checked;
}

function checkNameFilter(filter: NameFilter): NameFilter {
  if (typeof filter === "string") return validateSecretName(filter);
  if ("equals" in filter) return { equals: validateSecretName(filter.equals) };
  if ("contains" in filter) return { contains: filterText(filter.contains, "name.contains") };
  if ("startsWith" in filter) return { startsWith: filterText(filter.startsWith, "name.startsWith") };
  return { endsWith: filterText(filter.endsWith, "name.endsWith") };
}

function filterText(text: string, field: string): string {
  return validateQueryText(text, field).normalize("NFC");
}

type Query = SelectQueryBuilder<MetadataTables, "coffer_secrets", SecretRow>;

/** Builds the page query: visibility, filters, keyset position, order and limit (+1 to see if more follow). */
export function buildListQuery(
  db: Kysely<MetadataTables>,
  dialect: Dialect,
  actorId: string,
  query: ParsedQuery,
  signer: CursorSigner,
): { run: () => Promise<SecretRow[]>; limit: number; cursorFor: (row: SecretRow) => string } {
  const by = query.sort?.by ?? "name";
  const direction = query.sort?.direction ?? "asc";
  const column = SORT_COLUMNS[by];
  const limit = query.limit ?? DEFAULT_PAGE_SIZE;
  const fingerprint = queryFingerprint(actorId, query);

  const cursor =
    query.cursor === undefined
      ? undefined
      : decodeCursor(query.cursor, fingerprint, signer, by === "name" ? "text" : "integer");

  // One branch per visibility scope the caller sees: public secrets (scope "") and their own
  // private ones (scope = their id; see scopeFor). Each branch walks its (scope, sort column, id)
  // index from the cursor and stops after a page, and the branches are merged: a page costs about
  // the same whether the caller sees every row or 1 in 100. (One query with "public or mine"
  // walked the sort index over every other user's private rows, 4.5× slower at 1% visible.)
  const scopes = query.private === true ? [actorId] : query.private === false ? [""] : ["", actorId];
  const branch = (scope: string, index: number) => {
    let builder: Query = db
      .selectFrom("coffer_secrets")
      .selectAll()
      .where("state", "in", ["active", "updating"])
      .where("scope", "=", scope);
    if (query.name !== undefined) builder = builder.where((eb) => nameCondition(eb, dialect, query.name!));
    if (query.owner !== undefined) builder = builder.where("owner", "=", query.owner);
    builder = applyRange(builder, "created_at", query.created);
    builder = applyRange(builder, "updated_at", query.updated);
    if (cursor !== undefined) {
      const comparison = direction === "asc" ? ">" : "<";
      builder = builder.where((eb) =>
        eb(eb.refTuple(column, "id"), comparison, eb.tuple(cursor.k as never, cursor.i)),
      );
    }
    const page = builder
      .orderBy(column, direction)
      .orderBy("id", direction)
      .limit(limit + 1);
    // A derived table, so that each branch keeps its own ORDER BY and LIMIT inside the union.
    return db.selectFrom(page.as(`scope_${index}`)).selectAll();
  };
  const [first, ...others] = scopes.map(branch);
  const union = others.reduce((all, next) => all.unionAll(next), first!);
  const merged = db
    .selectFrom(union.as("visible"))
    .selectAll()
    .orderBy(column, direction)
    .orderBy("id", direction)
    .limit(limit + 1);
  return {
    run: () => merged.execute() as Promise<SecretRow[]>,
    limit,
    cursorFor: (row) =>
      signer.sign(
        JSON.stringify({ k: by === "name" ? row.name : Number(row[column]), i: row.id, q: fingerprint }),
      ),
  };
}

function nameCondition(
  eb: ExpressionBuilder<MetadataTables, "coffer_secrets">,
  dialect: Dialect,
  filter: ParsedQuery["name"],
) {
  if (typeof filter === "string") return eb("name", "=", filter);
  if (filter && "equals" in filter) return eb("name", "=", filter.equals);
  // MySQL compares strings with trailing spaces ignored (PAD SPACE): there "my" >= "my " and
  // "my" = "my ". The length condition keeps a name shorter than the filter from matching there,
  // as it cannot elsewhere. (char_length: MySQL's length() counts bytes.)
  const nameLength = dialect === "mysql" ? sql`char_length(name)` : sql`length(name)`;
  if (filter && "startsWith" in filter) {
    const length = [...filter.startsWith].length;
    const upper = successor(filter.startsWith);
    // A range on the name index: every string with this prefix sorts in [prefix, successor).
    return upper === undefined
      ? eb(sql`substr(name, 1, ${length})`, "=", filter.startsWith)
      : eb.and([eb("name", ">=", filter.startsWith), eb("name", "<", upper), eb(nameLength, ">=", length)]);
  }
  if (filter && "endsWith" in filter) {
    const length = [...filter.endsWith].length;
    const tail = dialect === "sqlite" ? sql`substr(name, ${-length})` : sql`right(name, ${length})`;
    return eb.and([eb(nameLength, ">=", length), eb(tail, "=", filter.endsWith)]);
  }
  const needle = (filter as { contains: string }).contains;
  const position = dialect === "postgres" ? sql`strpos(name, ${needle})` : sql`instr(name, ${needle})`;
  return eb(position, ">", 0);
}

/** The smallest string greater than every string starting with `prefix` (last code point + 1). */
function successor(prefix: string): string | undefined {
  const points = [...prefix];
  const last = points.pop()!.codePointAt(0)!;
  if (last >= 0x10ffff) return undefined;
  const next = last + 1;
  // Surrogate code points cannot be stored; skip over them.
  const bumped = next >= 0xd800 && next <= 0xdfff ? 0xe000 : next;
  return points.join("") + String.fromCodePoint(bumped);
}

function applyRange(
  builder: Query,
  column: "created_at" | "updated_at",
  range: ParsedQuery["created"],
): Query {
  let result = builder;
  if (range?.after !== undefined) result = result.where(column, ">=", toMillis(range.after));
  if (range?.before !== undefined) result = result.where(column, "<", toMillis(range.before));
  return result;
}

function toMillis(value: Date | string): number {
  return (value instanceof Date ? value : new Date(value)).getTime();
}

function queryFingerprint(actorId: string, query: ParsedQuery): string {
  const { cursor: _cursor, limit: _limit, ...rest } = query;
  const normalized = JSON.stringify({ actorId, ...rest }, (_key, value) =>
    value instanceof Date ? value.toISOString() : value,
  );
  return createHash("sha256").update(normalized).digest("base64url").slice(0, 16);
}

/**
 * A cursor is checked completely before it reaches the query: its MAC (made by this deployment),
 * its query (the same filters, sort and user), and the types of what it carries (an integer for a
 * time sort — a string there made PostgreSQL fail on its bigint column — a name for the name
 * sort, a secret id).
 */
function decodeCursor(
  text: string,
  fingerprint: string,
  signer: CursorSigner,
  sortValue: "text" | "integer",
): Cursor {
  const payload = signer.verify(text);
  if (payload === undefined) {
    throw badCursor("it was not made by this server (or the server's cursor key has changed since)");
  }
  let cursor: Cursor;
  try {
    cursor = JSON.parse(payload) as Cursor;
  } catch {
    throw badCursor("it is not a cursor Coffer made");
  }
  if (typeof cursor !== "object" || cursor === null || typeof cursor.q !== "string") {
    throw badCursor("it is not a cursor Coffer made");
  }
  if (cursor.q !== fingerprint) throw badCursor("it belongs to a different query (filters, sort or user)");
  const validKey =
    sortValue === "integer"
      ? Number.isSafeInteger(cursor.k)
      : typeof cursor.k === "string" && cursor.k.isWellFormed() && !cursor.k.includes("\u0000");
  if (!validKey || !isSecretId(cursor.i)) throw badCursor("it is not a cursor Coffer made");
  return cursor;
}

function badCursor(problem: string): ValidationError {
  return new ValidationError(`The cursor is not valid: ${problem}.`, {
    hint: "Pass the nextCursor of the previous page with the same filters and sort, or start again without a cursor.",
    details: { field: "cursor" },
  });
}
