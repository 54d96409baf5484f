// The read cache of metadata lookups (metadata-cache.ts, cache-coherence.ts). Its promises:
// - a read after a write acknowledged by the same service never sees the old metadata, for every
//   kind of change (create, update, put, rename, visibility, rollback, delete, reconcile);
// - a change made through another service (another process on one SQLite file; PostgreSQL;
//   MySQL) is seen by the next read once the feed delivered it (the test waits on the cache's
//   own catch-up, not a sleep);
// - while the feed is not heard (LISTEN connection killed, polls failing or stopped) the cache
//   serves nothing, so a missed notification is never a stale read;
// - a row cached for one user is never served to another (private secrets), and the bound holds.
// Each test first shows the row is served from the cache (a hit), so that a stale answer would be
// what the next read gets if the invalidation were missing.
import { execFile } from "node:child_process";
import { existsSync, symlinkSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type Logger, SecretNotFoundError, type SecretRef, type SecretsSession } from "@coffer/core";
import { openDatabase } from "@coffer/sql";
import { describeWithDatabase } from "@coffer/testkit/vitest";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SecretsService } from "../src/index.js";
import { dataDirFor, memoryService, sqliteUrl } from "./helpers.js";

const run = promisify(execFile);
const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "cache-writer.mjs");

/** Waits for a condition the code under test brings about (no fixed sleep); fails after `ms`. */
async function until(what: string, condition: () => boolean, ms = 5_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Starts the cache's follower (the first read does) and waits until it serves. */
async function serving(service: SecretsService): Promise<void> {
  await service.getMetadata({ id: "warm-up" }, { name: "warm-up" }).catch(() => undefined);
  await until("the cache serves", () => service.metadataCache?.serving === true);
}

/** Runs `read` twice and checks the second came from the cache; returns its result. */
async function cachedRead<T>(service: SecretsService, read: () => Promise<T>): Promise<T> {
  await read();
  const before = service.metadataCache!.stats().hits;
  const result = await read();
  expect(service.metadataCache!.stats().hits, "the second read is served from the cache").toBe(before + 1);
  return result;
}

async function expectNotFound(read: Promise<unknown>): Promise<void> {
  await expect(read).rejects.toBeInstanceOf(SecretNotFoundError);
}

let counter = 0;
const unique = (base: string) => `${base}-${counter++}-${Math.random().toString(36).slice(2, 8)}`;

function describeOneService(label: string, databaseUrl: () => string) {
  describe(`${label}: read after write on one service`, () => {
    let service: SecretsService;
    let alice: SecretsSession;
    let bob: SecretsSession;
    const failing = new Set<string>();

    beforeAll(async () => {
      ({ service } = await memoryService(
        databaseUrl(),
        {},
        {
          hooks: {
            beforeStep(step) {
              if (failing.has(step)) throw new Error(`injected fault before ${step}`);
            },
          },
        },
      ));
      alice = service.as({ id: "alice" });
      bob = service.as({ id: "bob" });
      await serving(service);
    });
    afterAll(async () => service?.close());

    it("create: a name read as missing is found once created (no negative answers cached)", async () => {
      const name = unique("create");
      await expectNotFound(alice.get({ name }));
      await alice.create({ name, values: { k: "fake-1" } });
      expect((await alice.get({ name })).values).toEqual({ k: "fake-1" });
    });

    it("update and put: the next read has the new version (by name and by id)", async () => {
      const name = unique("update");
      const { id } = await alice.create({ name, values: { k: "fake-1" } });
      await cachedRead(service, () => alice.get({ name }));
      await cachedRead(service, () => alice.get({ id }));
      await alice.update({ name }, { values: { k: "fake-2" } });
      expect(await alice.getMetadata({ name })).toMatchObject({ version: 2 });
      expect(await alice.getMetadata({ id })).toMatchObject({ version: 2 });
      await cachedRead(service, () => alice.get({ name }));
      await alice.put(name, { k: "fake-3" });
      const read = await alice.get({ name });
      expect([read.version, read.values]).toEqual([3, { k: "fake-3" }]);
    });

    it("rename: the old name is gone and the new one found, at once", async () => {
      const name = unique("rename");
      const { id } = await alice.create({ name, values: { k: "fake" } });
      await cachedRead(service, () => alice.getMetadata({ name }));
      await cachedRead(service, () => alice.getMetadata({ id }));
      const renamed = unique("renamed");
      await alice.rename({ id }, renamed);
      await expectNotFound(alice.getMetadata({ name }));
      expect(await alice.getMetadata({ id })).toMatchObject({ name: renamed, version: 2 });
    });

    it("visibility: another user loses a secret made private at once, and finds it made public again", async () => {
      const name = unique("visibility");
      const { id } = await alice.create({ name, values: { k: "fake" } });
      await cachedRead(service, () => bob.getMetadata({ name }));
      await cachedRead(service, () => bob.getMetadata({ id }));
      await alice.setVisibility({ id }, true);
      await expectNotFound(bob.getMetadata({ name }));
      await expectNotFound(bob.getMetadata({ id }));
      await expectNotFound(bob.get({ id }));
      await alice.setVisibility({ id }, false);
      expect(await bob.getMetadata({ name })).toMatchObject({ private: false, version: 3 });
    });

    it("a new private secret of a public one's name is what its owner's next read by name finds", async () => {
      const name = unique("shadow");
      await alice.create({ name, values: { k: "fake-public" } });
      await cachedRead(service, () => alice.get({ name }));
      await alice.create({ name, values: { k: "fake-private" }, private: true });
      expect((await alice.get({ name })).values).toEqual({ k: "fake-private" });
      // Bob still finds the public one; his own lookup was never alice's.
      expect((await bob.get({ name })).values).toEqual({ k: "fake-public" });
    });

    it("rollback: the next read has the rolled-back values at the new version", async () => {
      const name = unique("rollback");
      await alice.create({ name, values: { k: "fake-1" } });
      await alice.update({ name }, { values: { k: "fake-2" } });
      await cachedRead(service, () => alice.get({ name }));
      await alice.rollback({ name }, 1);
      const read = await alice.get({ name });
      expect([read.version, read.values]).toEqual([3, { k: "fake-1" }]);
    });

    it("delete: the metadata is gone at once (by name and by id)", async () => {
      const name = unique("delete");
      const { id } = await alice.create({ name, values: { k: "fake" } });
      await cachedRead(service, () => alice.getMetadata({ name }));
      await cachedRead(service, () => alice.getMetadata({ id }));
      await alice.delete({ name });
      await expectNotFound(alice.getMetadata({ name }));
      await expectNotFound(alice.getMetadata({ id }));
      await expectNotFound(alice.history({ id }));
    });

    it("reconcile: an update cut short and then completed by reconcile is read at its new version", async () => {
      const name = unique("reconcile");
      const { id } = await alice.create({ name, values: { k: "fake-1" } });
      await cachedRead(service, () => alice.get({ id }));
      failing.add("update.commit");
      try {
        await expect(alice.update({ id }, { values: { k: "fake-2" } })).rejects.toThrow(/injected/);
      } finally {
        failing.clear();
      }
      // Locked but visible: the read goes to the database, and the locked row is not cached.
      expect((await alice.get({ id })).version).toBe(1);
      expect((await service.reconcile({ olderThanMs: 0 })).completedUpdates).toContain(id);
      const read = await alice.get({ id });
      expect([read.version, read.values]).toEqual([2, { k: "fake-2" }]);
    });

    it("another user's private secret is never served from the cache, by name or by id", async () => {
      const name = unique("private");
      const { id } = await alice.create({ name, values: { k: "fake-alice-only" }, private: true });
      await cachedRead(service, () => alice.get({ name }));
      await cachedRead(service, () => alice.get({ id }));
      await cachedRead(service, () => alice.get({ name, private: true }));
      await expectNotFound(bob.get({ name }));
      await expectNotFound(bob.get({ id }));
      await expectNotFound(bob.get({ name, private: true }));
      await expectNotFound(bob.getMetadata({ id }));
    });
  });
}

describeOneService("SQLite", sqliteUrl);
describeWithDatabase("postgres", (getDb) => describeOneService("PostgreSQL", () => getDb().url));
describeWithDatabase("mysql", (getDb) => describeOneService("MySQL", () => getDb().url));

describe("the bound and the switch", () => {
  it("holds at most `entries` lookups, evicting the least recently used; reads stay right", async () => {
    const { service } = await memoryService(sqliteUrl(), {}, { metadataCache: { entries: 5 } });
    try {
      const alice = service.as({ id: "alice" });
      await serving(service);
      const names = Array.from({ length: 20 }, (_, i) => `bound-${i}`);
      for (const name of names) await alice.create({ name, values: { k: `fake-${name}` } });
      for (const name of names) expect((await alice.get({ name })).values).toEqual({ k: `fake-${name}` });
      expect(service.metadataCache!.stats().entries).toBe(5);
      // The five most recent are hits; the first is long evicted.
      const before = service.metadataCache!.stats();
      await alice.get({ name: "bound-19" });
      await alice.get({ name: "bound-0" });
      const after = service.metadataCache!.stats();
      expect([after.hits - before.hits, after.misses - before.misses]).toEqual([1, 1]);
      expect(after.entries).toBe(5);
    } finally {
      await service.close();
    }
  });

  it("0 entries turns it off: no cache, and reads work as before", async () => {
    const { service } = await memoryService(sqliteUrl(), {}, { metadataCache: { entries: 0 } });
    try {
      expect(service.metadataCache).toBeUndefined();
      const alice = service.as({ id: "alice" });
      await alice.create({ name: "off", values: { k: "fake" } });
      expect((await alice.get({ name: "off" })).values).toEqual({ k: "fake" });
    } finally {
      await service.close();
    }
  });
});

/** A logger that keeps its warnings (the feed's loss is announced there). */
function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    warnings,
    debug() {},
    info() {},
    warn(message) {
      warnings.push(message);
    },
    error() {},
  };
}

