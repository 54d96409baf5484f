// Validating and resolving 500 {{name.key}} references over 100 secrets in Secrets Manager (the
// in-process emulator): Coffer's batched path against the loop an application would write, which
// reads each distinct secret once through the same service (reference-baseline.ts). Counts are Secrets Manager requests of any kind.
//
// Warm: the process that created the secrets (the store knows their ARNs were checked). Cold: a
// freshly started process over the same metadata, whose first read of each secret also checks its
// ownership tags (DescribeSecret); cold figures are single runs, as that cost is paid once.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { formatReference, silentLogger } from "@coffer/core";
import { startAwsEmulator } from "@coffer/emulators";
import { createService, type SecretsService } from "@coffer/service";
import { AwsStore, awsStoreOptions } from "@coffer/store-aws";
import { baselineResolve, baselineValidate } from "../../service/bench/reference-baseline.ts";
import { median, printTable } from "../../service/bench/table.ts";

const SECRETS = 100;
const REFERENCES = 500;
const RUNS = 5;
const region = "us-east-1";
const credentials = { accessKeyId: "AKIAFAKEFAKEFAKE0000", secretAccessKey: "not-a-real-secret-key" };
const actor = { id: "bench" };

const emulator = await startAwsEmulator({ region });
const dir = mkdtempSync(path.join(tmpdir(), "coffer-bench-aws-refs-"));

/** A service as a newly started process would have it: its own store, nothing verified yet. */
async function openProcess(): Promise<{ service: SecretsService; requests: () => number }> {
  let store: AwsStore | undefined;
  const service = await createService({
    databaseUrl: `sqlite://${path.join(dir, "coffer.db")}`,
    dataDir: dir,
    logger: silentLogger,
    store: (context) => {
      store = new AwsStore(
        awsStoreOptions.parse({ region, endpoint: emulator.url, ...credentials }),
        context,
      );
      return store;
    },
  });
  return { service, requests: () => Object.values(store!.calls).reduce((sum, count) => sum + count, 0) };
}

const writer = await openProcess();
for (let i = 0; i < SECRETS; i++) {
  await writer.service.create(actor, {
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

const naiveValidate = (service: SecretsService) => baselineValidate(service, actor, config);
const naiveResolve = (service: SecretsService) => baselineResolve(service, actor, config);
const validate = (service: SecretsService) => () =>
  service.validateReferences(actor, config, "SECRET_AND_KEY_EXISTS");
const resolve = (service: SecretsService) => () => service.resolveReferences(actor, config);

type Process = Awaited<ReturnType<typeof openProcess>>;
async function warm(process: Process, fn: () => Promise<unknown>) {
  await fn();
  const before = process.requests();
  const ms = await median(RUNS, fn);
  return { ms, calls: (process.requests() - before) / RUNS };
}
async function cold(fn: (service: SecretsService) => () => Promise<unknown>) {
  const process = await openProcess();
  const before = process.requests(); // the start-up probe is not part of the work
  const started = performance.now();
  await fn(process.service)();
  const result = { ms: performance.now() - started, calls: process.requests() - before };
  await process.service.close();
  return result;
}

const rows: Array<Array<string | number>> = [];
const row = (label: string, coffer: { ms: number; calls: number }, naive: { ms: number; calls: number }) =>
  rows.push([label, coffer.calls, coffer.ms, naive.calls, naive.ms, naive.ms / coffer.ms]);
row(
  "validate, warm",
  await warm(writer, validate(writer.service)),
  await warm(writer, naiveValidate(writer.service)),
);
row(
  "resolve, warm",
  await warm(writer, resolve(writer.service)),
  await warm(writer, naiveResolve(writer.service)),
);
row("validate, cold", await cold(validate), await cold(naiveValidate));
row("resolve, cold", await cold(resolve), await cold(naiveResolve));

await writer.service.close();
await emulator.stop();
rmSync(dir, { recursive: true, force: true });

printTable(
  `${REFERENCES} references over ${SECRETS} secrets, aws store on the in-process emulator (warm: median of ${RUNS}; cold: one run in a fresh process)`,
  ["operation", "Coffer requests", "Coffer ms", "one read per secret: requests", "ms", "speed-up"],
  rows,
);
