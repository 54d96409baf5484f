// Validating and resolving 500 references over 100 secrets: Coffer's batched path against a naive
// loop that reads one secret per reference, on a store with 2 ms of latency per call (a cloud
// backend nearby).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { findReferences, formatReference, silentLogger } from "@coffer/core";
import { createService } from "@coffer/service";
import { MemoryStore } from "@coffer/store-memory";
import { median, printTable } from "./table.ts";

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
async function counted(fn: () => Promise<unknown>): Promise<{ ms: number; calls: number }> {
  const before = storeCalls();
  const ms = await median(5, fn);
  return { ms, calls: (storeCalls() - before) / 5 };
}

const naiveValidate = async () => {
  for (const { reference } of findReferences(config)) {
    const secret = await service.get(actor, { name: reference.name });
    if (secret.get(reference.key) === undefined) throw new Error("missing key");
  }
};
const naiveResolve = async () => {
  const out: Record<string, string> = {};
  for (const { path: at, reference } of findReferences(config)) {
    out[at] = (await service.get(actor, { name: reference.name })).get(reference.key)!;
  }
  return out;
};

const validate = await counted(() => service.validateReferences(actor, config, "SECRET_AND_KEY_EXISTS"));
const naiveV = await counted(naiveValidate);
const resolve = await counted(() => service.resolveReferences(actor, config));
const naiveR = await counted(naiveResolve);
await service.close();

printTable(
  `${REFERENCES} references over ${SECRETS} secrets (store latency 2 ms per call, batch 20; median of 5)`,
  ["operation", "Coffer store calls", "Coffer ms", "naive store calls", "naive ms", "speed-up"],
  [
    [
      "validate (SECRET_AND_KEY_EXISTS)",
      validate.calls,
      validate.ms,
      naiveV.calls,
      naiveV.ms,
      naiveV.ms / validate.ms,
    ],
    ["resolve", resolve.calls, resolve.ms, naiveR.calls, naiveR.ms, naiveR.ms / resolve.ms],
  ],
);
