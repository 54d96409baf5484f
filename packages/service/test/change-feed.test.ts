// The change feed (change-log.ts, change-feed.ts): one event per committed change, in order, with
// no value in it; what another user sees (nothing of a private secret, `hidden` when a public one
// turns private); resuming from a pruned position says `gone`; a follower wakes for this process's
// changes and for another process's. On SQLite, PostgreSQL and MySQL.
import { DatabaseSync } from "node:sqlite";
import type { SecretsSession } from "@coffer/core";
import { type Database, openDatabase } from "@coffer/sql";
import { describeWithDatabase } from "@coffer/testkit/vitest";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChangeBatch, SecretChangeEvent, SecretsService } from "../src/index.js";
import type { MetadataTables } from "../src/schema.js";
import { memoryService, sqliteUrl } from "./helpers.js";

const CANARY = "fake-canary-value";

function describeFeed(label: string, databaseUrl: () => string) {
  describe(`${label}: change feed`, () => {
    let service: SecretsService;
    let alice: SecretsSession;
    let database: Database;
    let n = 0;
    const name = (base: string) => `c${n++}-${Math.random().toString(36).slice(2, 8)}-${base}`;
    const since = async (actor: string, from: number): Promise<SecretChangeEvent[]> => {
      const page = await service.changes.read(actor, from);
      if (page.gone) throw new Error("unexpectedly gone");
      return page.events;
    };

    beforeAll(async () => {
      ({ service } = await memoryService(databaseUrl()));
      database = openDatabase(databaseUrl());
      alice = service.as({ id: "alice" });
    });
    afterAll(async () => {
      await service?.close();
      await database?.close();
    });

    it("every kind of change yields one event, in order, naming the secret and never a value", async () => {
      const start = await service.changes.head();
      const created = await alice.create({ name: name("all"), values: { password: `${CANARY}-1` } });
      await alice.update({ id: created.id }, { values: { password: `${CANARY}-2` } });
      const renamed = name("renamed");
      await alice.rename({ id: created.id }, renamed);
      await alice.setVisibility({ id: created.id }, true);
      await alice.setVisibility({ id: created.id }, false);
      await alice.rollback({ id: created.id }, 1);
      await alice.delete({ id: created.id });
      const events = (await since("alice", start)).filter((event) => event.secretId === created.id);
      expect(events.map((event) => [event.action, event.version])).toEqual([
        ["create", 1],
        ["update", 2],
        ["rename", 3],
        ["visibility", 4],
        ["visibility", 5],
        ["rollback", 6],
        ["delete", 6],
      ]);
      expect(events[2]).toMatchObject({ name: renamed, previousName: created.name, owner: "alice" });
      expect(events[3]).toMatchObject({ private: true });
      const ids = events.map((event) => event.id);
      expect([...ids].sort((a, b) => a - b)).toEqual(ids);
      expect(new Set(ids).size).toBe(ids.length);
      // Not in the events, not in the table.
      expect(JSON.stringify(events)).not.toContain(CANARY);
      const rows = await (database.db as Kysely<MetadataTables>)
        .selectFrom("coffer_changes")
        .selectAll()
        .execute();
      expect(JSON.stringify(rows)).not.toContain(CANARY);
    });

    it("put, and a failed write, yield an event only for what committed", async () => {
      const start = await service.changes.head();
      const put = name("put");
      await alice.put(put, { k: "fake-1" });
      await alice.put(put, { k: "fake-2" });
      await expect(alice.create({ name: put, values: { k: "fake-3" } })).rejects.toThrow();
      await expect(
        alice.update({ name: put }, { values: { k: "fake-4" } }, { expectedVersion: 1 }),
      ).rejects.toThrow();
      const events = await since("alice", start);
      expect(events.map((event) => [event.name, event.action, event.version])).toEqual([
        [put, "create", 1],
        [put, "update", 2],
      ]);
    });

    it("another user's private secret produces nothing for them; its owner sees it all", async () => {
      const start = await service.changes.head();
      const secret = await alice.create({ name: name("mine"), values: { k: CANARY }, private: true });
      await alice.update({ id: secret.id }, { values: { k: `${CANARY}-2` } });
      await alice.rename({ id: secret.id }, name("still-mine"));
      await alice.delete({ id: secret.id });
      expect(await since("bob", start)).toEqual([]);
      expect((await since("alice", start)).map((event) => event.action)).toEqual([
        "create",
        "update",
        "rename",
        "delete",
      ]);
      // The position still moves past them for bob: a quiet reader does not fall behind.
      const page = await service.changes.read("bob", start);
      expect(page.cursor).toBe(await service.changes.head());
    });

    it("a public secret that turns private is `hidden` for others (the name they knew, nothing more)", async () => {
      const start = await service.changes.head();
      const secret = await alice.create({ name: name("shared"), values: { k: "fake-1" } });
      const secretName = name("secret-new-name");
      await alice.update({ id: secret.id }, { name: secretName, private: true });
      await alice.update({ id: secret.id }, { values: { k: "fake-2" } });
      await alice.setVisibility({ id: secret.id }, false);
      const forBob = await since("bob", start);
      expect(forBob.map((event) => event.action)).toEqual(["create", "hidden", "visibility"]);
      expect(forBob[1]).toEqual({
        id: forBob[1]!.id,
        secretId: secret.id,
        action: "hidden",
        name: secret.name,
        at: forBob[1]!.at,
      });
      expect(JSON.stringify(forBob.slice(0, 2))).not.toContain(secretName);
      // Public again: bob sees it under its current name, but not the private name's history.
      expect(forBob[2]).toMatchObject({ name: secretName, private: false });
    });

    it("a follower wakes up for a change committed in this process and resumes from its position", async () => {
      const controller = new AbortController();
      const feed = service.changes.follow("bob", undefined, controller.signal);
      const first = await feed.next();
      const start = (first.value as ChangeBatch).cursor;
      const created = await alice.create({ name: name("woken"), values: { k: "fake" } });
      const next = (await feed.next()).value as ChangeBatch;
      expect(next.gone).toBe(false);
      expect(next.gone === false && next.events.map((e) => e.secretId)).toEqual([created.id]);
      controller.abort();
      await feed.return(undefined);
      expect(next.cursor).toBeGreaterThan(start);
    });
  });
}

