// The read cache against a running server (SQLite, real sockets), with a counting proxy in front
// so that "backend calls" are counted where they arrive: TTL, single flight, bounded
// stale-while-revalidate, the invalidation hook a change feed will call, private/public keys,
// invalidation by this client's writes, and errors never stored.

import { setTimeout as sleep } from "node:timers/promises";
import { SecretNotFoundError } from "@coffer/core";
import type { RunningServer } from "@coffer/server";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type CacheOptions,
  type CofferClient,
  closeSecrets,
  createClient,
  InvalidConfigError,
  Secret,
  setDefaultClient,
} from "../src/index.js";
import { type CountingProxy, startCountingProxy } from "./counting-proxy.js";
import { freshClient } from "./helpers.js";
import { startTestServer } from "./remote-server.js";

let server: RunningServer;
let proxy: CountingProxy;
let writer: CofferClient;
let serial = 0;

async function tokenFor(user: string): Promise<string> {
  await server.identity.createUser(user, "writer").catch(() => undefined);
  return (await server.identity.issueToken(user)).token;
}

/** A client for `user` through the proxy, with a cache. */
async function cachedClient(cache: CacheOptions, user = "alice"): Promise<CofferClient> {
  return createClient({ url: proxy.url, token: await tokenFor(user), cache });
}

/** A fresh name per test, so tests share the server without sharing secrets. */
function name(): string {
  return `cached-${++serial}`;
}

beforeAll(async () => {
  server = await startTestServer();
  proxy = await startCountingProxy(server.url);
  // Writes by "another program": straight to the server, not through any cache.
  writer = createClient({ url: server.url, token: await tokenFor("alice") });
});
afterAll(async () => {
  await proxy.close();
  await server.close();
});
beforeEach(() => {
  proxy.valueReads = 0;
  proxy.delayMs = 0;
});

describe("the read cache", () => {
  it("coalesces 1,000 concurrent reads of one secret into one backend call", async () => {
    const secret = name();
    await writer.createSecret(secret, { password: "pw-1" });
    const client = await cachedClient({ ttlMs: 60_000 });
    const reads = await Promise.all(Array.from({ length: 1000 }, () => client.getSecret(secret)));
    expect(proxy.valueReads).toBe(1);
    expect(client.cache?.backendReads).toBe(1);
    expect(new Set(reads.map((read) => read.get("password")))).toEqual(new Set(["pw-1"]));
  });

  it("serves a value for ttlMs, then reads it again", async () => {
    const secret = name();
    await writer.createSecret(secret, { password: "old" });
    const client = await cachedClient({ ttlMs: 1000 });
    expect((await client.getSecret(secret)).get("password")).toBe("old");
    await writer.updateSecret(secret, { values: { password: "new" } });
    expect((await client.getSecret(secret)).get("password")).toBe("old");
    expect(proxy.valueReads).toBe(1);
    await sleep(1050);
    expect((await client.getSecret(secret)).get("password")).toBe("new");
    expect(proxy.valueReads).toBe(2);
  });

  it("serves a stale value while one refresh runs, and never past staleWhileRevalidateMs", async () => {
    const secret = name();
    await writer.createSecret(secret, { password: "v1" });
    const client = await cachedClient({ ttlMs: 100, staleWhileRevalidateMs: 2000 });
    await client.getSecret(secret);
    await writer.updateSecret(secret, { values: { password: "v2" } });
    await sleep(150); // past the TTL, within the bound
    proxy.delayMs = 100;
    const stale = await Promise.all(Array.from({ length: 50 }, () => client.getSecret(secret)));
    expect(stale.every((read) => read.get("password") === "v1")).toBe(true); // served at once
    await sleep(200);
    expect(proxy.valueReads).toBe(2); // one refresh for 50 stale reads
    expect((await client.getSecret(secret)).get("password")).toBe("v2"); // the refresh landed

    await writer.updateSecret(secret, { values: { password: "v3" } });
    await sleep(2200); // past ttlMs + staleWhileRevalidateMs: the read must wait for the server
    expect((await client.getSecret(secret)).get("password")).toBe("v3");
  });

  it("never stores an error: a secret created after a failed read is found at once", async () => {
    const secret = name();
    const client = await cachedClient({ ttlMs: 60_000 });
    await expect(client.getSecret(secret)).rejects.toBeInstanceOf(SecretNotFoundError);
    await writer.createSecret(secret, { password: "here" });
    expect((await client.getSecret(secret)).get("password")).toBe("here");
  });

  it("keeps at most maxEntries, dropping the least recently used", async () => {
    const names = [name(), name(), name()];
    for (const secret of names) await writer.createSecret(secret, { v: secret });
    const client = await cachedClient({ ttlMs: 60_000, maxEntries: 2 });
    for (const secret of names) await client.getSecret(secret);
    expect(proxy.valueReads).toBe(3);
    await client.getSecret(names[2]!); // kept
    await client.getSecret(names[1]!); // kept
    expect(proxy.valueReads).toBe(3);
    await client.getSecret(names[0]!); // dropped when the third came in
    expect(proxy.valueReads).toBe(4);
  });
});

