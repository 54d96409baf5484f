// GET /api/v1/events (routes/events.ts) over real sockets on a real server (SQLite): an event for
// every kind of write, never a value; resuming with Last-Event-ID or ?since= without a gap or a
// duplicate; another user's private secret never reaches their stream; a public secret turning
// private is `hidden` for others; a position beyond the feed is `reset`; heartbeats; and a graceful
// shutdown ends open streams at once instead of waiting out its grace period.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeHttpWithin } from "../src/shutdown.js";
import { openEventStream } from "./event-stream-reader.js";
import { call, startTestServer, type TestServer } from "./helpers.js";

const CANARY = "fake-canary-value-9f2c";

describe("GET /api/v1/events", () => {
  let server: TestServer & { app: Awaited<ReturnType<typeof startTestServer>>["app"] };
  let alice: string;
  let bob: string;
  let n = 0;
  const name = (base: string) => `e${n++}-${base}`;
  const create = async (token: string, body: Record<string, unknown>) => {
    const reply = await call(server, token, "POST", "/api/v1/secrets", body);
    expect(reply.status, reply.text).toBe(201);
    return reply.body as { id: string; name: string };
  };

  beforeAll(async () => {
    server = await startTestServer({ app: { events: { heartbeatMs: 200 } } });
    alice = await server.user("alice", "writer");
    bob = await server.user("bob", "writer");
  });
  afterAll(() => server?.close());

  it("needs a token, and refuses a malformed Last-Event-ID with a 400 (not a 500)", async () => {
    expect((await openEventStream(server.url, undefined)).status).toBe(401);
    for (const bad of ["abc", "-1", "1.5", "9".repeat(30)]) {
      const stream = await openEventStream(server.url, alice, { lastEventId: bad });
      expect(stream.status, bad).toBe(400);
    }
    expect((await openEventStream(server.url, alice, { query: "since=x" })).status).toBe(400);
  });

  it("streams an event for every kind of write, in order, with no value in it", async () => {
    const stream = await openEventStream(server.url, alice);
    expect(stream.status).toBe(200);
    expect(stream.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(stream.headers.get("cache-control")).toBe("no-store");
    const ready = await stream.next(["ready"]);
    const secret = await create(alice, { name: name("all"), values: { password: `${CANARY}-1` } });
    const base = `/api/v1/secrets/${secret.id}`;
    expect((await call(server, alice, "PATCH", base, { values: { password: `${CANARY}-2` } })).status).toBe(
      200,
    );
    expect((await call(server, alice, "POST", `${base}/rename`, { name: name("renamed") })).status).toBe(200);
    expect((await call(server, alice, "POST", `${base}/visibility`, { private: true })).status).toBe(200);
    expect((await call(server, alice, "POST", `${base}/rollback`, { toVersion: 1 })).status).toBe(200);
    expect((await call(server, alice, "DELETE", base)).status).toBe(204);
    const events = [];
    for (let i = 0; i < 6; i++) events.push(await stream.next(["change"]));
    stream.close();
    const data = events.map((event) => JSON.parse(event.data));
    expect(data.map((each) => each.action)).toEqual([
      "create",
      "update",
      "rename",
      "visibility",
      "rollback",
      "delete",
    ]);
    expect(data.map((each) => each.version)).toEqual([1, 2, 3, 4, 5, 5]);
    expect(data[0]).toMatchObject({ secretId: secret.id, owner: "alice", private: false });
    expect(data[2].previousName).toBe(secret.name);
    const ids = events.map((event) => Number(event.id));
    expect(ids[0]).toBeGreaterThan(Number(ready.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(JSON.stringify(events)).not.toContain(CANARY);
  });

  it("resumes from Last-Event-ID (or ?since=) without a gap and without a duplicate", async () => {
    const first = await openEventStream(server.url, alice);
    await first.next(["ready"]);
    const secret = await create(alice, { name: name("resume"), values: { k: "fake-0" } });
    const seen = [await first.next(["change"])];
    first.close();
    // Changes while no one is connected.
    for (let i = 1; i <= 3; i++) {
      const reply = await call(server, alice, "PUT", `/api/v1/secrets/by-name?name=${secret.name}`, {
        values: { k: `fake-${i}` },
      });
      expect(reply.status).toBe(200);
    }
    const lastId = seen.at(-1)!.id!;
    const resumed = await openEventStream(server.url, alice, { lastEventId: lastId, query: "since=0" });
    const more = await resumed.collect(400);
    resumed.close();
    const versions = more.map((event) => JSON.parse(event.data).version);
    expect(versions).toEqual([2, 3, 4]);
    // ?since= is the same position for clients that cannot set headers.
    const byQuery = await openEventStream(server.url, alice, { query: `since=${lastId}` });
    expect((await byQuery.collect(400)).map((event) => event.id)).toEqual(more.map((event) => event.id));
    byQuery.close();
  });

  it("another user's private secret never reaches their stream; a public one turning private is `hidden`", async () => {
    const bobs = await openEventStream(server.url, bob);
    await bobs.next(["ready"]);
    const own = await create(alice, { name: name("private"), values: { k: CANARY }, private: true });
    await call(server, alice, "PATCH", `/api/v1/secrets/${own.id}`, { values: { k: `${CANARY}-2` } });
    await call(server, alice, "DELETE", `/api/v1/secrets/${own.id}`);
    const shared = await create(alice, { name: name("shared"), values: { k: "fake" } });
    await call(server, alice, "POST", `/api/v1/secrets/${shared.id}/visibility`, { private: true });
    const events = (await bobs.collect(500)).map((event) => JSON.parse(event.data));
    bobs.close();
    expect(events.map((each) => [each.secretId, each.action])).toEqual([
      [shared.id, "create"],
      [shared.id, "hidden"],
    ]);
    expect(events[1]).toEqual({
      id: events[1].id,
      secretId: shared.id,
      action: "hidden",
      name: shared.name,
      at: events[1].at,
    });
    expect(JSON.stringify(events)).not.toContain(own.id);
    expect(JSON.stringify(events)).not.toContain(CANARY);
  });

  it("?name= keeps the events about that name", async () => {
    const watched = name("watched");
    const stream = await openEventStream(server.url, alice, { query: `name=${watched}` });
    await stream.next(["ready"]);
    await create(alice, { name: name("other"), values: { k: "fake" } });
    await create(alice, { name: watched, values: { k: "fake" } });
    const events = (await stream.collect(400)).map((event) => JSON.parse(event.data));
    stream.close();
    expect(events.map((each) => each.name)).toEqual([watched]);
  });

  it("a position beyond the feed is `reset` (resync), then the stream carries on", async () => {
    const stream = await openEventStream(server.url, alice, { lastEventId: "999999999" });
    const reset = await stream.next(["reset"]);
    expect(JSON.parse(reset.data)).toMatchObject({ reason: "gone" });
    const secret = await create(alice, { name: name("after-reset"), values: { k: "fake" } });
    expect(JSON.parse((await stream.next(["change"])).data).secretId).toBe(secret.id);
    expect(Number(reset.id)).toBeLessThan(999999999);
    stream.close();
  });

  it("?follow=false catches up and ends with `caught-up` at the position reached", async () => {
    const before = await openEventStream(server.url, alice, { query: "follow=false" });
    const start = Number((await before.next(["caught-up"])).id);
    await before.ended;
    const secret = await create(alice, { name: name("caught"), values: { k: "fake" } });
    const after = await openEventStream(server.url, alice, { query: `follow=false&since=${start}` });
    const change = await after.next(["change"]);
    const end = await after.next(["caught-up"]);
    await after.ended;
    expect(JSON.parse(change.data).secretId).toBe(secret.id);
    expect(Number(end.id)).toBe(Number(change.id));
  });

  it("sends heartbeats that carry the position", async () => {
    const stream = await openEventStream(server.url, bob);
    const ready = await stream.next(["ready"]);
    const heartbeat = await stream.next(["heartbeat"], 2000);
    expect(Number(heartbeat.id)).toBeGreaterThanOrEqual(Number(ready.id));
    stream.close();
  });
});

describe("GET /api/v1/events and a graceful shutdown", () => {
  it("ends open streams at once: the shutdown does not wait out its grace period", async () => {
    const server = await startTestServer();
    const token = await server.user("carol", "reader");
    const streams = await Promise.all([1, 2, 3].map(() => openEventStream(server.url, token)));
    for (const stream of streams) await stream.next(["ready"]);
    const started = Date.now();
    const { cut } = await closeHttpWithin(server.app, 10_000);
    const took = Date.now() - started;
    await Promise.all(streams.map((stream) => stream.ended));
    await server.close().catch(() => undefined);
    expect(cut).toBe(false);
    expect(took).toBeLessThan(2000);
  });
});
