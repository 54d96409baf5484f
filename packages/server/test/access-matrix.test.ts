// Every route the server registers × every kind of caller × private and public secrets.
//
// The list of routes is not trusted to this file: a test reads fastify's own route table and fails
// when a registered route has no entry here, or an entry names a route that no longer exists. Who
// may do what is not written out per cell either: the permission each route needs is the one the
// server declares in the route's config (read from its route access table, src/access.ts), and
// `can` from roles.ts decides which identities are refused. Since the cells follow the server's
// declarations, the admin-only routes are also listed here by hand, from roles.ts, and each must
// declare the admin permission: a route declared with a weaker permission fails there.
//
// Every cell checks: the status; no value reaches a caller who may not read it; a private
// secret's existence never shows to anyone but its owner (their replies equal those for a secret
// that does not exist); and what was stored afterwards — a refused request changed nothing at all
// (the secret read back by its owner, every table of the database, the keyring, the backup copy),
// an allowed write visibly changed something, and a read changed nothing.
import { randomUUID } from "node:crypto";
import { PassThrough } from "node:stream";
import { type ArchivedSecret, writeArchive } from "@coffer/backup";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RouteAccess } from "../src/access.js";
import { can, type Permission, ROLES, type Role } from "../src/roles.js";
import { call, callRaw } from "./helpers.js";
import { changes, type MatrixServer, startMatrixServer, world } from "./matrix-server.js";
import { declaredRoutes, openApiRouteKeys, registeredRoutes, routeKeys } from "./route-table.js";

type Principal =
  | "no token"
  | "bad token"
  | "other user"
  | "owner"
  | "admin"
  | "reader"
  | "value-reader"
  | "auditor";
type Visibility = "private" | "public";
type Outcome = "ok" | "ok-without-values" | "unauthenticated" | "forbidden" | "not-found" | "conflict";

/** What one cell works on: a fresh secret of the cell's visibility, and a fresh bystander user. */
interface Cell {
  secret: { id: string; name: string; private: boolean };
  /** The secret's value; it may appear only in replies to callers allowed to read it. */
  value: string;
  /** A value only the backup store holds (see copy-values); it must never appear in a reply. */
  backupValue: string;
  /** A writer who is not part of the matrix, with one token: the target of user and token routes. */
  bystander: { name: string; tokenId: string };
  /** A writer who never had a token: the one user an admin may enroll (an enrollment token). */
  newcomer: string;
  tag: string;
}

/**
 * What a route acts on. Who may call it at all is the route's declared permission (from the
 * server); these add what the handler decides beyond it.
 */
type Access =
  /**
   * Acts on the caller's account or the deployment. `handlerNeeds`: this use of the route also
   * needs a permission the handler checks (identity.ts: another user's tokens), refused as given.
   */
  | { kind: "caller"; handlerNeeds?: Permission; refusedAs?: "forbidden" | "not-found" }
  /** Acts on the cell's secret: the permission first, then visibility (others' private ones do not exist). */
  | {
      kind: "secret";
      /** Only the owner may, even on a public secret. */
      ownerOnly?: boolean;
      /** The status for a secret the caller cannot see (default 404). */
      notFoundStatus?: number;
      /** For routes that name rather than address a secret (create, put by name). */
      outcome?: (principal: Principal, visibility: Visibility) => Outcome;
    };

interface Entry {
  /** The route as fastify registers it: method and path with `:params`. */
  route: string;
  /** Which use of the route, when there is more than one entry for it. */
  variant?: string;
  access: Access;
  /** Whether a caller allowed to read them gets the secret's values back. */
  returnsValues?: boolean;
  /** Whether an allowed call stores something (then it must show in the world; else nothing may change). */
  writes?: boolean;
  request(cell: Cell): { path: string; body?: unknown; raw?: Buffer; headers?: Record<string, string> };
  /** Arranges what the call would change, so that a call that should have been refused shows. */
  prepare?(cell: Cell): Promise<void>;
  cleanup?(cell: Cell): Promise<void>;
  /**
   * The call revokes the token it carries (DELETE /api/v1/me/token): it is made with a fresh token
   * of the principal's user, issued before the world is read, so the matrix's tokens keep working.
   */
  revokesOwnToken?: boolean;
  /** Further checks of an allowed reply. */
  check?(reply: { status: number; text: string }, cell: Cell, principal: Principal): void;
}

