// client.watch() (watch.ts) against a real server (startServer, SQLite) and in local mode: changes
// arrive as they happen, never with a value; another user's private secret never reaches a watch;
// when the server goes away and comes back the iterator reconnects and resumes from its last event
// id — every change made meanwhile arrives, once, in order.
import { createServer } from "node:net";
import type { RunningServer } from "@coffer/server";
import { startServer } from "@coffer/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CofferClient, createClient, type WatchEvent } from "../src/index.js";
import { freshClient, tempDir } from "./helpers.js";

const CANARY = "fake-canary-watch-7d1e";

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function serverOn(dataDir: string, port: number): Promise<RunningServer> {
  return startServer({
    env: { COFFER_DATA_DIR: dataDir, COFFER_LOG_LEVEL: "silent" },
    settings: { port, host: "127.0.0.1" },
    log: false,
  });
}

/** The next `count` events of an iterator, or a failure after `ms`. */
async function take(events: AsyncIterator<WatchEvent>, count: number, ms = 10_000): Promise<WatchEvent[]> {
  const got: WatchEvent[] = [];
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`only ${got.length} of ${count} events within ${ms} ms`)), ms);
  });
  try {
    while (got.length < count) {
      const next = await Promise.race([events.next(), timeout]);
      if (next.done) throw new Error("the watch ended");
      got.push(next.value);
    }
    return got;
  } finally {
    clearTimeout(timer);
  }
}

describe("client.watch() (remote)", () => {
  let dataDir: string;
  let port: number;
  let server: RunningServer;
  let alice: CofferClient;
  let bob: CofferClient;

  beforeAll(async () => {
    dataDir = tempDir();
    port = await freePort();
    server = await serverOn(dataDir, port);
    await server.identity.createUser("alice", "writer");
    await server.identity.createUser("bob", "writer");
    alice = createClient({ url: server.url, token: (await server.identity.issueToken("alice")).token });
    bob = createClient({ url: server.url, token: (await server.identity.issueToken("bob")).token });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("yields the changes of a name as they happen, with no value", async () => {
    const controller = new AbortController();
    const events = alice.watch("watched-1", { signal: controller.signal })[Symbol.asyncIterator]();
    const first = events.next();
    // The watch connects on its first next(): give it a moment before writing.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await alice.put("other-1", { k: "fake" });
    await alice.put("watched-1", { password: CANARY });
    await alice.put("watched-1", { password: `${CANARY}-2` });
    await alice.rename({ name: "watched-1" }, "watched-1b");
    const got = [(await first).value as WatchEvent, ...(await take(events, 2))];
    controller.abort();
    expect(got.map((event) => event.kind === "change" && [event.action, event.version])).toEqual([
      ["create", 1],
      ["update", 2],
      ["rename", 3],
    ]);
    expect(got[0]).toMatchObject({ name: "watched-1", owner: "alice", private: false });
    expect(JSON.stringify(got)).not.toContain(CANARY);
  });

  it("another user's private secret never reaches a watch of everything", async () => {
    const controller = new AbortController();
    const events = bob.watch(undefined, { signal: controller.signal })[Symbol.asyncIterator]();
    const first = events.next();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await alice.create({ name: "alices-own", values: { k: CANARY }, private: true });
    await alice.update({ name: "alices-own", private: true }, { values: { k: `${CANARY}-2` } });
    await alice.put("public-marker", { k: "fake" });
    const got = (await first).value as WatchEvent;
    controller.abort();
    expect(got).toMatchObject({ kind: "change", name: "public-marker", action: "create" });
  });

  it("reconnects after the server goes away and resumes: no gap, no duplicate", async () => {
    const controller = new AbortController();
    const events = alice.watch("resumed", { signal: controller.signal })[Symbol.asyncIterator]();
    const first = events.next();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await alice.put("resumed", { k: "fake-1" });
    expect(((await first).value as WatchEvent).kind).toBe("change");
    // The server stops (its streams end at once); the watch retries while it is down.
    await server.close();
    const pending = take(events, 3, 20_000);
    await new Promise((resolve) => setTimeout(resolve, 400));
    server = await serverOn(dataDir, port);
    for (let i = 2; i <= 4; i++) await alice.put("resumed", { k: `fake-${i}` });
    const got = await pending;
    controller.abort();
    expect(got.map((event) => event.kind === "change" && event.version)).toEqual([2, 3, 4]);
  });
});

describe("client.watch() (local)", () => {
  it("follows the embedded service's feed", async () => {
    const { client } = freshClient();
    try {
      const controller = new AbortController();
      const events = client.watch(["a", "b"], { signal: controller.signal })[Symbol.asyncIterator]();
      const first = events.next();
      await new Promise((resolve) => setTimeout(resolve, 300));
      await client.put("a", { k: CANARY });
      await client.put("c", { k: "fake" });
      await client.put("b", { k: "fake" });
      const got = [(await first).value as WatchEvent, ...(await take(events, 1))];
      controller.abort();
      expect(got.map((event) => event.kind === "change" && event.name)).toEqual(["a", "b"]);
      expect(JSON.stringify(got)).not.toContain(CANARY);
    } finally {
      await client.close();
    }
  });
});
