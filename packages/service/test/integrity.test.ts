// Metadata rows are sealed (src/metadata-seal.ts): someone with write access to the metadata
// database but not the metadata key cannot swap names, hand a secret to another owner, make a
// private secret public or damage its key list without a typed IntegrityError on the next read —
// and one bad row never breaks anyone's listing. On SQLite, PostgreSQL and MySQL, tampering with
// real SQL through the same driver.
import { IntegrityError, type SecretsSession } from "@coffer/core";
import { type Database, openDatabase } from "@coffer/sql";
import { describeWithDatabase } from "@coffer/testkit/vitest";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIGRATIONS_TABLE, type SecretsService } from "../src/index.js";
import type { MetadataTables } from "../src/schema.js";
import { memoryService, sqliteUrl, tempDir } from "./helpers.js";

function describeIntegrity(label: string, databaseUrl: () => string) {
  describe(`${label}: tampered metadata`, () => {
    let service: SecretsService;
    let database: Database;
    let db: Kysely<MetadataTables>;
    let alice: SecretsSession;
    let bob: SecretsSession;
    let prefix: string;

    beforeAll(async () => {
      ({ service } = await memoryService(databaseUrl()));
      database = openDatabase(databaseUrl());
      db = database.db as Kysely<MetadataTables>;
      alice = service.as({ id: "alice" });
      bob = service.as({ id: "bob" });
    });
    afterAll(async () => {
      await service?.close();
      await database?.close();
    });

    async function secrets(...names: string[]) {
      prefix = `t${Math.random().toString(36).slice(2, 8)}-`;
      for (const name of names) {
        await alice.create({
          name: prefix + name,
          values: { k: `fake-${name}` },
          private: name.startsWith("p"),
        });
      }
      await bob.create({ name: `${prefix}bobs`, values: { k: "fake-bob" } });
    }
    const idOf = async (name: string) =>
      (
        await db
          .selectFrom("coffer_secrets")
          .select("id")
          .where("name", "=", prefix + name)
          .executeTakeFirstOrThrow()
      ).id;
    const listed = async (session: SecretsSession) =>
      (await session.list({ name: { startsWith: prefix } })).items.map((item) =>
        item.name.slice(prefix.length),
      );

    it("two rows' names swapped: reading either is an IntegrityError, never the other's values", async () => {
      await secrets("s1", "s2", "s3");
      const [s1, s2] = [await idOf("s1"), await idOf("s2")];
      await db
        .updateTable("coffer_secrets")
        .set({ name: `${prefix}tmp` })
        .where("id", "=", s1)
        .execute();
      await db
        .updateTable("coffer_secrets")
        .set({ name: `${prefix}s1` })
        .where("id", "=", s2)
        .execute();
      await db
        .updateTable("coffer_secrets")
        .set({ name: `${prefix}s2` })
        .where("id", "=", s1)
        .execute();
      await expect(alice.get({ name: `${prefix}s1` })).rejects.toBeInstanceOf(IntegrityError);
      await expect(alice.get({ name: `${prefix}s2` })).rejects.toBeInstanceOf(IntegrityError);
      await expect(alice.getMetadata({ id: s2 })).rejects.toThrow(/failed its integrity check/);
      // The listing leaves both out and goes on: everyone else's secrets are still there.
      expect(await listed(alice)).toEqual(["bobs", "s3"]);
      expect(await listed(bob)).toEqual(["bobs", "s3"]);
      expect((await alice.get({ name: `${prefix}s3` })).get("k")).toBe("fake-s3");
    });

    it("a private secret handed to another owner: the new 'owner' gets an IntegrityError, not the values", async () => {
      await secrets("p1", "s3");
      const p1 = await idOf("p1");
      await db
        .updateTable("coffer_secrets")
        .set({ owner: "bob", scope: "bob" })
        .where("id", "=", p1)
        .execute();
      const attempt = bob.get({ name: `${prefix}p1` });
      await expect(attempt).rejects.toBeInstanceOf(IntegrityError);
      await expect(attempt).rejects.not.toThrow(/fake-p1/);
      expect(await listed(bob)).toEqual(["bobs", "s3"]);
      expect(await listed(alice)).toEqual(["bobs", "s3"]);
    });

    it("a private secret made public: others get an IntegrityError; listings go on", async () => {
      await secrets("p2", "s3");
      const p2 = await idOf("p2");
      await db.updateTable("coffer_secrets").set({ private: 0, scope: "" }).where("id", "=", p2).execute();
      await expect(bob.get({ name: `${prefix}p2` })).rejects.toBeInstanceOf(IntegrityError);
      await expect(bob.getMetadata({ id: p2 })).rejects.toBeInstanceOf(IntegrityError);
      expect(await listed(bob)).toEqual(["bobs", "s3"]);
    });

    it("a raised version or a damaged key list is an IntegrityError for that secret only", async () => {
      await secrets("s4", "s5", "s3");
      await db
        .updateTable("coffer_secrets")
        .set({ keys: "[not json" })
        .where("id", "=", await idOf("s4"))
        .execute();
      await db
        .updateTable("coffer_secrets")
        .set({ version: 7 })
        .where("id", "=", await idOf("s5"))
        .execute();
      await expect(alice.get({ name: `${prefix}s4` })).rejects.toBeInstanceOf(IntegrityError);
      await expect(
        alice.update({ name: `${prefix}s5` }, { values: { k: "fake-new" } }),
      ).rejects.toBeInstanceOf(IntegrityError);
      await expect(alice.validateReferences({ x: `{{${prefix}s4.k}}` })).rejects.toBeInstanceOf(
        IntegrityError,
      );
      expect(await listed(alice)).toEqual(["bobs", "s3"]);
      expect(await listed(bob)).toEqual(["bobs", "s3"]);
    });

    it("rows written before sealing are sealed once on upgrade; a seal removed later is tampering", async () => {
      await secrets("s6", "s7");
      // As a database from before this version: no seals, the backfill migration not yet run.
      await db.updateTable("coffer_secrets").set({ mac: null }).where("name", "like", `${prefix}%`).execute();
      // (and so without the later migrations, which Kysely will not run before an earlier one)
      await db
        .deleteFrom(MIGRATIONS_TABLE as "coffer_secrets")
        .where("name" as "id", ">=", "0006")
        .execute();
      await expect(alice.get({ name: `${prefix}s6` })).rejects.toThrow(/carries no seal/);
      const { service: upgraded } = await memoryService(databaseUrl());
      const rows = await db
        .selectFrom("coffer_secrets")
        .select("mac")
        .where("name", "like", `${prefix}%`)
        .execute();
      expect(rows.every((row) => typeof row.mac === "string" && row.mac.length > 0)).toBe(true);
      expect((await upgraded.getMetadata({ id: "alice" }, { name: `${prefix}s6` })).version).toBe(1);
      await upgraded.close();
      // The backfill has run: a row whose seal is removed now stays unreadable.
      await db
        .updateTable("coffer_secrets")
        .set({ mac: null })
        .where("id", "=", await idOf("s7"))
        .execute();
      const { service: again } = await memoryService(databaseUrl());
      await expect(again.getMetadata({ id: "alice" }, { name: `${prefix}s7` })).rejects.toBeInstanceOf(
        IntegrityError,
      );
      await again.close();
    });

    it("a lost or wrong metadata keyring stops the start instead of making a new key", async () => {
      await secrets("s8");
      await expect(memoryService(databaseUrl(), {}, { dataDir: tempDir() })).rejects.toThrow(
        /metadata keyring file .* is missing, but the metadata database .* holds rows sealed with key/,
      );
      const other = JSON.stringify({ active: "m9", keys: { m9: Buffer.alloc(32, 7).toString("base64") } });
      await expect(memoryService(databaseUrl(), {}, { metadataKeyring: other })).rejects.toBeInstanceOf(
        IntegrityError,
      );
    });
  });
}

const sqlite = sqliteUrl();
describeIntegrity("SQLite", () => sqlite);
describeWithDatabase("postgres", (getDb) => describeIntegrity("PostgreSQL", () => getDb().url));
describeWithDatabase("mysql", (getDb) => describeIntegrity("MySQL", () => getDb().url));
