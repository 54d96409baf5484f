// `history` latency for a secret with 100 versions (metadata only: one indexed query and a seal
// check per version), and reading one old version's values, on SQLite and PostgreSQL. Median with
// the spread (p10–p90) over 200 timed calls after 20 warm-up calls.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { silentLogger } from "@coffer/core";
import { createService } from "@coffer/service";
import { MemoryStore } from "@coffer/store-memory";
import { startPostgres } from "@coffer/testkit";
import { quantile } from "./paths.ts";
import { printTable } from "./table.ts";

const VERSIONS = 100;
const WARMUP = 20;
const RUNS = 200;
const actor = { id: "bench" };

async function timed(fn: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < WARMUP; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await fn();
    samples.push(performance.now() - started);
  }
  return samples;
}

function row(label: string, what: string, samples: number[]): Array<string | number> {
  return [label, what, quantile(samples, 0.5), quantile(samples, 0.1), quantile(samples, 0.9)];
}

async function measure(label: string, databaseUrl: string): Promise<Array<Array<string | number>>> {
  const service = await createService({
    databaseUrl,
    dataDir: mkdtempSync(path.join(tmpdir(), "coffer-bench-")),
    // The store keeps every version here, so that any one of the 100 can be read.
    store: () => new MemoryStore({ maxVersions: VERSIONS }),
    logger: silentLogger,
  });
  const secret = await service.create(actor, { name: "bench-history", values: { a: "fake-0", b: "fake" } });
  for (let n = 1; n < VERSIONS; n++) {
    await service.update(actor, { id: secret.id }, { values: { a: `fake-${n}` } });
  }
  const history = await service.history(actor, { id: secret.id });
  if (history.versions.length !== VERSIONS) throw new Error(`expected ${VERSIONS} versions`);
  const rows = [
    row(
      label,
      `history (${VERSIONS} versions)`,
      await timed(() => service.history(actor, { id: secret.id })),
    ),
    row(label, "get version 50", await timed(() => service.get(actor, { id: secret.id }, { version: 50 }))),
    row(label, "get (current)", await timed(() => service.get(actor, { id: secret.id }))),
  ];
  await service.close();
  return rows;
}

const rows = await measure(
  "SQLite",
  `sqlite://${path.join(mkdtempSync(path.join(tmpdir(), "coffer-bench-")), "c.db")}`,
);
try {
  const postgres = await startPostgres();
  try {
    rows.push(...(await measure(`PostgreSQL (${postgres.via})`, postgres.url)));
  } finally {
    await postgres.stop();
  }
} catch (error) {
  rows.push(["PostgreSQL", `not run: ${(error as Error).message.split("\n")[0]}`, "", "", ""]);
}
printTable(
  `History at ${VERSIONS} versions (ms; ${RUNS} calls after ${WARMUP} warm-up)`,
  ["database", "call", "median", "p10", "p90"],
  rows,
);
