// The sql store's get latency with its keys from AWS KMS (the data key cached) side by side with
// the keyring file, the embedded default: the same values in two SQLite files of their own, the
// same store code, only the key source differs. The two take turns, one call each in alternating
// order, so both see the same machine; each call is timed on its own. A third row, timed apart,
// shows what a cache miss adds (one KMS Decrypt on the in-process emulator).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { instantiateStore, newSecretId, type StoreContext, silentLogger } from "@coffer/core";
import { startAwsKmsEmulator } from "@coffer/emulators";
import { AwsKmsKek, awsKmsKeySource } from "@coffer/kms-aws";
import { type SqlStore, sqlStore, sqlStoreWithKeySources, wrapContext } from "@coffer/store-sql";
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
const credentials = { accessKeyId: "AKIAFAKEFAKEFAKE0000", secretAccessKey: "not-a-real-secret-key" };
const region = "us-east-1";

function context(name: string): StoreContext {
  const dir = mkdtempSync(path.join(tmpdir(), `coffer-kms-bench-${name}-`));
  return {
    deploymentId: "bench",
    dataDir: dir,
    databaseUrl: `sqlite://${path.join(dir, "coffer.db")}`,
    logger: silentLogger,
  };
}

const emulator = await startAwsKmsEmulator({ region });
const kms = new KMSClient({
  endpoint: emulator.url,
  region,
  credentials: { ...credentials },
  maxAttempts: 1,
});
const keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
kms.destroy();
const kmsOptions = { keyId, region, endpoint: emulator.url, ...credentials };

const keyringStore = instantiateStore(sqlStore, {}, context("keyring")) as SqlStore;
const kmsStore = instantiateStore(
  sqlStoreWithKeySources({ "aws-kms": async () => awsKmsKeySource }),
  { keySource: "aws-kms", kms: kmsOptions },
  context("kms"),
) as SqlStore;
await keyringStore.init();
await kmsStore.init();
const values = { username: "fake-user", password: "fake-password-1", host: "db.example.invalid" };
const id = newSecretId();
await keyringStore.create(id, values);
await kmsStore.create(id, values);

// A cache miss: the same Decrypt the store makes, on a data key wrapped like the store's.
const kek = new AwsKmsKek({ ...kmsOptions, timeoutMs: 10_000, maxAttempts: 3 });
const missContext = wrapContext("bench", "k-miss");
const { wrapped } = await kek.generate(missContext);

const decryptsBefore = emulator.calls.Decrypt ?? 0;
const [file, envelope, miss] = [
  timedPath("keyring file: store.get(id)", () => keyringStore.get(id)),
  timedPath("aws-kms, data key cached: store.get(id)", () => kmsStore.get(id)),
  timedPath("  a cache miss adds: KMS Decrypt (emulator)", () => kek.unwrap(wrapped, missContext)),
];
// The two store paths take turns on their own: a KMS call just before a get (sockets, timers still
// settling) would slow whichever path follows it more often.
await timeInTurns([file, envelope], { warmup: WARMUP, iterations: ITERATIONS });
const storeDecrypts = (emulator.calls.Decrypt ?? 0) - decryptsBefore;
await timeInTurns([miss], { warmup: 100, iterations: Math.min(ITERATIONS, 1000) });
const stats = kmsStore.dataKeyCacheStats();

await keyringStore.close();
await kmsStore.close();
await kek.close();
await emulator.stop();

printQuantiles(`sql store get on SQLite, ${ITERATIONS} calls per store path (ms)`, [file, envelope, miss]);
console.log(
  `\nKMS Decrypts made by the store while timed: ${storeDecrypts} (cache: ${JSON.stringify(stats)})`,
);
// The spread: the same ratio in five consecutive slices of the run (the machine is shared).
const SLICES = 5;
const sliceRatios = Array.from({ length: SLICES }, (_, n) => {
  const slice = (samples: number[]) =>
    samples.slice((n * ITERATIONS) / SLICES, ((n + 1) * ITERATIONS) / SLICES);
  return quantile(slice(envelope.samples), 0.5) / quantile(slice(file.samples), 0.5);
}).sort((a, b) => a - b);
reportGoal({
  measure: "sql store get, aws-kms key source (cached data key) vs keyring file",
  value: `${ratio(envelope, file)}×`,
  goal: "≤ 1.05×",
  met: Number(ratio(envelope, file)) <= 1.05,
});
console.log(
  `aws-kms (cached) / keyring file (medians): ${ratio(envelope, file)}× (goal ≤ 1.05×), ` +
    `${addedMicroseconds(envelope, file)} µs per get; per slice of ${ITERATIONS / SLICES}: ` +
    `${sliceRatios[0]!.toFixed(3)}–${sliceRatios.at(-1)!.toFixed(3)}×`,
);
