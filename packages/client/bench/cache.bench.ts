// The client's read cache against a running server (SQLite, loopback):
//
// 1. A cached `getSecret` vs a `Map` lookup of the same Secret (goal: at most 5×). Both are awaited,
//    as a program awaits the SDK; each sample is a batch of BATCH calls (one call is below the
//    timer's resolution). The paths take turns, in an order that rotates each round, so both see
//    the same machine; medians with the 10th-90th percentile spread.
// 2. 1,000 concurrent reads of one secret → how many requests reach the server (counted by a
//    proxy in front of it), with the cache and without it (goal: 1).
// BENCH_CACHE_ROUNDS sets the rounds of (1) (default 60).

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createClient } from "@coffer/client";
import { startServer } from "@coffer/server";
import { reportGoal } from "../../service/bench/goals.ts";
import { startCountingProxy } from "../test/counting-proxy.ts";

const BATCH = 1000;
const ROUNDS = Number(process.env.BENCH_CACHE_ROUNDS ?? "60");
const WARMUP = 10;
const NAME = "bench-cached";

const server = await startServer({
  env: {
    COFFER_DATA_DIR: mkdtempSync(path.join(tmpdir(), "coffer-bench-cache-")),
    COFFER_LOG_LEVEL: "silent",
  },
  settings: { port: 0, host: "127.0.0.1" },
  log: false,
});
const proxy = await startCountingProxy(server.url);
await server.identity.createUser("bench", "writer");
const token = (await server.identity.issueToken("bench")).token;
const setup = createClient({ url: server.url, token });
await setup.createSecret(NAME, { password: "fake-bench-password", port: "5432" });

// --- 1. cached read vs Map lookup ----------------------------------------------------------------
const cached = createClient({ url: server.url, token, cache: { ttlMs: 3_600_000 } });
const map = new Map([[NAME, await cached.getSecret(NAME)]]);

interface Path {
  label: string;
  batch: () => Promise<unknown>;
  perCallNs: number[];
}
const paths: Path[] = [
  {
    label: `cached client.getSecret (awaited, ${BATCH} per sample)`,
    batch: async () => {
      for (let i = 0; i < BATCH; i++) await cached.getSecret(NAME);
    },
    perCallNs: [],
  },
  {
    label: `Map.get (awaited, ${BATCH} per sample)`,
    batch: async () => {
      for (let i = 0; i < BATCH; i++) await map.get(NAME);
    },
    perCallNs: [],
  },
];
for (let round = 0; round < WARMUP + ROUNDS; round++) {
  for (let turn = 0; turn < paths.length; turn++) {
    const current = paths[(round + turn) % paths.length]!;
    const started = performance.now();
    await current.batch();
    if (round >= WARMUP) current.perCallNs.push(((performance.now() - started) * 1e6) / BATCH);
  }
}
const quantile = (samples: number[], q: number) =>
  [...samples].sort((a, b) => a - b)[Math.min(samples.length - 1, Math.floor(samples.length * q))]!;
console.log(`\ncached read vs Map lookup (${ROUNDS} rounds taking turns, ns per call)`);
console.log("path | median | p10 | p90");
for (const current of paths) {
  const [median, p10, p90] = [0.5, 0.1, 0.9].map((q) => quantile(current.perCallNs, q).toFixed(0));
  console.log(`${current.label} | ${median} | ${p10} | ${p90}`);
}
const ratio = quantile(paths[0]!.perCallNs, 0.5) / quantile(paths[1]!.perCallNs, 0.5);
console.log(`ratio (cached read / Map lookup, medians): ${ratio.toFixed(2)}× (goal ≤ 5×)`);
reportGoal({
  measure: "cached SDK read vs a Map lookup",
  value: `${ratio.toFixed(2)}×`,
  goal: "≤ 5×",
  met: ratio <= 5,
});

// --- 2. 1,000 concurrent reads → backend calls --------------------------------------------------
console.log("\n1,000 concurrent reads of one secret (5 runs each, requests counted at the proxy)");
console.log("client | backend calls per run");
for (const cache of [{ ttlMs: 60_000 }, undefined]) {
  const counts: string[] = [];
  for (let run = 0; run < 5; run++) {
    const client = createClient({ url: proxy.url, token, ...(cache ? { cache } : {}) });
    proxy.valueReads = 0;
    // Settled, not all: 1,000 uncached connections at once can see a reset on a loaded machine,
    // which is reported rather than ending the bench.
    const results = await Promise.allSettled(Array.from({ length: 1000 }, () => client.getSecret(NAME)));
    const failed = results.filter((result) => result.status === "rejected").length;
    counts.push(`${proxy.valueReads}${failed ? ` (${failed} reads failed)` : ""}`);
    await client.close();
  }
  console.log(`${cache ? "with cache (goal: 1)" : "without cache"} | ${counts.join(", ")}`);
  if (cache) {
    reportGoal({
      measure: "1,000 concurrent SDK reads of one secret: backend calls (5 runs)",
      value: counts.join(", "),
      goal: "1",
      met: counts.every((count) => count === "1"),
    });
  }
}

await proxy.close();
await Promise.all([cached.close(), setup.close()]);
await server.close();