/**
 * Service B reads through its cache while service A (its own connections, its own feed) writes:
 * only the feed can tell B. `change` runs on A and returns the feed's head after it.
 */
function describeAcrossServices(
  label: string,
  databaseUrl: () => string,
  writer: () => { change(action: string, ref: SecretRef, argument?: unknown): Promise<number> },
  reader: () => SecretsService,
) {
  it(`${label}: a change made elsewhere is seen by the next read once the feed delivered it`, async () => {
    const b = reader();
    const bob = b.as({ id: "bob" });
    await serving(b);
    const name = unique("across");
    const head = await writer().change("create", { name }, name);
    await b.metadataCache!.caughtUp(head);
    const found = await cachedRead(b, () => bob.getMetadata({ name }));
    expect(found.version).toBe(1);

    const renamed = unique("across-renamed");
    await b.metadataCache!.caughtUp(await writer().change("rename", { name }, renamed));
    await expectNotFound(bob.getMetadata({ name }));
    expect(await cachedRead(b, () => bob.getMetadata({ id: found.id }))).toMatchObject({ version: 2 });

    await b.metadataCache!.caughtUp(await writer().change("visibility", { id: found.id }, true));
    await expectNotFound(bob.getMetadata({ id: found.id }));
    await expectNotFound(bob.getMetadata({ name: renamed }));

    await b.metadataCache!.caughtUp(await writer().change("visibility", { id: found.id }, false));
    await cachedRead(b, () => bob.getMetadata({ name: renamed }));
    await b.metadataCache!.caughtUp(await writer().change("delete", { id: found.id }));
    await expectNotFound(bob.getMetadata({ name: renamed }));
    await expectNotFound(bob.getMetadata({ id: found.id }));
    void databaseUrl;
  }, 60_000);
}

