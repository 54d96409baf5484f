import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { openDatabase } from "@coffer/sql";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IdentityStore } from "../src/index.js";
import { call, startTestServer, type TestServer } from "./helpers.js";

describe("identity store", () => {
  const open = async (clock?: () => number) => {
    const database = openDatabase(
      `sqlite://${path.join(mkdtempSync(path.join(tmpdir(), "coffer-id-")), "c.db")}`,
    );
    return { database, identity: await IdentityStore.open(database, clock ? { clock } : {}) };
  };

  it("bootstraps the admin once, and keeps only a hash of its token", async () => {
    const { database, identity } = await open();
    const issued = await identity.bootstrap("admin");
    expect(issued?.token).toMatch(/^coffer_[a-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
    expect(await identity.bootstrap("admin")).toBeUndefined();
    expect(await identity.authenticate(issued!.token)).toMatchObject({ user: "admin", role: "admin" });
    const rows = await sql<Record<string, unknown>>`select * from coffer_tokens`.execute(database.db);
    // The secret part after `coffer_<id>_` (it may itself hold "_", so not split("_")[2]).
    const secretPart = issued!.token.slice("coffer_".length + 13);
    expect(secretPart).toHaveLength(43);
    expect(JSON.stringify(rows.rows)).not.toContain(secretPart);
    await database.close();
  });

  it("accepts a configured bootstrap token and refuses a malformed one", async () => {
    const { identity } = await open();
    const token = `coffer_abcdefghijkl_${"A".repeat(43)}`;
    await identity.bootstrap("root", token);
    expect((await identity.authenticate(token)).user).toBe("root");
    await expect((await open()).identity.bootstrap("root", "hunter2")).rejects.toThrow(/not a Coffer token/);
  });

  it("refuses expired, revoked and unknown tokens with UnauthenticatedError", async () => {
    let now = Date.parse("2026-01-01T00:00:00Z");
    const { identity } = await open(() => now);
    await identity.createUser("dev", "writer");
    const short = await identity.issueToken("dev", { expiresInDays: 1 });
    expect((await identity.authenticate(short.token)).user).toBe("dev");
    now += 2 * 86_400_000;
    await expect(identity.authenticate(short.token)).rejects.toThrow(/expired/);
    const other = await identity.issueToken("dev");
    await identity.revokeToken(other.id, {
      user: "dev",
      userId: other.userId,
      role: "writer",
      tokenId: other.id,
    });
    await expect(identity.authenticate(other.token)).rejects.toThrow(/not valid/);
    await expect(identity.authenticate("coffer_xxxxxxxxxxxx_nope")).rejects.toThrow(/not valid/);
    await expect(identity.authenticate(undefined)).rejects.toThrow(/No API token/);
  });

  it("revokes a deleted user's tokens", async () => {
    const { identity } = await open();
    await identity.createUser("leaver", "reader");
    const token = await identity.issueToken("leaver");
    await identity.deleteUser("leaver");
    await expect(identity.authenticate(token.token)).rejects.toThrow(/not valid/);
  });

  it("validates user names and roles", async () => {
    const { identity } = await open();
    await expect(identity.createUser("Bad Name", "reader")).rejects.toThrow(/not a valid user name/);
    await expect(identity.createUser("ok", "superuser" as never)).rejects.toThrow(/not a role/);
    await identity.createUser("ok", "reader");
    await expect(identity.createUser("ok", "reader")).rejects.toThrow(/already exists/);
  });
});

describe("identity endpoints", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it("lets an admin create users and tokens; the token is shown once and works", async () => {
    const user = await call(server, server.adminToken, "POST", "/api/v1/users", {
      name: "carol",
      role: "value-reader",
    });
    expect(user.status).toBe(201);
    const enrollment = await call(server, server.adminToken, "POST", "/api/v1/tokens", { user: "carol" });
    expect(enrollment.status).toBe(201);
    expect(enrollment.body).toMatchObject({ user: "carol", kind: "enrollment", createdBy: "admin" });
    const token = await call(server, (enrollment.body as { token: string }).token, "POST", "/api/v1/tokens", {
      description: "ci",
      expiresInDays: 30,
    });
    expect(token.status).toBe(201);
    expect(token.body).toMatchObject({ user: "carol", kind: "api", createdBy: "carol" });
    const secret = (token.body as { token: string }).token;
    expect((await call(server, secret, "GET", "/api/v1/me")).body).toEqual({
      user: "carol",
      userId: (user.body as { id: string }).id,
      role: "value-reader",
    });
    const listed = await call(server, server.adminToken, "GET", "/api/v1/tokens");
    expect(listed.text).not.toContain(secret);
  });

  it("keeps user management to admins and tokens to their owners", async () => {
    const writer = await server.user("dave", "writer");
    expect((await call(server, writer, "POST", "/api/v1/users", { name: "eve", role: "admin" })).status).toBe(
      403,
    );
    expect((await call(server, writer, "POST", "/api/v1/tokens", { user: "admin" })).status).toBe(403);
    const own = await call(server, writer, "POST", "/api/v1/tokens", { description: "laptop" });
    expect(own.status).toBe(201);
    const adminTokens = (await call(server, server.adminToken, "GET", "/api/v1/tokens")).body as {
      tokens: Array<{ id: string; user: string }>;
    };
    const adminTokenId = adminTokens.tokens.find((token) => token.user === "admin")!.id;
    expect((await call(server, writer, "DELETE", `/api/v1/tokens/${adminTokenId}`)).status).toBe(404);
    const revoke = await call(server, writer, "DELETE", `/api/v1/tokens/${(own.body as { id: string }).id}`);
    expect(revoke.status).toBe(204);
    expect((await call(server, (own.body as { token: string }).token, "GET", "/api/v1/me")).status).toBe(401);
  });
});
