// Owners are immutable user ids, not names (issue 12, item 3): a user deleted and created again
// under the same name is a new user, and the old one's private secrets stay unreadable. Replies
// show the owner's name (and id). Databases from before user ids are migrated: owner names of
// existing users become their ids, on SQLite and on PostgreSQL.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { silentLogger } from "@coffer/core";
import { createService } from "@coffer/service";
import { migrate, openDatabase } from "@coffer/sql";
import { MemoryStore } from "@coffer/store-memory";
import { describeWithDatabase } from "@coffer/testkit/vitest";
import { type Kysely, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashToken } from "../src/identity.js";
import { IDENTITY_MIGRATIONS_TABLE, identityMigrations } from "../src/identity-schema.js";
import { IdentityStore } from "../src/index.js";
import { call, startTestServer, type TestServer } from "./helpers.js";

interface SecretReply {
  id: string;
  name: string;
  owner: string;
  ownerId: string;
  values?: Record<string, string>;
}

describe("owners are user ids", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it("a re-created user does not inherit the old one's private secrets", async () => {
    const oldAlice = await server.user("alice", "writer");
    const created = await call(server, oldAlice, "POST", "/api/v1/secrets", {
      name: "diary",
      values: { entry: "fake-old-alice-entry" },
      private: true,
    });
    expect(created.status).toBe(201);
    const diary = created.body as SecretReply;

    expect((await call(server, server.adminToken, "DELETE", "/api/v1/users/alice")).status).toBe(204);
    const newAlice = await server.user("alice", "writer");

    for (const route of ["/api/v1/secrets/by-name?name=diary", `/api/v1/secrets/${diary.id}`]) {
      const read = await call(server, newAlice, "GET", route);
      expect(read.status).toBe(404);
      expect(read.text).not.toContain("fake-old-alice-entry");
    }
    const listed = await call(server, newAlice, "GET", "/api/v1/secrets?name=diary");
    expect((listed.body as { items: unknown[] }).items).toEqual([]);
    const resolved = await call(server, newAlice, "POST", "/api/v1/references/resolve", {
      document: "{{diary.entry}}",
      level: "NONE",
    });
    expect(resolved.text).not.toContain("fake-old-alice-entry");
    // The name space is the new user's own: her private "diary" is a new secret, not a conflict.
    const mine = await call(server, newAlice, "POST", "/api/v1/secrets", {
      name: "diary",
      values: { entry: "fake-new-alice-entry" },
      private: true,
    });
    expect(mine.status).toBe(201);
    expect((mine.body as SecretReply).id).not.toBe(diary.id);
  });

  it("replies show the owner's name and id; the owner filter takes a name", async () => {
    const bobToken = await server.user("bob", "writer");
    const bob = await server.identity.getUser("bob");
    expect(bob.id).toMatch(/^user:[0-9a-f]{20}$/);
    const created = await call(server, bobToken, "POST", "/api/v1/secrets", {
      name: "bob-public",
      values: { k: "fake-bob" },
    });
    expect(created.body).toMatchObject({ owner: "bob", ownerId: bob.id });
    const asAdmin = await call(server, server.adminToken, "GET", "/api/v1/secrets?owner=bob");
    expect((asAdmin.body as { items: SecretReply[] }).items).toEqual([
      expect.objectContaining({ name: "bob-public", owner: "bob", ownerId: bob.id }),
    ]);
    const users = (await call(server, server.adminToken, "GET", "/api/v1/users")).body as {
      users: Array<{ id: string; name: string }>;
    };
    expect(users.users).toContainEqual(expect.objectContaining({ id: bob.id, name: "bob" }));

    // Bob leaves: his public secret stays, showing his id where no name is left.
    await server.identity.deleteUser("bob");
    const after = await call(server, server.adminToken, "GET", "/api/v1/secrets?name=bob-public");
    expect((after.body as { items: SecretReply[] }).items).toEqual([
      expect.objectContaining({ owner: bob.id, ownerId: bob.id }),
    ]);
    const byId = await call(
      server,
      server.adminToken,
      "GET",
      `/api/v1/secrets?owner=${encodeURIComponent(bob.id)}`,
    );
    expect((byId.body as { items: SecretReply[] }).items.map((item) => item.name)).toEqual(["bob-public"]);
  });
});

