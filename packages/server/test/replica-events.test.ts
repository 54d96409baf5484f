// The change feed across replicas (issue 19): two coffer-server processes on one PostgreSQL (and one
// MySQL). A client watching replica B sees every change acknowledged by replica A, in order, and a
// client that reconnects — to the other replica — resumes from its last event id without a gap and
// without a duplicate. Measured: the latency from the acknowledged write on A to the event at a
// client of B (PostgreSQL: LISTEN/NOTIFY; MySQL: the poll), printed as median and p99.

import { startMysql, startPostgres, type TestDatabase } from "@coffer/testkit";
import { describeWith } from "@coffer/testkit/vitest";
import { expect, it } from "vitest";
import { openEventStream } from "./event-stream-reader.js";
import { ReplicaSet } from "./replicas/replica-set.js";

const WRITES = 200;

interface Deployment {
  set: ReplicaSet;
  stop(): Promise<void>;
}

async function startDeployment(startDatabase: () => Promise<TestDatabase>): Promise<Deployment> {
  const database = await startDatabase();
  const url = `${database.url}${database.url.includes("?") ? "&" : "?"}poolSize=4`;
  const set = new ReplicaSet(url, 2, { identityCacheSeconds: 1 });
  const stop = async () => {
    await set.stop().catch(() => undefined);
    await database.stop();
  };
  try {
    await set.start();
    return { set, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

// The median tells a NOTIFY wake-up (a few ms) from a poll (PostgreSQL would poll like MySQL, every
// 250 ms, if the LISTEN were lost on the way — as it once was behind the metrics wrapper). The goal,
// p99 < 100 ms on PostgreSQL, is printed; the p99 bound asserted leaves room for a loaded machine.
for (const [label, startDatabase, medianMs, p99Ms] of [
  ["PostgreSQL", startPostgres, 50, 500],
  ["MySQL", startMysql, 400, 1500],
] as const) {
  describeWith(
    `the change feed across two replicas on one ${label}`,
    () => startDeployment(startDatabase),
    (get) => {
      const token = () => get().set.adminToken;
      const a = () => get().set.at(0);
      const b = () => get().set.at(1);

      it("a client on replica B sees each change acknowledged by replica A (latency measured)", async () => {
        const watch = await openEventStream(b().url, token());
        expect(watch.status).toBe(200);
        await watch.next(["ready"]);
        const name = `replicated-${Date.now()}`;
        const latencies: number[] = [];
        try {
          for (let version = 1; version <= WRITES; version++) {
            const reply = await fetch(`${a().url}/api/v1/secrets/by-name?name=${name}`, {
              method: "PUT",
              headers: { authorization: `Bearer ${token()}`, "content-type": "application/json" },
              body: JSON.stringify({ values: { k: `fake-${version}` } }),
            });
            await reply.text();
            const acknowledged = performance.now();
            expect(reply.status).toBe(version === 1 ? 201 : 200);
            const event = await watch.next(["change"], 5000);
            const data = JSON.parse(event.data);
            expect([data.name, data.version]).toEqual([name, version]);
            // The event can arrive before the reply (NOTIFY is sent at commit): that counts as 0.
            latencies.push(Math.max(0, event.receivedAt - acknowledged));
          }
        } finally {
          watch.close();
        }
        const sorted = [...latencies].sort((x, y) => x - y);
        const median = percentile(sorted, 50);
        const p99 = percentile(sorted, 99);
        console.log(
          `[feed latency] ${label}, acknowledged write on replica A → event at a client of replica B, ${WRITES} writes: median ${median.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms`,
        );
        expect(median).toBeLessThan(medianMs);
        expect(p99).toBeLessThan(p99Ms);
      }, 180_000);

      it("a client that reconnects to the other replica resumes without a gap or a duplicate", async () => {
        const name = `resumed-${Date.now()}`;
        const write = async (version: number) => {
          const reply = await fetch(`${a().url}/api/v1/secrets/by-name?name=${name}`, {
            method: "PUT",
            headers: { authorization: `Bearer ${token()}`, "content-type": "application/json" },
            body: JSON.stringify({ values: { k: `fake-${version}` } }),
          });
          expect(reply.status).toBeLessThan(300);
          await reply.text();
        };
        const first = await openEventStream(b().url, token(), { query: `name=${name}` });
        await first.next(["ready"]);
        for (let version = 1; version <= 3; version++) await write(version);
        const seen = [];
        for (let i = 0; i < 3; i++) seen.push(await first.next(["change"]));
        first.close();
        for (let version = 4; version <= 8; version++) await write(version);
        const resumed = await openEventStream(a().url, token(), {
          query: `name=${name}`,
          lastEventId: seen.at(-1)!.id!,
        });
        const rest = [];
        for (let i = 0; i < 5; i++) rest.push(await resumed.next(["change"]));
        const extra = await resumed.collect(300);
        resumed.close();
        const versions = [...seen, ...rest].map((event) => JSON.parse(event.data).version);
        expect(versions).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
        expect(extra).toEqual([]);
      });

      // The metadata cache (packages/service/src/metadata-cache.ts, on by default): replica B
      // serves reads by name from it; a change acknowledged by A reaches B's reads by the time B's
      // event stream has delivered it (the stream waits for the cache to take it in).
      it("a read on replica B after its event stream delivered A's change has the change (the metadata cache)", async () => {
        const name = `cached-${Date.now()}`;
        const headers = { authorization: `Bearer ${token()}`, "content-type": "application/json" };
        const readOnB = async (secret: string) => {
          const reply = await fetch(`${b().url}/api/v1/secrets/by-name?name=${secret}`, { headers });
          // A 404's body is not needed; a 200's fields are read below.
          const body = (reply.status === 200 ? await reply.json() : await reply.text().then(() => ({}))) as {
            id?: string;
            version?: number;
            values?: Record<string, string>;
          };
          return { status: reply.status, body };
        };
        const watch = await openEventStream(b().url, token());
        await watch.next(["ready"]);
        try {
          for (let version = 1; version <= 20; version++) {
            const reply = await fetch(`${a().url}/api/v1/secrets/by-name?name=${name}`, {
              method: "PUT",
              headers,
              body: JSON.stringify({ values: { k: `fake-${version}` } }),
            });
            expect(reply.status).toBeLessThan(300);
            await reply.text();
            await watch.next(["change"], 5000);
            // Twice: the first read may fill the cache, the second is served from it.
            for (let read = 0; read < 2; read++) {
              const got = await readOnB(name);
              expect([got.status, got.body.version, got.body.values]).toEqual([
                200,
                version,
                { k: `fake-${version}` },
              ]);
            }
          }
          const { id } = (await readOnB(name)).body;
          const renamed = `${name}-renamed`;
          const rename = await fetch(`${a().url}/api/v1/secrets/${id}/rename`, {
            method: "POST",
            headers,
            body: JSON.stringify({ name: renamed }),
          });
          expect(rename.status).toBe(200);
          await rename.text();
          await watch.next(["change"], 5000);
          expect((await readOnB(name)).status).toBe(404);
          expect((await readOnB(renamed)).status).toBe(200);
          const removed = await fetch(`${a().url}/api/v1/secrets/${id}`, {
            method: "DELETE",
            headers: { authorization: `Bearer ${token()}` },
          });
          expect(removed.status).toBeLessThan(300);
          await watch.next(["change"], 5000);
          expect((await readOnB(renamed)).status).toBe(404);
        } finally {
          watch.close();
        }
      }, 120_000);
    },
  );
}