// Started while the file is collected: the cells' expected outcomes come from its route table.
const server: MatrixServer = await startMatrixServer();
/** Each route's declared access, as the server registered it. */
const declared = new Map<string, RouteAccess>(
  declaredRoutes(server.running.app).map((route) => [`${route.method} ${route.url}`, route.access]),
);

// A fixed age key pair for the backup routes (made for these tests only).
const MATRIX_IDENTITY = "AGE-SECRET-KEY-17FPFMWN5CTD87839GU3ETFSJQJW98C5DUGAR7GL6WRYFMDTLHWSSAK84X6";
const MATRIX_RECIPIENT = "age1ue4dqcvpq6g8ef8h857uypavt23rq203lqued9m80ym5dqfzcalsf6prtr";
let restoreArchiveBytes: Buffer = Buffer.alloc(0);
let diffArchiveBytes: Buffer = Buffer.alloc(0);

/** An archive of one public secret named `name`, owned by a user outside the matrix. */
async function archiveOf(name: string): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on("data", (chunk: Buffer) => chunks.push(chunk));
  async function* one(): AsyncGenerator<ArchivedSecret> {
    const now = new Date().toISOString();
    yield {
      id: randomUUID(),
      name,
      owner: "archived-owner",
      private: false,
      version: 1,
      createdAt: now,
      updatedAt: now,
      values: { k: "fake-restored" },
    };
  }
  await writeArchive(
    { header: { source: { storeType: "memory" }, withHistory: false }, secrets: one() },
    out,
    {
      recipients: [MATRIX_RECIPIENT],
    },
  );
  out.end();
  return Buffer.concat(chunks);
}