/**
 * A database as an older server left it: users and tokens by name, secrets owned by names
 * (alice exists; "gone" was deleted before the upgrade). Then the new server opens it.
 */
async function migrationScenario(databaseUrl: string) {
  const dataDir = mkdtempSync(path.join(tmpdir(), "coffer-migrate-"));
  const database = openDatabase(databaseUrl);
  await migrate(database, IDENTITY_MIGRATIONS_TABLE, {
    "0001_identity": identityMigrations()["0001_identity"]!,
  });
  const token = `coffer_aliceoldtokn_${"A".repeat(43)}`;
  // identityMigrations(sealer): the sealer only matters for 0002, which re-owns sealed rows.
  await sql`insert into coffer_users (name, role, created_at) values ('alice', 'writer', 1)`.execute(
    database.db,
  );
  await sql`insert into coffer_tokens (id, user_name, hash, description, created_at)
    values ('aliceoldtokn', 'alice', ${hashToken(token)}, 'old laptop', 1)`.execute(database.db);
  const service = await createService({
    databaseUrl,
    dataDir,
    store: () => new MemoryStore({ maxValueBytes: 4096 }),
    logger: silentLogger,
  });
  try {
    // Before user ids the server passed the user's name as the actor id.
    await service.as({ id: "alice" }).create({ name: "a-private", values: { k: "fake-a" }, private: true });
    await service.as({ id: "alice" }).create({ name: "a-public", values: { k: "fake-b" } });
    await service.as({ id: "gone" }).create({ name: "g-private", values: { k: "fake-gone" }, private: true });
    // A row changed outside Coffer before the upgrade: the migration must not launder it with a new seal.
    await service.as({ id: "alice" }).create({ name: "a-tampered", values: { k: "fake-t" }, private: true });
    await (database.db as Kysely<{ coffer_secrets: { name: string; keys: string } }>)
      .updateTable("coffer_secrets")
      .set({ keys: '["k","extra"]' })
      .where("name", "=", "a-tampered")
      .execute();

    const identity = await IdentityStore.open(database, { sealer: service.sealer });
    const alice = await identity.getUser("alice");
    expect(alice.id).toMatch(/^user:/);
    // Her old token still works and now acts as her id.
    expect(await identity.authenticate(token)).toMatchObject({ user: "alice", userId: alice.id });
    const asAlice = service.as({ id: alice.id });
    expect((await asAlice.get({ name: "a-private" })).get("k")).toBe("fake-a");
    expect((await asAlice.getMetadata({ name: "a-public" })).owner).toBe(alice.id);
    // Re-owned rows were sealed again; the tampered one was left as it was and still fails.
    await expect(asAlice.get({ name: "a-tampered" })).rejects.toThrow(/not found|No secret/i);
    await expect(service.as({ id: "alice" }).get({ name: "a-tampered" })).rejects.toThrow(/integrity/i);
    // The bare name owns nothing any more.
    await expect(service.as({ id: "alice" }).get({ name: "a-private" })).rejects.toThrow(
      /not found|No secret/i,
    );
    // A new "gone" does not get the deleted user's private secret.
    const newGone = await identity.createUser("gone", "writer");
    await expect(service.as({ id: newGone.id }).get({ name: "g-private" })).rejects.toThrow(
      /not found|No secret/i,
    );
    // Migrating again (another replica starting) changes nothing.
    await IdentityStore.open(database, { sealer: service.sealer });
    expect((await identity.getUser("alice")).id).toBe(alice.id);
  } finally {
    await service.close();
    await database.close();
  }
}

describe("migration from owner names to ids", () => {
  it("on SQLite", async () => {
    await migrationScenario(`sqlite://${path.join(mkdtempSync(path.join(tmpdir(), "coffer-mig-")), "c.db")}`);
  });
});

describeWithDatabase("postgres", (getDb) => {
  it("on PostgreSQL", async () => {
    await migrationScenario(getDb().url);
  });
});

describeWithDatabase("mysql", (getDb) => {
  it("on MySQL", async () => {
    await migrationScenario(getDb().url);
  });
});