/**
 * The same database under another URL: @coffer/sql shares one handle per URL in a process, and
 * services on one handle hear each other's commits directly — a writer that should reach the
 * reader only through the feed (NOTIFY, data_version, the counter poll) needs its own handle.
 */
function otherHandleUrl(url: string): string {
  if (url.startsWith("postgres://")) return `postgresql://${url.slice("postgres://".length)}`;
  if (url.startsWith("postgresql://")) return `postgres://${url.slice("postgresql://".length)}`;
  if (url.startsWith("mysql://")) return `${url}${url.includes("?") ? "&" : "?"}connectTimeout=10001`;
  // SQLite: the file through a symlink to its directory (the key is the path as given).
  const file = url.slice("sqlite://".length);
  const link = `${path.dirname(file)}-link`;
  if (!existsSync(link)) symlinkSync(path.dirname(file), link);
  return `sqlite://${path.join(link, path.basename(file))}`;
}

/** A writer that is another service in this process on its own database handle (and feed). */
async function inProcessWriter(url: string) {
  // The reader's data directory: its metadata keyring seals and checks the rows.
  const { service } = await memoryService(otherHandleUrl(url), {}, { dataDir: dataDirFor(url) });
  const alice = service.as({ id: "alice" });
  return {
    service,
    async change(action: string, ref: SecretRef, argument?: unknown): Promise<number> {
      if (action === "create") await alice.create({ name: argument as string, values: { k: "fake" } });
      else if (action === "rename") await alice.rename(ref, argument as string);
      else if (action === "visibility") await alice.setVisibility(ref, argument as boolean);
      else if (action === "delete") await alice.delete(ref);
      return service.changes.head();
    },
  };
}

