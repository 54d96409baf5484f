// Version history beyond the service suite (S60–S64): the history table holds no values, a
// version row altered in the database fails its seal, values the store returns for a version
// that do not match the digests recorded for it are refused, bad version numbers are the same
// ValidationError however they are wrong, and a secret from before history existed still works.
// On SQLite, PostgreSQL and MySQL.
import { IntegrityError, SecretNotFoundError, type SecretsSession, ValidationError } from "@coffer/core";
import { type Database, openDatabase } from "@coffer/sql";
import type { MemoryStore } from "@coffer/store-memory";
import { describeWithDatabase } from "@coffer/testkit/vitest";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SecretsService } from "../src/index.js";
import type { MetadataTables } from "../src/schema.js";
import { memoryService, sqliteUrl } from "./helpers.js";

function describeHistory(label: string, databaseUrl: () => string) {
  describe(`${label}: version history`, () => {
    let service: SecretsService;
    let store: MemoryStore;
    let database: Database;
    let db: Kysely<MetadataTables>;
    let alice: SecretsSession;
    let n = 0;
    const name = (base: string) => `h${n++}-${Math.random().toString(36).slice(2, 8)}-${base}`;

    beforeAll(async () => {
      ({ service, store } = await memoryService(databaseUrl()));
      database = openDatabase(databaseUrl());
      db = database.db as Kysely<MetadataTables>;
      alice = service.as({ id: "alice" });
    });
    afterAll(async () => {
      await service?.close();
      await database?.close();
    });

    it("the version table holds key names and digests, never a value", async () => {
      const secret = await alice.create({ name: name("v"), values: { password: "fake-canary-1" } });
      await alice.update({ id: secret.id }, { values: { password: "fake-canary-2", user: "fake-canary-3" } });
      const rows = await db
        .selectFrom("coffer_secret_versions")
        .selectAll()
        .where("secret_id", "=", secret.id)
        .execute();
      expect(rows).toHaveLength(2);
      expect(JSON.stringify(rows)).not.toContain("fake-canary");
    });

    it("a version row altered in the database fails its seal: IntegrityError, naming no value", async () => {
      const secret = await alice.create({ name: name("t"), values: { k: "fake-t-1" } });
      await alice.update({ id: secret.id }, { values: { k: "fake-t-2" } });
      await db
        .updateTable("coffer_secret_versions")
        .set({ created_by: "mallory" })
        .where("secret_id", "=", secret.id)
        .where("version", "=", 1)
        .execute();
      const error = await alice.history({ id: secret.id }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IntegrityError);
      expect((error as Error).message).toContain(secret.id);
      await expect(alice.get({ id: secret.id }, { version: 1 })).rejects.toBeInstanceOf(IntegrityError);
      // The secret itself is intact.
      expect((await alice.get({ id: secret.id })).values).toEqual({ k: "fake-t-2" });
    });

    it("values the store returns for a version that are not the ones written then are refused", async () => {
      const secret = await alice.create({ name: name("d"), values: { k: "fake-d-1" } });
      await alice.update({ id: secret.id }, { values: { k: "fake-d-2" } });
      await alice.rename({ id: secret.id }, name("d-renamed")); // version 3: same values as 2
      // Written behind the service's back: the store's current revision no longer holds them.
      await store.update(secret.id, { k: "fake-d-other" });
      const error = await alice.get({ id: secret.id }, { version: 2 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IntegrityError);
      expect(JSON.stringify(error)).not.toContain("fake-d");
      expect((await alice.get({ id: secret.id }, { version: 1 })).values).toEqual({ k: "fake-d-1" });
    });

    it("keys named like Object's own properties are digested like any other: old versions read back", async () => {
      // Found by the server fuzz: a "__proto__" key's digest was lost (it set the digest map's
      // prototype), so every older version of such a secret failed its integrity check.
      const hostile = JSON.parse(
        '{"__proto__":"fake-p-1","constructor":"fake-c-1","hasOwnProperty":"fake-h-1","toString":"fake-t-1"}',
      ) as Record<string, string>;
      const secret = await alice.create({ name: name("proto"), values: hostile, private: true });
      await alice.setVisibility({ id: secret.id }, false); // version 2: the same values
      const updated = { ...hostile, constructor: "fake-c-2" };
      Object.defineProperty(updated, "__proto__", { value: "fake-p-2", enumerable: true });
      await alice.update({ id: secret.id }, { values: updated }); // version 3
      expect(Object.entries((await alice.get({ id: secret.id }, { version: 1 })).values)).toEqual(
        Object.entries(hostile),
      );
      const [v3, v2] = (await alice.history({ id: secret.id })).versions;
      expect(v2!.changes).toEqual({ added: [], removed: [], changed: [], private: false });
      expect(v3!.changes.changed.sort()).toEqual(["__proto__", "constructor"]);
      // A key the digests never had is a mismatch (IntegrityError), not a lookup that finds
      // Object.prototype's function and throws a TypeError.
      const other = await alice.create({ name: name("proto-other"), values: { a: "fake-a" } });
      await alice.rename({ id: other.id }, name("proto-other-renamed")); // version 2: same values
      await store.update(other.id, { constructor: "fake-x" }); // behind the service's back
      await expect(alice.get({ id: other.id }, { version: 1 })).rejects.toBeInstanceOf(IntegrityError);
    });

    it("a bad version number is the same ValidationError however it is wrong, and writes nothing", async () => {
      const secret = await alice.create({ name: name("b"), values: { k: "fake-b" } });
      for (const version of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, "1", null]) {
        const what = String(version);
        await expect(
          alice.get({ id: secret.id }, { version: version as number }),
          what,
        ).rejects.toBeInstanceOf(ValidationError);
        await expect(alice.rollback({ id: secret.id }, version as number), what).rejects.toBeInstanceOf(
          ValidationError,
        );
      }
      expect((await alice.getMetadata({ id: secret.id })).version).toBe(1);
    });

    it("a secret written before history existed: earlier versions are not found, new ones are recorded", async () => {
      const secret = await alice.create({ name: name("l"), values: { k: "fake-l-1" } });
      await alice.update({ id: secret.id }, { values: { k: "fake-l-2" } });
      await db.deleteFrom("coffer_secret_versions").where("secret_id", "=", secret.id).execute();
      expect((await alice.history({ id: secret.id })).versions).toEqual([]);
      await expect(alice.get({ id: secret.id }, { version: 1 })).rejects.toBeInstanceOf(SecretNotFoundError);
      await alice.update({ id: secret.id }, { values: { k: "fake-l-3", j: "fake-l-4" } });
      const history = await alice.history({ id: secret.id });
      expect(history.versions.map((each) => each.version)).toEqual([3]);
      // Nothing to compare with: every key shows as added, none as unchanged.
      expect(history.versions[0]!.changes).toEqual({ added: ["k", "j"], removed: [], changed: [] });
      expect((await alice.get({ id: secret.id }, { version: 3 })).values).toEqual({
        k: "fake-l-3",
        j: "fake-l-4",
      });
    });
  });
}

const sqlite = sqliteUrl();
describeHistory("SQLite", () => sqlite);
describeWithDatabase("postgres", (getDb) => describeHistory("PostgreSQL", () => getDb().url));
describeWithDatabase("mysql", (getDb) => describeHistory("MySQL", () => getDb().url));