describe("invalidation", () => {
  it("invalidate(name) and invalidate(id) make the next read go to the server", async () => {
    const secret = name();
    const created = await writer.createSecret(secret, { password: "a" });
    const client = await cachedClient({ ttlMs: 60_000 });
    await client.getSecret(secret);
    await client.get({ id: created.id });
    await writer.updateSecret(secret, { values: { password: "b" } });
    expect((await client.getSecret(secret)).get("password")).toBe("a");
    client.cache!.invalidate(secret); // by name: the entry by id goes too
    expect((await client.getSecret(secret)).get("password")).toBe("b");
    expect((await client.get({ id: created.id })).get("password")).toBe("b");

    await writer.updateSecret(secret, { values: { password: "c" } });
    expect((await client.get({ id: created.id })).get("password")).toBe("b");
    client.cache!.invalidate(created.id); // by id: the entries by name go too
    expect((await client.get({ id: created.id })).get("password")).toBe("c");
    expect((await client.getSecret(secret)).get("password")).toBe("c");
  });

  it("invalidateAll() forgets everything", async () => {
    const [one, two] = [name(), name()];
    await writer.createSecret(one, { v: "1" });
    await writer.createSecret(two, { v: "2" });
    const client = await cachedClient({ ttlMs: 60_000 });
    await client.getSecret(one);
    await client.getSecret(two);
    client.cache!.invalidateAll();
    await client.getSecret(one);
    await client.getSecret(two);
    expect(proxy.valueReads).toBe(4);
  });

  it("does not store what a read in flight brings back after its secret was invalidated", async () => {
    const secret = name();
    await writer.createSecret(secret, { password: "before" });
    const client = await cachedClient({ ttlMs: 60_000 });
    proxy.delayMs = 150;
    const inFlight = client.getSecret(secret);
    await sleep(20); // the request is at the proxy, before the server read it
    client.cache!.invalidate(secret); // a change feed says it changed
    proxy.delayMs = 0;
    await inFlight;
    await writer.updateSecret(secret, { values: { password: "after" } });
    expect((await client.getSecret(secret)).get("password")).toBe("after");
    expect(proxy.valueReads).toBe(2);
  });

  it("with followChanges, a change made by another client is read fresh within the feed's latency, long before ttlMs", async () => {
    const secret = name();
    await writer.createSecret(secret, { password: "before" });
    const client = await cachedClient({ ttlMs: 600_000, followChanges: true });
    try {
      expect((await client.getSecret(secret)).get("password")).toBe("before");
      // Wait until the feed is followed: the cache is dropped once when the watch is ready, so a
      // read that goes to the server again shows it.
      const readsBefore = client.cache!.backendReads;
      await expect
        .poll(async () => {
          await client.getSecret(secret);
          return client.cache!.backendReads;
        })
        .toBeGreaterThan(readsBefore);
      await writer.updateSecret(secret, { values: { password: "after" } });
      // ttlMs is ten minutes: only the feed can make this read go to the server.
      await expect
        .poll(async () => (await client.getSecret(secret)).get("password"), { timeout: 10_000 })
        .toBe("after");
      // A rename drops the old name's copy too: the old name is not found any more.
      await writer.rename({ name: secret }, `${secret}-renamed`);
      await expect
        .poll(
          async () =>
            client.getSecret(secret).then(
              () => "found",
              (error: unknown) => (error instanceof SecretNotFoundError ? "not found" : String(error)),
            ),
          { timeout: 10_000 },
        )
        .toBe("not found");
    } finally {
      await client.close();
    }
  });

  it("writes through the same client invalidate what they change", async () => {
    const secret = name();
    const client = await cachedClient({ ttlMs: 60_000 });
    await client.createSecret(secret, { password: "one" });
    await client.getSecret(secret);
    await client.updateSecret(secret, { values: { password: "two" } });
    expect((await client.getSecret(secret)).get("password")).toBe("two");
    await client.put(secret, { password: "three" });
    expect((await client.getSecret(secret)).get("password")).toBe("three");
    const renamed = `${secret}-renamed`;
    await client.rename({ name: secret }, renamed);
    await expect(client.getSecret(secret)).rejects.toBeInstanceOf(SecretNotFoundError);
    expect((await client.getSecret(renamed)).get("password")).toBe("three");
    await client.rollback({ name: renamed }, 1);
    expect((await client.getSecret(renamed)).get("password")).toBe("one");
    await client.deleteSecret(renamed);
    await expect(client.getSecret(renamed)).rejects.toBeInstanceOf(SecretNotFoundError);
  });
});

