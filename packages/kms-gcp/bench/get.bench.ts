// The sql store's get latency with its keys from GCP Cloud KMS (the data key cached) side by side
// with the keyring file, the embedded default: the same values in two SQLite files of their own, the
// same store code, only the key source differs. The two take turns, one call each in alternating
// order, so both see the same machine; each call is timed on its own. A third row, timed apart,
// shows what a cache miss adds (one Cloud KMS Decrypt over gRPC on the in-process emulator).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { instantiateStore, newSecretId, type StoreContext, silentLogger } from "@coffer/core";
import { startGcpKmsEmulator } from "@coffer/emulators";
import { GcpKmsKek, gcpKmsKeySource, gcpKmsOptions } from "@coffer/kms-gcp";
import { type SqlStore, sqlStore, sqlStoreWithKeySources, wrapContext } from "@coffer/store-sql";
import { KeyManagementServiceClient } from "@google-cloud/kms";
import { googleAuthLibrary, grpc } from "google-gax";
import { reportGoal } from "../../service/bench/goals.ts";
import {
  addedMicroseconds,
  printQuantiles,
  quantile,
  ratio,
  timedPath,
  timeInTurns,
} from "../../service/bench/paths.ts";

process.env.METADATA_SERVER_DETECTION = "none";
const WARMUP = 500;
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 5000);

function context(name: string): StoreContext {
  const dir = mkdtempSync(path.join(tmpdir(), `coffer-gcp-kms-bench-${name}-`));
  return {
    deploymentId: "bench",
    dataDir: dir,
    databaseUrl: `sqlite://${path.join(dir, "coffer.db")}`,
    logger: silentLogger,
  };
}

const emulator = await startGcpKmsEmulator();
const operator = new KeyManagementServiceClient({
  apiEndpoint: "127.0.0.1",
  port: emulator.port,
  sslCreds: grpc.credentials.createInsecure(),
  authClient: new googleAuthLibrary.PassThroughClient(),
});
const [ring] = await operator.createKeyRing({
  parent: "projects/bench/locations/global",
  keyRingId: "coffer",
  keyRing: {},
});
const [key] = await operator.createCryptoKey({
  parent: ring.name!,
  cryptoKeyId: "coffer",
  cryptoKey: { purpose: "ENCRYPT_DECRYPT" },
});
await operator.close();
const kmsOptions = { keyName: key.name!, apiEndpoint: "127.0.0.1", port: emulator.port, insecure: true };

const keyringStore = instantiateStore(sqlStore, {}, context("keyring")) as SqlStore;
const kmsStore = instantiateStore(
  sqlStoreWithKeySources({ "gcp-kms": async () => gcpKmsKeySource }),
  { keySource: "gcp-kms", kms: kmsOptions },
  context("kms"),
) as SqlStore;
await keyringStore.init();
await kmsStore.init();
const values = { username: "fake-user", password: "fake-password-1", host: "db.example.invalid" };
const id = newSecretId();
await keyringStore.create(id, values);
await kmsStore.create(id, values);

// A cache miss: the same Decrypt the store makes, on a data key wrapped like the store's.
const kek = new GcpKmsKek(gcpKmsOptions.parse(kmsOptions));
const missContext = wrapContext("bench", "k-miss");
const { wrapped } = await kek.wrap(Buffer.alloc(32, 7), missContext);

const decryptsBefore = emulator.calls.Decrypt ?? 0;
const [file, envelope, miss] = [
  timedPath("keyring file: store.get(id)", () => keyringStore.get(id)),
  timedPath("gcp-kms, data key cached: store.get(id)", () => kmsStore.get(id)),
  timedPath("  a cache miss adds: Cloud KMS Decrypt (emulator)", () => kek.unwrap(wrapped, missContext)),
];
// The two store paths take turns on their own: a KMS call just before a get would slow whichever
// path follows it more often.
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
  `\nCloud KMS Decrypts made by the store while timed: ${storeDecrypts} (cache: ${JSON.stringify(stats)})`,
);
// The spread: the same ratio in five consecutive slices of the run (the machine is shared).
const SLICES = 5;
const sliceRatios = Array.from({ length: SLICES }, (_, n) => {
  const slice = (samples: number[]) =>
    samples.slice((n * ITERATIONS) / SLICES, ((n + 1) * ITERATIONS) / SLICES);
  return quantile(slice(envelope.samples), 0.5) / quantile(slice(file.samples), 0.5);
}).sort((a, b) => a - b);
reportGoal({
  measure: "sql store get, gcp-kms key source (cached data key) vs keyring file",
  value: `${ratio(envelope, file)}×`,
  goal: "≤ 1.05×",
  met: Number(ratio(envelope, file)) <= 1.05,
});
console.log(
  `gcp-kms (cached) / keyring file (medians): ${ratio(envelope, file)}× (goal ≤ 1.05×), ` +
    `${addedMicroseconds(envelope, file)} µs per get; per slice of ${ITERATIONS / SLICES}: ` +
    `${sliceRatios[0]!.toFixed(3)}–${sliceRatios.at(-1)!.toFixed(3)}×`,
);