const entries: Entry[] = [
  {
    route: "GET /api/v1/secrets",
    access: { kind: "secret", notFoundStatus: 200 },
    request: (s) => ({ path: `/api/v1/secrets?name=${encodeURIComponent(s.secret.name)}` }),
    check: (reply, cell) => expect(reply.text).toContain(cell.secret.id),
  },
  {
    route: "POST /api/v1/secrets",
    variant: "under the cell secret's name",
    // One public name space, one private name space per owner: only the owner's own name and a
    // public name are taken, so someone else's private secret does not exist for the caller.
    access: {
      kind: "secret",
      outcome: (principal, visibility) =>
        principal === "owner" || visibility === "public" ? "conflict" : "ok",
    },
    writes: true,
    request: (s) => ({
      path: "/api/v1/secrets",
      body: { name: s.secret.name, values: { k: "fake-created" }, private: s.secret.private },
    }),
  },
  {
    route: "GET /api/v1/secrets/by-name",
    access: { kind: "secret" },
    returnsValues: true,
    request: (s) => ({
      path: `/api/v1/secrets/by-name?name=${encodeURIComponent(s.secret.name)}&private=${s.secret.private}`,
    }),
  },
  {
    route: "PUT /api/v1/secrets/by-name",
    // A writer's put of someone else's private name makes their own private secret.
    access: { kind: "secret", outcome: () => "ok" },
    writes: true,
    request: (s) => ({
      path: `/api/v1/secrets/by-name?name=${encodeURIComponent(s.secret.name)}&private=${s.secret.private}`,
      body: { values: { k: "fake-put-by-name" } },
    }),
  },
  {
    route: "GET /api/v1/secrets/:id",
    access: { kind: "secret" },
    returnsValues: true,
    request: (s) => ({ path: `/api/v1/secrets/${s.secret.id}` }),
  },
  {
    route: "GET /api/v1/secrets/:id/history",
    access: { kind: "secret" },
    request: (s) => ({ path: `/api/v1/secrets/${s.secret.id}/history` }),
    check: (reply, cell) => expect(JSON.parse(reply.text).id).toBe(cell.secret.id),
  },
  {
    route: "GET /api/v1/secrets/:id/versions/:version",
    access: { kind: "secret" },
    returnsValues: true,
    request: (s) => ({ path: `/api/v1/secrets/${s.secret.id}/versions/1` }),
    check: (reply) => expect(JSON.parse(reply.text).version).toBe(1),
  },
  {
    route: "POST /api/v1/secrets/:id/rollback",
    access: { kind: "secret" },
    writes: true,
    request: (s) => ({ path: `/api/v1/secrets/${s.secret.id}/rollback`, body: { toVersion: 1 } }),
  },
  {
    route: "PUT /api/v1/secrets/:id",
    access: { kind: "secret" },
    writes: true,
    request: (s) => ({ path: `/api/v1/secrets/${s.secret.id}`, body: { values: { k: "fake-replaced" } } }),
  },
  {
    route: "PATCH /api/v1/secrets/:id",
    access: { kind: "secret" },
    writes: true,
    request: (s) => ({ path: `/api/v1/secrets/${s.secret.id}`, body: { values: { k2: "fake-added" } } }),
  },
  {
    route: "POST /api/v1/secrets/:id/rename",
    access: { kind: "secret" },
    writes: true,
    request: (s) => ({
      path: `/api/v1/secrets/${s.secret.id}/rename`,
      body: { name: `${s.secret.name}-renamed` },
    }),
  },
  {
    route: "POST /api/v1/secrets/:id/visibility",
    access: { kind: "secret", ownerOnly: true },
    writes: true,
    request: (s) => ({
      path: `/api/v1/secrets/${s.secret.id}/visibility`,
      body: { private: !s.secret.private },
    }),
  },
  {
    route: "DELETE /api/v1/secrets/:id",
    access: { kind: "secret" },
    writes: true,
    request: (s) => ({ path: `/api/v1/secrets/${s.secret.id}` }),
  },
  {
    // The change feed, caught up (follow=false ends the stream): the cell secret's creation shows
    // to those who may see the secret, and another user's private secret produces nothing at all.
    route: "GET /api/v1/events",
    access: { kind: "secret", notFoundStatus: 200 },
    request: (s) => ({
      path: `/api/v1/events?since=0&follow=false&name=${encodeURIComponent(s.secret.name)}`,
    }),
    check: (reply, cell) => {
      expect(reply.text).toContain(cell.secret.id);
      expect(reply.text).toContain('"action":"create"');
    },
  },
  {
    route: "POST /api/v1/references/validate",
    access: { kind: "secret", notFoundStatus: 200 },
    request: (s) => ({
      path: "/api/v1/references/validate",
      body: { document: { v: `{{"${s.secret.name}".k}}` } },
    }),
  },
  {
    route: "POST /api/v1/references/resolve",
    // A reference to a secret the caller cannot see is a document error, as for one that does not exist.
    access: { kind: "secret", notFoundStatus: 400 },
    returnsValues: true,
    request: (s) => ({
      path: "/api/v1/references/resolve",
      body: { document: { v: `{{"${s.secret.name}".k}}` } },
    }),
  },
  {
    route: "GET /api/v1/store",
    access: { kind: "caller" },
    request: () => ({ path: "/api/v1/store" }),
  },
  {
    route: "POST /api/v1/admin/rotate-key",
    access: { kind: "caller" },
    writes: true,
    request: () => ({ path: "/api/v1/admin/rotate-key", body: {} }),
  },
  {
    route: "POST /api/v1/admin/copy-values",
    access: { kind: "caller" },
    writes: true,
    // The backup holds another value than the primary: copying back to the primary would change
    // the secret its owner reads.
    prepare: (cell) => server.backup.update(cell.secret.id, { k: cell.backupValue }),
    request: () => ({ path: "/api/v1/admin/copy-values", body: { direction: "to-primary" } }),
  },
  {
    route: "POST /api/v1/admin/reconcile",
    access: { kind: "caller" },
    writes: true,
    // A write an outage left half-done long ago: reconcile completes it (the version moves on).
    prepare: (cell) => setState(cell.secret.id, "updating", 1),
    cleanup: (cell) => setState(cell.secret.id, "active"),
    request: () => ({ path: "/api/v1/admin/reconcile" }),
  },
  {
    route: "POST /api/v1/admin/backup",
    access: { kind: "caller" },
    // The archive is encrypted: the cell's value is in it, but never readable in the reply.
    request: () => ({ path: "/api/v1/admin/backup", body: { recipients: [MATRIX_RECIPIENT] } }),
    check: (reply) => expect(reply.text.startsWith("age-encryption.org/v1")).toBe(true),
  },
  {
    route: "POST /api/v1/admin/restore",
    access: { kind: "caller" },
    writes: true,
    // An archive holding one new public secret: a restore that ran shows as that secret.
    prepare: async (cell) => {
      restoreArchiveBytes = await archiveOf(`restored-${cell.tag}`);
    },
    request: () => ({
      path: "/api/v1/admin/restore",
      raw: restoreArchiveBytes,
      headers: { "content-type": "application/octet-stream", "x-coffer-backup-identity": MATRIX_IDENTITY },
    }),
  },
  {
    route: "POST /api/v1/admin/diff",
    access: { kind: "caller" },
    // An archive of one secret the deployment lacks: a diff that ran lists it as removed (by name,
    // never a value); it writes nothing.
    prepare: async (cell) => {
      diffArchiveBytes = await archiveOf(`diffed-${cell.tag}`);
    },
    request: () => ({
      path: "/api/v1/admin/diff",
      raw: diffArchiveBytes,
      headers: { "content-type": "application/octet-stream", "x-coffer-backup-identity": MATRIX_IDENTITY },
    }),
    check: (reply) => expect(reply.text).toMatch(/"removed":\[\{"name":"diffed-/),
  },
  {
    route: "GET /api/v1/me",
    access: { kind: "caller" },
    request: () => ({ path: "/api/v1/me" }),
  },
  {
    route: "DELETE /api/v1/me/token",
    access: { kind: "caller" },
    writes: true,
    revokesOwnToken: true,
    request: () => ({ path: "/api/v1/me/token" }),
  },
  {
    route: "GET /api/v1/users",
    access: { kind: "caller" },
    request: () => ({ path: "/api/v1/users" }),
    check: (reply, cell) => expect(reply.text).toContain(cell.bystander.name),
  },
  {
    route: "POST /api/v1/users",
    access: { kind: "caller" },
    writes: true,
    request: (s) => ({ path: "/api/v1/users", body: { name: `new-${s.tag}`, role: "admin" } }),
  },
  {
    route: "PUT /api/v1/users/:name/role",
    access: { kind: "caller" },
    writes: true,
    request: (s) => ({ path: `/api/v1/users/${s.bystander.name}/role`, body: { role: "admin" } }),
  },
  {
    route: "DELETE /api/v1/users/:name",
    access: { kind: "caller" },
    writes: true,
    request: (s) => ({ path: `/api/v1/users/${s.bystander.name}` }),
  },
  {
    route: "GET /api/v1/tokens",
    access: { kind: "caller" },
    request: () => ({ path: "/api/v1/tokens" }),
    // Everyone sees their own tokens; only an admin sees anyone else's.
    check: (reply, cell, principal) =>
      principal === "admin"
        ? expect(reply.text).toContain(cell.bystander.tokenId)
        : expect(reply.text).not.toContain(cell.bystander.tokenId),
  },
  {
    route: "POST /api/v1/tokens",
    variant: "for oneself",
    access: { kind: "caller" },
    writes: true,
    request: () => ({ path: "/api/v1/tokens", body: { description: "matrix" } }),
  },
  {
    route: "POST /api/v1/tokens",
    variant: "for another user",
    // Only an enrollment token, and only for a user who never had a working token (tokens.test.ts
    // covers the refusals an admin meets for anyone else).
    access: { kind: "caller", handlerNeeds: "admin" },
    writes: true,
    request: (s) => ({ path: "/api/v1/tokens", body: { user: s.newcomer, description: "matrix" } }),
  },
  {
    route: "DELETE /api/v1/tokens/:id",
    variant: "another user's token",
    // Someone else's token does not exist for a non-admin.
    access: { kind: "caller", handlerNeeds: "admin", refusedAs: "not-found" },
    writes: true,
    request: (s) => ({ path: `/api/v1/tokens/${s.bystander.tokenId}` }),
  },
  {
    route: "GET /api/v1/openapi.json",
    access: { kind: "caller" },
    request: () => ({ path: "/api/v1/openapi.json" }),
  },
  {
    route: "GET /api/v1/audit",
    access: { kind: "caller" },
    request: () => ({ path: "/api/v1/audit?limit=1000" }),
    // The cell's own records are there (by secret id), its value never is (returnsValues: false).
    check: (reply, cell) => expect(reply.text).toContain(cell.secret.id),
  },
  {
    route: "GET /api/v1/audit/verify",
    access: { kind: "caller" },
    request: () => ({ path: "/api/v1/audit/verify" }),
    check: (reply) => expect(JSON.parse(reply.text)).toMatchObject({ ok: true }),
  },
  // The web dashboard's files (built by ./dev build, which ./dev test runs first).
  { route: "GET /ui", access: { kind: "caller" }, request: () => ({ path: "/ui" }) },
  { route: "GET /ui/", access: { kind: "caller" }, request: () => ({ path: "/ui/" }) },
  { route: "GET /ui/:file", access: { kind: "caller" }, request: () => ({ path: "/ui/app.js" }) },
  { route: "GET /health", access: { kind: "caller" }, request: () => ({ path: "/health" }) },
  { route: "GET /ready", access: { kind: "caller" }, request: () => ({ path: "/ready" }) },
  // Prometheus metrics: counts and latencies, never a name or value (metrics.test.ts).
  { route: "GET /metrics", access: { kind: "caller" }, request: () => ({ path: "/metrics" }) },
];

/**
 * Who may call each route, written by hand from roles.ts and the API's promises — the matrix's
 * independent specification. The cells take each route's permission from the server's own
 * declarations, so only this table notices a permission declared weaker (or stronger) than it
 * should be: a change to a route's access must change it here too, in the same commit.
 * (Admins' say over other users' tokens is decided in the token handlers: the matrix's "for
 * another user" and "another user's token" entries.)
 */
const ACCESS_SPEC: Record<string, RouteAccess["permission"]> = {
  "GET /api/v1/secrets": "read-metadata",
  "POST /api/v1/secrets": "write",
  "GET /api/v1/secrets/by-name": "read-metadata",
  "PUT /api/v1/secrets/by-name": "write",
  "GET /api/v1/secrets/:id": "read-metadata",
  "PUT /api/v1/secrets/:id": "write",
  "PATCH /api/v1/secrets/:id": "write",
  "DELETE /api/v1/secrets/:id": "write",
  "POST /api/v1/secrets/:id/rename": "write",
  "POST /api/v1/secrets/:id/visibility": "write",
  "GET /api/v1/secrets/:id/history": "read-metadata",
  "GET /api/v1/events": "read-metadata",
  "GET /api/v1/secrets/:id/versions/:version": "read-metadata",
  "POST /api/v1/secrets/:id/rollback": "write",
  "POST /api/v1/references/validate": "read-metadata",
  "POST /api/v1/references/resolve": "read-values",
  "GET /api/v1/me": "authenticated",
  "DELETE /api/v1/me/token": "authenticated",
  "GET /api/v1/users": "admin",
  "POST /api/v1/users": "admin",
  "PUT /api/v1/users/:name/role": "admin",
  "DELETE /api/v1/users/:name": "admin",
  "GET /api/v1/tokens": "authenticated",
  "POST /api/v1/tokens": "authenticated",
  "DELETE /api/v1/tokens/:id": "authenticated",
  "GET /api/v1/store": "read-metadata",
  "POST /api/v1/admin/rotate-key": "admin",
  "POST /api/v1/admin/copy-values": "admin",
  "POST /api/v1/admin/reconcile": "admin",
  "GET /api/v1/audit": "read-audit",
  "GET /api/v1/audit/verify": "read-audit",
  "POST /api/v1/admin/backup": "admin",
  "POST /api/v1/admin/restore": "admin",
  "POST /api/v1/admin/diff": "admin",
  "GET /api/v1/openapi.json": "public",
  "GET /ui": "public",
  "GET /ui/": "public",
  "GET /ui/:file": "public",
  "GET /health": "public",
  "GET /ready": "public",
  "GET /metrics": "read-audit",
};

const ADMIN_ONLY_ROUTES = Object.keys(ACCESS_SPEC).filter((route) => ACCESS_SPEC[route] === "admin");

const principals: Principal[] = [
  "no token",
  "bad token",
  "other user",
  "owner",
  "admin",
  "reader",
  "value-reader",
  "auditor",
];
const roleOf: Record<Principal, Role | undefined> = {
  "no token": undefined,
  "bad token": undefined,
  "other user": "writer",
  owner: "writer",
  admin: "admin",
  reader: "reader",
  "value-reader": "value-reader",
  auditor: "auditor",
};

/**
 * The role check (the route's declared permission) comes before any lookup, so a caller without
 * the role gets 403 whether or not the secret exists — which reveals nothing. A caller with the
 * role gets "not found" for someone else's private secret.
 */
function expected(entry: Entry, principal: Principal, visibility: Visibility): Outcome {
  const { access } = entry;
  const { permission } = declared.get(entry.route)!;
  if (permission === "public") return "ok";
  const role = roleOf[principal];
  if (role === undefined) return "unauthenticated";
  if (permission !== "authenticated" && !can(role, permission)) return "forbidden";
  if (access.kind === "caller") {
    return access.handlerNeeds && !can(role, access.handlerNeeds) ? (access.refusedAs ?? "forbidden") : "ok";
  }
  if (access.outcome) return access.outcome(principal, visibility);
  if (principal === "owner") return "ok";
  if (visibility === "private") return "not-found";
  if (access.ownerOnly) return "forbidden";
  if (entry.returnsValues && !can(role, "read-values")) return "ok-without-values";
  return "ok";
}

const statusOf: Record<Outcome, number[]> = {
  ok: [200, 201, 204],
  "ok-without-values": [200],
  unauthenticated: [401],
  forbidden: [403],
  "not-found": [404],
  conflict: [409],
};

const methodOf = (entry: Entry) => entry.route.split(" ")[0]!;
const labelOf = (entry: Entry) => (entry.variant ? `${entry.route} (${entry.variant})` : entry.route);

async function setState(id: string, state: string, since?: number): Promise<void> {
  await server.database.db
    .updateTable("coffer_secrets")
    .set({ state, ...(since !== undefined ? { state_since: since } : {}) })
    .where("id", "=", id)
    .execute();
}

/** Entries for routes the server does not register are reported by the coverage test below. */
const cells = entries
  .filter((entry) => declared.has(entry.route))
  .flatMap((entry) =>
    principals.flatMap((principal) =>
      (["private", "public"] as Visibility[]).map((visibility) => ({
        entry,
        label: labelOf(entry),
        principal,
        visibility,
        outcome: expected(entry, principal, visibility),
      })),
    ),
  );

const tokens = {} as Record<Principal, string | undefined>;
/** The user behind each principal that has one (for a fresh token of theirs). */
const userOf: Partial<Record<Principal, string>> = {};

beforeAll(async () => {
  tokens.owner = await server.user("owner", "writer");
  tokens["other user"] = await server.user("other", "writer");
  tokens.reader = await server.user("reader", "reader");
  tokens["value-reader"] = await server.user("value-reader", "value-reader");
  tokens.auditor = await server.user("auditor", "auditor");
  tokens.admin = server.adminToken;
  Object.assign(userOf, {
    owner: "owner",
    "other user": "other",
    reader: "reader",
    "value-reader": "value-reader",
    auditor: "auditor",
    admin: server.running.bootstrapToken!.user,
  });
  tokens["no token"] = undefined;
  tokens["bad token"] = `coffer_aaaaaaaaaaaa_${"x".repeat(43)}`;
});
afterAll(() => server?.close());

describe("access matrix", () => {
  async function newCell(visibility: Visibility): Promise<Cell> {
    const tag = randomUUID().slice(0, 8);
    const value = `fake-value-${randomUUID()}`;
    const name = `m-${tag}`;
    const created = await call(server, tokens.owner, "POST", "/api/v1/secrets", {
      name,
      values: { k: value },
      private: visibility === "private",
    });
    expect(created.status).toBe(201);
    const bystander = `bystander-${tag}`;
    await server.identity.createUser(bystander, "writer");
    const token = await server.identity.issueToken(bystander);
    const newcomer = `newcomer-${tag}`;
    await server.identity.createUser(newcomer, "writer");
    return {
      secret: { id: (created.body as { id: string }).id, name, private: visibility === "private" },
      value,
      backupValue: `fake-backup-only-${randomUUID()}`,
      bystander: { name: bystander, tokenId: token.id },
      newcomer,
      tag,
    };
  }

  /** The secret as its owner reads it back: existence, name, visibility, version and values. */
  async function ownerView(cell: Cell) {
    const reply = await call(server, tokens.owner, "GET", `/api/v1/secrets/${cell.secret.id}`);
    return { status: reply.status, secret: reply.body };
  }

  it.each(cells)(
    "$label as $principal on a $visibility secret: $outcome",
    async ({ entry, principal, visibility, outcome }) => {
      const cell = await newCell(visibility);
      await entry.prepare?.(cell);
      const user = userOf[principal];
      const token =
        entry.revokesOwnToken && user !== undefined
          ? (await server.identity.issueToken(user)).token
          : tokens[principal];
      try {
        const ownerBefore = await ownerView(cell);
        const before = await world(server, cell.secret.id);
        const method = methodOf(entry);
        const { path, body, raw, headers } = entry.request(cell);
        const reply =
          raw !== undefined
            ? await callRaw(server, token, method, path, raw, headers)
            : await call(server, token, method, path, body);

        const allowed =
          outcome === "not-found" && entry.access.kind === "secret"
            ? [entry.access.notFoundStatus ?? 404]
            : statusOf[outcome];
        expect(allowed, `${reply.status} ${reply.text.slice(0, 300)}`).toContain(reply.status);
        const mayReadValues = outcome === "ok" && entry.returnsValues;
        if (mayReadValues) expect(reply.text).toContain(cell.value);
        else expect(reply.text).not.toContain(cell.value);
        expect(reply.text).not.toContain(cell.backupValue);
        const succeeded = outcome === "ok" || outcome === "ok-without-values";
        if (succeeded) entry.check?.(reply, cell, principal);
        if (method === "GET") {
          // fastify's HEAD twin runs the same handler: same answer, no body.
          const head = await call(server, tokens[principal], "HEAD", path);
          expect(head.status).toBe(reply.status);
          expect(head.text).toBe("");
        }

        const changed = changes(before, await world(server, cell.secret.id));
        const ownerAfter = await ownerView(cell);
        if (succeeded && entry.writes) {
          expect(changed, "an allowed write shows in what is stored").not.toEqual([]);
        } else {
          expect(ownerAfter, "the owner reads the secret back unchanged").toEqual(ownerBefore);
          expect(changed, "nothing stored changed").toEqual([]);
        }

        if (entry.access.kind === "secret" && visibility === "private" && principal !== "owner") {
          // Someone else's private secret is never touched, whatever the reply.
          expect(ownerAfter, "the owner's private secret is untouched").toEqual(ownerBefore);
        }
        const hidden =
          entry.access.kind === "secret"
            ? visibility === "private" && principal !== "owner"
            : outcome === "not-found";
        if (hidden) {
          // What the caller may not see (a private secret, another user's token) is answered exactly
          // as what does not exist at all.
          const ghost: Cell = {
            ...cell,
            secret: { id: randomUUID(), name: `ghost-${randomUUID().slice(0, 8)}`, private: true },
            bystander: {
              name: `ghost-${randomUUID().slice(0, 8)}`,
              tokenId: randomUUID().replaceAll("-", "").slice(0, 12),
            },
          };
          const request = entry.request(ghost);
          const missing = await call(server, tokens[principal], method, request.path, request.body);
          expect(missing.status).toBe(reply.status);
          const normal = (text: string, of: Cell) =>
            text
              .replaceAll(of.secret.id, "ID")
              .replaceAll(of.secret.name, "NAME")
              .replaceAll(of.bystander.tokenId, "TOKEN")
              .replaceAll(of.bystander.name, "USER")
              .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "ID")
              .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z/g, "TIME");
          expect(normal(reply.text, cell)).toBe(normal(missing.text, ghost));
        }
      } finally {
        await entry.cleanup?.(cell);
      }
    },
  );

  it.each(principals)(
    "the list as %s never carries values and shows private secrets to their owner only",
    async (principal) => {
      const value = `fake-value-${randomUUID()}`;
      const prefix = `list-${randomUUID().slice(0, 8)}`;
      await call(server, tokens.owner, "POST", "/api/v1/secrets", {
        name: `${prefix}-pub`,
        values: { k: value },
      });
      await call(server, tokens.owner, "POST", "/api/v1/secrets", {
        name: `${prefix}-priv`,
        values: { k: value },
        private: true,
      });
      const response = await call(
        server,
        tokens[principal],
        "GET",
        `/api/v1/secrets?name_startswith=${prefix}`,
      );
      if (principal === "no token" || principal === "bad token") {
        expect(response.status).toBe(401);
        return;
      }
      expect(response.status).toBe(200);
      expect(response.text).not.toContain(value);
      const names = (response.body as { items: Array<{ name: string }> }).items
        .map((item) => item.name)
        .sort();
      expect(names).toEqual(principal === "owner" ? [`${prefix}-priv`, `${prefix}-pub`] : [`${prefix}-pub`]);
    },
  );
});

describe("the access matrix covers the server", () => {
  let registered: string[];
  let document: { paths: Record<string, Record<string, { summary?: string }>> };

  beforeAll(async () => {
    registered = routeKeys(registeredRoutes(server.running.app));
    document = (await call(server, undefined, "GET", "/api/v1/openapi.json")).body as typeof document;
  });

  it("every route the server registers has a matrix entry, and every entry names a registered route", () => {
    const listed = [...new Set(entries.map((entry) => entry.route))].sort();
    expect({
      "registered routes missing from the matrix": registered.filter((route) => !listed.includes(route)),
      "matrix entries for routes the server does not register": listed.filter(
        (route) => !registered.includes(route),
      ),
    }).toEqual({
      "registered routes missing from the matrix": [],
      "matrix entries for routes the server does not register": [],
    });
  });

  it("the route table read from fastify holds every operation of the served OpenAPI document", () => {
    const documented = openApiRouteKeys(document);
    expect(documented.length).toBeGreaterThan(10);
    expect(documented.filter((route) => !registered.includes(route))).toEqual([]);
  });

  it("the audit log is read by admins and auditors only (roles.ts), and auditors read no values", () => {
    expect(ROLES.filter((role) => can(role, "read-audit"))).toEqual(["admin", "auditor"]);
    expect(can("auditor", "read-values")).toBe(false);
    expect(can("auditor", "write")).toBe(false);
  });

  it("every role in roles.ts is held by one of the matrix's identities", () => {
    const held = new Set(Object.values(roleOf));
    expect(ROLES.filter((role) => !held.has(role))).toEqual([]);
  });

  it("an operation the OpenAPI document marks (admin) declares the admin permission", () => {
    const markedAdmin = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([, operation]) => /\(admin\)/.test(operation.summary ?? ""))
        .map(([method]) => `${method.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ":$1")}`),
    );
    expect(markedAdmin.length).toBeGreaterThan(0);
    for (const route of markedAdmin) expect(declared.get(route)?.permission, route).toBe("admin");
  });

  it.each(ADMIN_ONLY_ROUTES)(
    "admin-only %s declares the admin permission, which roles.ts gives to admins alone",
    (route) => {
      expect(declared.get(route)?.permission).toBe("admin");
      expect(ROLES.filter((role) => can(role, "admin"))).toEqual(["admin"]);
    },
  );

  // roles.ts: creating, updating, renaming, changing visibility and deleting need the writer role.
  // The cells follow the declarations, so this is what notices a secret write declared weaker.
  it("every route that writes a secret declares the write permission", () => {
    const secretWrites = entries.filter((entry) => entry.access.kind === "secret" && entry.writes);
    expect(secretWrites.length).toBeGreaterThanOrEqual(7);
    for (const entry of secretWrites)
      expect(declared.get(entry.route)?.permission, entry.route).toBe("write");
  });

  it("every route declares exactly the access the specification gives it", () => {
    const declaredAccess = Object.fromEntries(
      [...declared]
        .filter(([key]) => !key.startsWith("HEAD "))
        .map(([key, access]) => [key, access.permission])
        .sort(([a], [b]) => String(a).localeCompare(String(b))),
    );
    const specified = Object.fromEntries(Object.entries(ACCESS_SPEC).sort(([a], [b]) => a.localeCompare(b)));
    expect(declaredAccess).toEqual(specified);
  });

  it("the routes the server declares admin-only are the ones listed from roles.ts", () => {
    const declaredAdmin = [...declared]
      .filter(([key, access]) => access.permission === "admin" && !key.startsWith("HEAD "))
      .map(([key]) => key)
      .sort();
    expect(declaredAdmin).toEqual([...ADMIN_ONLY_ROUTES].sort());
  });

  const adminOnly = entries.filter(
    (entry) =>
      declared.get(entry.route)?.permission === "admin" ||
      (entry.access.kind === "caller" && entry.access.handlerNeeds === "admin"),
  );
  it.each(adminOnly.map(labelOf))(
    "admin-only %s is tried, and refused, for every identity without the admin role",
    (label) => {
      const nonAdmins = principals.filter((principal) => {
        const role = roleOf[principal];
        return role === undefined || !can(role, "admin");
      });
      expect(nonAdmins.length).toBe(principals.length - 1);
      for (const principal of nonAdmins) {
        for (const visibility of ["private", "public"] as const) {
          const cell = cells.find(
            (each) => each.label === label && each.principal === principal && each.visibility === visibility,
          );
          expect(cell?.outcome, `${label} as ${principal}`).toMatch(
            /^(unauthenticated|forbidden|not-found)$/,
          );
        }
      }
    },
  );
});
