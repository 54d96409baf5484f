// Many writers on one secret, as several server instances would send them (three services, each
// with its own connection pool, over one metadata database and one store):
// - without an expected version the caller asked for last-writer-wins: every write succeeds, in
//   some order, and the version counts every one of them;
// - with check-and-set, writers that loop (read the version, write if it still matches) all get
//   their turn within a bound, and each version has exactly one winner.
// On SQLite, PostgreSQL and MySQL.
import { silentLogger, VersionConflictError } from "@coffer/core";
import { MemoryStore } from "@coffer/store-memory";
import { describeWithDatabase } from "@coffer/testkit/vitest";
import { describe, expect, it } from "vitest";
import { createService, type SecretsService } from "../src/index.js";
import { sqliteUrl, tempDir } from "./helpers.js";

const INSTANCES = 3;
const alice = { id: "alice" };

// A realistic backend round trip (the sql store writes a row; a cloud store takes tens of ms).
const STORE_LATENCY_MS = 10;
// URL parameters that change nothing but make each instance open a pool of its own.
const DISTINCT = {
  sqlite: () => "",
  postgres: (i: number) => `application_name=coffer-${i}`,
  mysql: (i: number) => ["", "supportBigNumbers=false", "bigNumberStrings=false"][i]!,
};

// Instances of one deployment share its metadata keyring, as they must (one data directory here).
const dataDirs = new Map<string, string>();

async function instances(databaseUrl: string): Promise<SecretsService[]> {
  const dataDir = dataDirs.get(databaseUrl) ?? tempDir();
  dataDirs.set(databaseUrl, dataDir);
  const store = new MemoryStore({ maxValueBytes: 4096, latencyMs: STORE_LATENCY_MS });
  const dialect = databaseUrl.startsWith("sqlite")
    ? "sqlite"
    : databaseUrl.startsWith("postgres")
      ? "postgres"
      : "mysql";
  const services: SecretsService[] = [];
  for (let i = 0; i < INSTANCES; i++) {
    const extra = DISTINCT[dialect](i);
    const url = extra ? `${databaseUrl}${databaseUrl.includes("?") ? "&" : "?"}${extra}` : databaseUrl;
    services.push(
      await createService({ databaseUrl: url, dataDir, store: () => store, logger: silentLogger }),
    );
  }
  return services;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function describeContention(label: string, databaseUrl: () => string) {
  describe(`${label}: contention on one secret`, () => {
    it("60 concurrent writers without an expected version all succeed; the version counts all 60", async () => {
      const services = await instances(databaseUrl());
      const name = `hot-${Math.random().toString(36).slice(2, 8)}`;
      const initial = await services[0]!.put(alice, name, { v: "fake-initial" });
      const latencies: number[] = [];
      const results = await Promise.allSettled(
        Array.from({ length: 60 }, async (_, n) => {
          const started = performance.now();
          try {
            return await services[n % INSTANCES]!.put(alice, name, { v: `fake-${n}` });
          } finally {
            latencies.push(performance.now() - started);
          }
        }),
      );
      const failed = results.filter((result) => result.status === "rejected");
      console.info(
        `${label} unconditional: ${60 - failed.length}/60 succeeded, median ${Math.round(median(latencies))} ms, max ${Math.round(Math.max(...latencies))} ms`,
      );
      expect(failed.map((result) => String((result as PromiseRejectedResult).reason))).toEqual([]);
      const final = await services[0]!.get(alice, { name });
      expect(final.version).toBe(initial.version + 60);
      expect(Array.from({ length: 60 }, (_, n) => `fake-${n}`)).toContain(final.get("v"));
      for (const service of services) await service.close();
    }, 120_000);

    it("writers in one process take turns in arrival order: the last caller's values are the ones kept", async () => {
      const [service, ...others] = await instances(databaseUrl());
      const name = `fifo-${Math.random().toString(36).slice(2, 8)}`;
      const initial = await service!.put(alice, name, { v: "fake-initial" });
      const written = await Promise.all(
        Array.from({ length: 30 }, (_, n) => service!.put(alice, name, { v: `fake-${n}` })),
      );
      expect(written.map((metadata) => metadata.version)).toEqual(
        Array.from({ length: 30 }, (_, n) => initial.version + 1 + n),
      );
      expect((await service!.get(alice, { name })).get("v")).toBe("fake-29");
      for (const each of [service!, ...others]) await each.close();
    }, 60_000);

    it("64 check-and-set writers looping on read-version / write-if-match all succeed in time, one winner per version", async () => {
      const services = await instances(databaseUrl());
      const name = `cas-${Math.random().toString(36).slice(2, 8)}`;
      const initial = await services[0]!.put(alice, name, { v: "fake-initial" });
      const deadline = Date.now() + 40_000;
      const won: number[] = [];
      const latencies: number[] = [];
      let conflicts = 0;
      const writer = async (n: number) => {
        const service = services[n % INSTANCES]!;
        const started = performance.now();
        while (Date.now() < deadline) {
          const { version } = await service.getMetadata(alice, { name });
          try {
            const written = await service.put(alice, name, { v: `fake-${n}` }, { expectedVersion: version });
            won.push(written.version);
            latencies.push(performance.now() - started);
            return true;
          } catch (error) {
            if (!(error instanceof VersionConflictError)) throw error;
            conflicts++;
          }
        }
        return false;
      };
      const done = await Promise.all(Array.from({ length: 64 }, (_, n) => writer(n)));
      console.info(
        `${label} check-and-set: ${done.filter(Boolean).length}/64 succeeded, ${conflicts} conflicts, median ${Math.round(median(latencies))} ms, max ${Math.round(Math.max(...latencies, 0))} ms`,
      );
      expect(done.filter((ok) => !ok)).toEqual([]);
      // One winner per version: 64 distinct versions, exactly initial+1 … initial+64.
      expect([...won].sort((a, b) => a - b)).toEqual(
        Array.from({ length: 64 }, (_, i) => initial.version + 1 + i),
      );
      expect((await services[0]!.getMetadata(alice, { name })).version).toBe(initial.version + 64);
      for (const service of services) await service.close();
    }, 120_000);
  });
}

const sqlite = sqliteUrl();
describeContention("SQLite", () => sqlite);
describeWithDatabase("postgres", (getDb) => describeContention("PostgreSQL", () => getDb().url));
describeWithDatabase("mysql", (getDb) => describeContention("MySQL", () => getDb().url));