describe("SQLite: two services on one database handle in one process", () => {
  const url = sqliteUrl();
  let b: SecretsService;
  let a: SecretsService;
  beforeAll(async () => {
    ({ service: b } = await memoryService(url));
    ({ service: a } = await memoryService(url));
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });
  describeAcrossServices(
    "SQLite, one shared connection",
    () => url,
    () => ({
      async change(action, ref, argument) {
        const alice = a.as({ id: "alice" });
        if (action === "create") await alice.create({ name: argument as string, values: { k: "fake" } });
        else if (action === "rename") await alice.rename(ref, argument as string);
        else if (action === "visibility") await alice.setVisibility(ref, argument as boolean);
        else if (action === "delete") await alice.delete(ref);
        return a.changes.head();
      },
    }),
    () => b,
  );
});

describe("SQLite: another process writes the same file", () => {
  const url = sqliteUrl();
  let b: SecretsService;
  beforeAll(async () => {
    ({ service: b } = await memoryService(url));
  });
  afterAll(async () => b?.close());
  describeAcrossServices(
    "SQLite, two processes",
    () => url,
    () => ({
      async change(action, ref, argument) {
        const { stdout } = await run(process.execPath, [
          CHILD,
          JSON.stringify({ url, dataDir: dataDirFor(url), action, ref, argument }),
        ]);
        return (JSON.parse(stdout) as { head: number }).head;
      },
    }),
    () => b,
  );
});

function describeTwoServices(label: string, databaseUrl: () => string) {
  describe(`${label}: two services on one database`, () => {
    let a: Awaited<ReturnType<typeof inProcessWriter>>;
    let b: SecretsService;
    beforeAll(async () => {
      a = await inProcessWriter(databaseUrl());
      ({ service: b } = await memoryService(databaseUrl()));
    });
    afterAll(async () => {
      await a?.service.close();
      await b?.close();
    });
    describeAcrossServices(
      label,
      databaseUrl,
      () => a,
      () => b,
    );
  });
}
describeWithDatabase("postgres", (getDb) => describeTwoServices("PostgreSQL", () => getDb().url));
describeWithDatabase("mysql", (getDb) => describeTwoServices("MySQL", () => getDb().url));

