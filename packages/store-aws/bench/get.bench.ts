// getSecret by name through Coffer (the service over SQLite metadata and the aws store) side by
// side with the raw SDK call an application would make instead (GetSecretValue, then JSON.parse),
// against the same in-process emulator and the same secret. Two more rows split Coffer's path in
// its halves: the store's read alone, and the metadata lookup alone. The calls take turns, one
// call each in rotating order, so every path sees the same machine; each call is timed on its own.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { silentLogger } from "@coffer/core";
import { startAwsEmulator } from "@coffer/emulators";
import { createService } from "@coffer/service";
import { AwsSecretsStore, awsStoreOptions } from "@coffer/store-aws";
import { printTable } from "../../service/bench/table.ts";

const WARMUP = 300;
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 3000);
const credentials = { accessKeyId: "AKIAFAKEFAKEFAKE0000", secretAccessKey: "not-a-real-secret-key" };
const region = "us-east-1";
const actor = { id: "bench" };

const emulator = await startAwsEmulator({ region });
const dir = mkdtempSync(path.join(tmpdir(), "coffer-bench-aws-"));
let store: AwsSecretsStore | undefined;
const service = await createService({
  databaseUrl: `sqlite://${path.join(dir, "coffer.db")}`,
  dataDir: dir,
  logger: silentLogger,
  // The store as an operator configures it: the SDK's default attempts, Coffer's default timeout.
  store: (context) => {
    store = new AwsSecretsStore(
      awsStoreOptions.parse({ region, endpoint: emulator.url, ...credentials }),
      context,
    );
    return store;
  },
});
const values = { username: "fake-user", password: "fake-password-1", host: "db.example.invalid" };
const { id } = await service.create(actor, { name: "bench-db", values });
const raw = new SecretsManagerClient({ endpoint: emulator.url, region, credentials: { ...credentials } });
const secretName = store!.nameOf(id);

const paths = [
  {
    label: "raw SDK: GetSecretValue + JSON.parse",
    samples: [] as number[],
    run: async () =>
      JSON.parse((await raw.send(new GetSecretValueCommand({ SecretId: secretName }))).SecretString!),
  },
  {
    label: "Coffer: service.get by name",
    samples: [] as number[],
    run: () => service.get(actor, { name: "bench-db" }),
  },
  { label: "  of which the store: store.get(id)", samples: [] as number[], run: () => store!.get(id) },
  {
    label: "  of which metadata: getMetadata by name",
    samples: [] as number[],
    run: () => service.getMetadata(actor, { name: "bench-db" }),
  },
];
const callsBefore = { ...store!.calls };
for (let i = 0; i < WARMUP + ITERATIONS; i++) {
  for (let j = 0; j < paths.length; j++) {
    const each = paths[(i + j) % paths.length]!;
    const started = performance.now();
    await each.run();
    if (i >= WARMUP) each.samples.push(performance.now() - started);
  }
}
// Two store paths read per round (service.get and store.get): requests per read, of any kind.
const requests = Object.entries(store!.calls).reduce(
  (sum, [operation, count]) => sum + count - callsBefore[operation as keyof typeof callsBefore],
  0,
);
raw.destroy();
await service.close();
await emulator.stop();
rmSync(dir, { recursive: true, force: true });

const quantile = (samples: number[], q: number) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;
};
printTable(
  `getSecret by name, in-process emulator, ${ITERATIONS} calls per path (ms)`,
  ["path", "median", "p90", "p99"],
  paths.map((each) => [
    each.label,
    quantile(each.samples, 0.5),
    quantile(each.samples, 0.9),
    quantile(each.samples, 0.99),
  ]),
);
const [sdk, coffer] = paths.map((each) => quantile(each.samples, 0.5));
console.log(
  `\nSecrets Manager requests per store read: ${(requests / (2 * (WARMUP + ITERATIONS))).toFixed(2)}`,
);
console.log(
  `Coffer / raw SDK (medians): ${(coffer! / sdk!).toFixed(3)}× (goal ≤ 1.10×); Coffer adds ${((coffer! - sdk!) * 1000).toFixed(0)} µs per get`,
);