describe("keys", () => {
  it("keeps private and public secrets of one name apart", async () => {
    const secret = name();
    await writer.createSecret(secret, { who: "public" }, { private: false });
    await writer.createSecret(secret, { who: "private" }, { private: true });
    const client = await cachedClient({ ttlMs: 60_000 });
    expect((await client.getSecret(secret, { private: false })).get("who")).toBe("public");
    expect((await client.getSecret(secret, { private: true })).get("who")).toBe("private");
    expect((await client.getSecret(secret)).get("who")).toBe("private"); // by name: private first
    expect((await client.getSecret(secret, { private: false })).get("who")).toBe("public");
    expect(proxy.valueReads).toBe(3);
  });

  it("never shares an entry between two users' clients", async () => {
    const secret = name();
    const alice = await cachedClient({ ttlMs: 60_000 }, "alice");
    const bob = await cachedClient({ ttlMs: 60_000 }, "bob");
    await alice.createSecret(secret, { who: "alice" }, { private: true });
    await bob.createSecret(secret, { who: "bob" }, { private: true });
    expect((await alice.getSecret(secret)).get("who")).toBe("alice");
    expect((await bob.getSecret(secret)).get("who")).toBe("bob");
  });
});

describe("Secret(name) and options", () => {
  afterEach(() => closeSecrets());

  it("Secret(name) reads through the default client's cache", async () => {
    const secret = name();
    await writer.createSecret(secret, { port: "5432" });
    setDefaultClient(await cachedClient({ ttlMs: 60_000 }));
    expect(await Secret(secret).get("port")).toBe(5432);
    expect(await Secret(secret).get("port")).toBe(5432);
    expect(proxy.valueReads).toBe(1);
  });

  it("reads a version past the cache", async () => {
    const secret = name();
    await writer.createSecret(secret, { v: "1" });
    await writer.updateSecret(secret, { values: { v: "2" } });
    const client = await cachedClient({ ttlMs: 60_000 });
    expect((await client.get({ name: secret })).get("v")).toBe("2");
    expect((await client.get({ name: secret }, { version: 1 })).get("v")).toBe("1");
    expect((await client.get({ name: secret })).get("v")).toBe("2");
  });

  it("refuses bad cache options with an InvalidConfigError naming the option", async () => {
    for (const cache of [
      { ttlMs: 0 },
      { ttlMs: 10, staleWhileRevalidateMs: -1 },
      { ttlMs: 10, maxEntries: 0.5 },
    ]) {
      const client = await cachedClient(cache);
      const error = await client.getSecret("anything").catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(InvalidConfigError);
      expect((error as InvalidConfigError).message).toMatch(
        /cache\.(ttlMs|staleWhileRevalidateMs|maxEntries)/,
      );
    }
  });

  it("caches in local mode too", async () => {
    const { client } = freshClient({ cache: { ttlMs: 60_000 } });
    await client.createSecret("local-one", { v: "1" });
    await client.getSecret("local-one");
    await client.getSecret("local-one");
    expect(client.cache?.backendReads).toBe(1);
    await client.close();
  });
});
