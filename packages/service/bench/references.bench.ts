// Validating and resolving 500 references over 100 secrets: Coffer's batched path against the
// loop an application would write without it, which reads each distinct secret once, one after
// another (an earlier baseline read once per reference, five times too often, and flattered
// Coffer 10×). The store has 2 ms of latency per call (a cloud backend nearby); the four paths
// take turns call by call.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { formatReference, silentLogger } from "@coffer/core";
import { createService } from "@coffer/service";
import { MemoryStore } from "@coffer/store-memory";
import { medianOf, quantile, type TimedPath, timedPath, timeInTurns } from "./paths.ts";
import { baselineResolve, baselineValidate } from "./reference-baseline.ts";
import { printTable } from "./table.ts";

const SECRETS = 100;
const REFERENCES = 500;
const actor = { id: "bench" };
const dir = mkdtempSync(path.join(tmpdir(), "coffer-bench-"));
const store = new MemoryStore({ latencyMs: 2, batchGetMax: 20 });
const service = await createService({
  databaseUrl: `sqlite://${path.join(dir, "c.db")}`,
  dataDir: dir,
  store: () => store,
  logger: silentLogger,
});
for (let i = 0; i < SECRETS; i++) {
  await service.create(actor, {
    name: `svc-${i}`,
    values: { user: `fake-user-${i}`, password: `fake-pw-${i}` },
  });
}
const config = Object.fromEntries(
  Array.from({ length: REFERENCES }, (_, i) => [
    `ref${i}`,
    formatReference(`svc-${i % SECRETS}`, i % 2 ? "user" : "password"),
  ]),
);

const storeCalls = () => store.calls.get + store.calls.getMany;
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 7);

const naiveValidate = baselineValidate(service, actor, config);
const naiveResolve = baselineResolve(service, actor, config);

// Same answers (the baseline keys its result by reference path, Coffer returns the document).
const expected = JSON.stringify(Object.values(await naiveResolve()));
if (JSON.stringify(Object.values(await service.resolveReferences(actor, config))) !== expected) {
  throw new Error("Coffer and the baseline resolve differently");
}

/** A path that also counts the store calls each run makes. */
function countedPath(label: string, run: () => Promise<unknown>): TimedPath & { calls: number[] } {
  const calls: number[] = [];
  const path = timedPath(label, async () => {
    const before = storeCalls();
    await run();
    calls.push(storeCalls() - before);
  });
  return Object.assign(path, { calls });
}
const validate = countedPath("validate", () =>
  service.validateReferences(actor, config, "SECRET_AND_KEY_EXISTS"),
);
const naiveV = countedPath("naive validate", naiveValidate);
const resolve = countedPath("resolve", () => service.resolveReferences(actor, config));
const naiveR = countedPath("naive resolve", naiveResolve);
await timeInTurns([validate, naiveV, resolve, naiveR], { warmup: 1, iterations: ITERATIONS });
await service.close();

const ms = (p: TimedPath) =>
  `${medianOf(p).toFixed(1)} (${quantile(p.samples, 0.1).toFixed(1)}–${quantile(p.samples, 0.9).toFixed(1)})`;
const callsOf = (p: { calls: number[] }) => p.calls[p.calls.length - 1]!;

printTable(
  `${REFERENCES} references over ${SECRETS} secrets (store latency 2 ms per call, batch 20; ${ITERATIONS} runs each, in turns; ms: median (p10–p90))`,
  ["operation", "Coffer store calls", "Coffer ms", "one read per secret: calls", "ms", "speed-up"],
  [
    [
      "validate (SECRET_AND_KEY_EXISTS)",
      callsOf(validate),
      ms(validate),
      callsOf(naiveV),
      ms(naiveV),
      medianOf(naiveV) / medianOf(validate),
    ],
    [
      "resolve",
      callsOf(resolve),
      ms(resolve),
      callsOf(naiveR),
      ms(naiveR),
      medianOf(naiveR) / medianOf(resolve),
    ],
  ],
);