describeFeed(
  "SQLite",
  (() => {
    const url = sqliteUrl();
    return () => url;
  })(),
);
describeWithDatabase("postgres", (getDb) => describeFeed("PostgreSQL", () => getDb().url));
describeWithDatabase("mysql", (getDb) => describeFeed("MySQL", () => getDb().url));

describe("retention", () => {
  it("a position older than what is kept is `gone` (resync), never a feed with a hole", async () => {
    const { service } = await memoryService(
      sqliteUrl(),
      {},
      { changes: { retention: { events: 4, ms: 3600_000 } } },
    );
    try {
      const alice = service.as({ id: "alice" });
      const start = await service.changes.head();
      for (let i = 0; i < 10; i++) await alice.put("r", { k: `fake-${i}` });
      const page = await service.changes.read("alice", start);
      expect(page).toMatchObject({ gone: true, cursor: await service.changes.head() });
      // A recent position still reads without a gap.
      const recent = await service.changes.read("alice", (await service.changes.head()) - 2);
      expect(recent.gone === false && recent.events.map((e) => e.version)).toEqual([9, 10]);
      // A position beyond the feed (another database's) is `gone` too.
      expect((await service.changes.read("alice", 10_000)).gone).toBe(true);
    } finally {
      await service.close();
    }
  });
});

describe("another process", () => {
  it("SQLite: a follower wakes for a change another connection committed (data_version)", async () => {
    const url = sqliteUrl();
    const { service } = await memoryService(url, {}, { changes: { pollMs: 20 } });
    const controller = new AbortController();
    try {
      const feed = service.changes.follow("bob", undefined, controller.signal);
      const start = ((await feed.next()).value as ChangeBatch).cursor;
      // Another process's commit, as a second connection to the file makes it.
      const other = new DatabaseSync(url.slice("sqlite://".length));
      other.exec("begin; update coffer_change_counter set last_id = last_id + 1;");
      other
        .prepare(
          "insert into coffer_changes (id, secret_id, name, owner, private, version, action, at) values (?, 'x', 'elsewhere', 'carol', 0, 1, 'create', 0)",
        )
        .run(start + 1);
      other.exec("commit");
      other.close();
      const next = (await feed.next()).value as ChangeBatch;
      expect(next.gone === false && next.events.map((e) => e.name)).toEqual(["elsewhere"]);
      controller.abort();
      await feed.return(undefined);
    } finally {
      await service.close();
    }
  });
});

function describeTwoServices(label: string, databaseUrl: () => string) {
  it(`${label}: a follower on one service wakes for a change committed through another`, async () => {
    // Two services over one database: separate feeds, so only NOTIFY (PostgreSQL) or the poll
    // (MySQL) can wake the reader.
    const reader = await memoryService(databaseUrl(), {}, { changes: { pollMs: 20 } });
    const writer = await memoryService(databaseUrl());
    const controller = new AbortController();
    try {
      const feed = reader.service.changes.follow("bob", undefined, controller.signal);
      await feed.next();
      const created = await writer.service
        .as({ id: "alice" })
        .create({ name: `other-${Date.now()}`, values: { k: "fake" } });
      const next = (await feed.next()).value as ChangeBatch;
      expect(next.gone === false && next.events.map((e) => e.secretId)).toEqual([created.id]);
      // The wake-up's latency between two services (no HTTP): committed write → follower's batch.
      const latencies: number[] = [];
      for (let i = 0; i < 20; i++) {
        await writer.service.as({ id: "alice" }).put(`latency-${label}`, { k: `fake-${i}` });
        const acknowledged = performance.now();
        await feed.next();
        latencies.push(performance.now() - acknowledged);
      }
      latencies.sort((x, y) => x - y);
      console.log(
        `[feed wake-up] ${label}, service to service: median ${latencies[10]!.toFixed(1)} ms, max ${latencies[19]!.toFixed(1)} ms`,
      );
      controller.abort();
      await feed.return(undefined);
    } finally {
      await writer.service.close();
      await reader.service.close();
    }
  }, 90_000);
}
describeWithDatabase("postgres", (getDb) => describeTwoServices("PostgreSQL", () => getDb().url));
describeWithDatabase("mysql", (getDb) => describeTwoServices("MySQL", () => getDb().url));