describeWithDatabase("postgres", (getDb) =>
  it("PostgreSQL: the LISTEN connection killed → the cache serves nothing until it is back and caught up", async () => {
    const url = getDb().url;
    const a = await inProcessWriter(url);
    const logger = recordingLogger();
    const { service: b } = await memoryService(url, {}, { logger });
    const admin = openDatabase(url);
    try {
      const bob = b.as({ id: "bob" });
      await serving(b);
      const name = unique("listen");
      await b.metadataCache!.caughtUp(await a.change("create", { name }, name));
      await cachedRead(b, () => bob.getMetadata({ name }));
      // Kill B's LISTEN connection (A never read through a cache, so it listens nowhere).
      const killed = await sql<{ pid: number }>`select pid from pg_stat_activity
        where query ilike 'listen%' and pid <> pg_backend_pid()`.execute(admin.db);
      expect(killed.rows.length).toBeGreaterThanOrEqual(1);
      for (const { pid } of killed.rows) await sql`select pg_terminate_backend(${pid})`.execute(admin.db);
      await until("B hears its LISTEN connection fail", () =>
        logger.warnings.some((line) => line.includes("LISTEN connection failed")),
      );
      // A change whose NOTIFY B cannot hear: B's next read must not be the cached row.
      const renamed = unique("listen-renamed");
      await a.change("rename", { name }, renamed);
      await expectNotFound(bob.getMetadata({ name }));
      // Back (reconnected and caught up): it serves again, and hears A again.
      await until("the cache serves again", () => b.metadataCache!.serving);
      await cachedRead(b, () => bob.getMetadata({ name: renamed }));
      await b.metadataCache!.caughtUp(await a.change("delete", { name: renamed }));
      await expectNotFound(bob.getMetadata({ name: renamed }));
    } finally {
      await admin.close();
      await a.service.close();
      await b.close();
    }
  }, 60_000),
);

/** The poll made to fail, or to stop (never settle), by the test. */
function controlledPoll() {
  let mode: "normal" | "fail" | "stop" = "normal";
  let resume: (() => void) | undefined;
  const control = {
    failures: 0,
    set(next: "normal" | "fail" | "stop") {
      mode = next;
      if (next === "normal") resume?.();
    },
    beforePoll(): Promise<void> {
      if (mode === "fail") {
        control.failures++;
        return Promise.reject(new Error("injected poll failure"));
      }
      if (mode === "stop") return new Promise((resolve) => (resume = resolve));
      return Promise.resolve();
    },
  };
  return control;
}

function describePollLoss(label: string, databaseUrl: () => string) {
  for (const loss of ["fail", "stop"] as const) {
    it(`${label}: polls that ${loss === "fail" ? "fail" : "stop"} → the cache serves nothing until they are back and caught up`, async () => {
      const url = databaseUrl();
      const a = await inProcessWriter(url);
      const poll = controlledPoll();
      const { service: b } = await memoryService(
        url,
        {},
        { changes: { pollMs: 20, beforePoll: poll.beforePoll } },
      );
      try {
        const bob = b.as({ id: "bob" });
        await serving(b);
        const name = unique(`poll-${loss}`);
        await b.metadataCache!.caughtUp(await a.change("create", { name }, name));
        await cachedRead(b, () => bob.getMetadata({ name }));
        poll.set(loss);
        // A failed poll counts at once (well within the last good poll's lease); stopped polls
        // are noticed when that lease runs out.
        if (loss === "fail") await until("a poll failed", () => poll.failures > 0);
        else await until("the cache stops serving", () => !b.metadataCache!.serving, 5_000);
        const renamed = unique(`poll-${loss}-renamed`);
        await a.change("rename", { name }, renamed);
        await expectNotFound(bob.getMetadata({ name }));
        poll.set("normal");
        await until("the cache serves again", () => b.metadataCache!.serving);
        await cachedRead(b, () => bob.getMetadata({ name: renamed }));
        await b.metadataCache!.caughtUp(await a.change("delete", { name: renamed }));
        await expectNotFound(bob.getMetadata({ name: renamed }));
      } finally {
        poll.set("normal");
        await a.service.close();
        await b.close();
      }
    }, 60_000);
  }
}
describePollLoss("SQLite", sqliteUrl);
describeWithDatabase("mysql", (getDb) => describePollLoss("MySQL", () => getDb().url));
