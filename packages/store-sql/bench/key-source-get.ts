// The bench every KMS key source runs (kms-*/bench/get.bench.ts call it with their own store and
// emulator): the sql store's get latency with its keys from the KMS (the data key cached) side by
// side with the keyring file, the embedded default: the same values in two SQLite files of their
// own, the same store code, only the key source differs. The two take turns, one call each in
// alternating order, so both see the same machine; each call is timed on its own. A third row,
// timed apart, shows what a cache miss adds (one unwrap on the in-process emulator).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  instantiateStore,
  newSecretId,
  type StoreContext,
  type StoreRegistration,
  silentLogger,
} from "@coffer/core";
import { type SqlStore, sqlStore } from "@coffer/store-sql";
import { reportGoal } from "../../service/bench/goals.ts";
import {
  addedMicroseconds,
  printQuantiles,
  quantile,
  ratio,
  timedPath,
  timeInTurns,
} from "../../service/bench/paths.ts";

const WARMUP = 500;
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 5000);

export interface KeySourceGetBench {
  /** The key source's name, e.g. "aws-kms". */
  keySource: string;
  /** The sql store's registration with that key source. */
  registration: StoreRegistration;
  /** Its `kms` options, pointing at the emulator. */
  kmsOptions: Record<string, unknown>;
  /** One unwrap as the store makes it on a cache miss, and how the report names it. */
  miss: { label: string; unwrap: () => Promise<unknown>; warmup: number; iterations: number };
  /** The unwraps the emulator has answered so far, and what the report calls one (plural). */
  unwraps: { noun: string; count: () => number };
  /** Stops what the caller started (its KEK, its emulator), after the stores close. */
  close: () => Promise<void>;
}

function context(keySource: string, name: string): StoreContext {
  const dir = mkdtempSync(path.join(tmpdir(), `coffer-${keySource}-bench-${name}-`));
  return {
    deploymentId: "bench",
    dataDir: dir,
    databaseUrl: `sqlite://${path.join(dir, "coffer.db")}`,
    logger: silentLogger,
  };
}

export async function benchKeySourceGet(bench: KeySourceGetBench): Promise<void> {
  const { keySource } = bench;
  const keyringStore = instantiateStore(sqlStore, {}, context(keySource, "keyring")) as SqlStore;
  const kmsStore = instantiateStore(
    bench.registration,
    { keySource, kms: bench.kmsOptions },
    context(keySource, "kms"),
  ) as SqlStore;
  await keyringStore.init();
  await kmsStore.init();
  const values = { username: "fake-user", password: "fake-password-1", host: "db.example.invalid" };
  const id = newSecretId();
  await keyringStore.create(id, values);
  await kmsStore.create(id, values);

  const unwrapsBefore = bench.unwraps.count();
  const [file, envelope, miss] = [
    timedPath("keyring file: store.get(id)", () => keyringStore.get(id)),
    timedPath(`${keySource}, data key cached: store.get(id)`, () => kmsStore.get(id)),
    timedPath(`  a cache miss adds: ${bench.miss.label} (emulator)`, bench.miss.unwrap),
  ];
  // The two store paths take turns on their own: a KMS call just before a get (sockets, timers
  // still settling) would slow whichever path follows it more often.
  await timeInTurns([file, envelope], { warmup: WARMUP, iterations: ITERATIONS });
  const storeUnwraps = bench.unwraps.count() - unwrapsBefore;
  await timeInTurns([miss], {
    warmup: bench.miss.warmup,
    iterations: Math.min(ITERATIONS, bench.miss.iterations),
  });
  const stats = kmsStore.dataKeyCacheStats();

  await keyringStore.close();
  await kmsStore.close();
  await bench.close();

  printQuantiles(`sql store get on SQLite, ${ITERATIONS} calls per store path (ms)`, [file, envelope, miss]);
  console.log(
    `\n${bench.unwraps.noun} made by the store while timed: ${storeUnwraps} (cache: ${JSON.stringify(stats)})`,
  );
  // The spread: the same ratio in five consecutive slices of the run (the machine is shared).
  const SLICES = 5;
  const sliceRatios = Array.from({ length: SLICES }, (_, n) => {
    const slice = (samples: number[]) =>
      samples.slice((n * ITERATIONS) / SLICES, ((n + 1) * ITERATIONS) / SLICES);
    return quantile(slice(envelope.samples), 0.5) / quantile(slice(file.samples), 0.5);
  }).sort((a, b) => a - b);
  reportGoal({
    measure: `sql store get, ${keySource} key source (cached data key) vs keyring file`,
    value: `${ratio(envelope, file)}×`,
    goal: "≤ 1.05×",
    met: Number(ratio(envelope, file)) <= 1.05,
  });
  console.log(
    `${keySource} (cached) / keyring file (medians): ${ratio(envelope, file)}× (goal ≤ 1.05×), ` +
      `${addedMicroseconds(envelope, file)} µs per get; per slice of ${ITERATIONS / SLICES}: ` +
      `${sliceRatios[0]!.toFixed(3)}–${sliceRatios.at(-1)!.toFixed(3)}×`,
  );
}
