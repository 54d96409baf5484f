// getSecret by name through Coffer (the service over SQLite metadata and the aws store) side by
// side with the raw SDK call an application would make instead (GetSecretValue, then JSON.parse),
// against the same in-process emulator and the same secret. Two more rows split Coffer's path in
// its halves: the store's read alone, and the metadata lookup alone. The calls take turns, one
// call each in rotating order, so every path sees the same machine; each call is timed on its own.
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { startAwsEmulator } from "@coffer/emulators";
import { createService } from "@coffer/service";
import { AwsStore, awsStoreOptions } from "@coffer/store-aws";
import { serviceOverStore } from "@coffer/testkit";
import {
  addedMicroseconds,
  printQuantiles,
  ratio,
  timedPath,
  timeInTurns,
} from "../../service/bench/paths.ts";

const WARMUP = 300;
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 3000);
const credentials = { accessKeyId: "AKIAFAKEFAKEFAKE0000", secretAccessKey: "not-a-real-secret-key" };
const region = "us-east-1";
const actor = { id: "bench" };

const emulator = await startAwsEmulator({ region });
// The store as an operator configures it: the SDK's default attempts, Coffer's default timeout.
const { service, store, close } = await serviceOverStore(
  createService,
  (context) =>
    new AwsStore(awsStoreOptions.parse({ region, endpoint: emulator.url, ...credentials }), context),
);
const values = { username: "fake-user", password: "fake-password-1", host: "db.example.invalid" };
const { id } = await service.create(actor, { name: "bench-db", values });
const raw = new SecretsManagerClient({ endpoint: emulator.url, region, credentials: { ...credentials } });
const secretName = store.nameOf(id);

const [sdk, coffer, storeAlone, metadata] = [
  timedPath("raw SDK: GetSecretValue + JSON.parse", async () =>
    JSON.parse((await raw.send(new GetSecretValueCommand({ SecretId: secretName }))).SecretString!),
  ),
  timedPath("Coffer: service.get by name", () => service.get(actor, { name: "bench-db" })),
  timedPath("  of which the store: store.get(id)", () => store.get(id)),
  timedPath("  of which metadata: getMetadata by name", () =>
    service.getMetadata(actor, { name: "bench-db" }),
  ),
];
const callsBefore = { ...store.calls };
await timeInTurns([sdk, coffer, storeAlone, metadata], { warmup: WARMUP, iterations: ITERATIONS });
// Two store paths read per round (service.get and store.get): requests per read, of any kind.
const requests = Object.entries(store.calls).reduce(
  (sum, [operation, count]) => sum + count - callsBefore[operation as keyof typeof callsBefore],
  0,
);
raw.destroy();
await close();
await emulator.stop();

printQuantiles(`getSecret by name, in-process emulator, ${ITERATIONS} calls per path (ms)`, [
  sdk,
  coffer,
  storeAlone,
  metadata,
]);
console.log(
  `\nSecrets Manager requests per store read: ${(requests / (2 * (WARMUP + ITERATIONS))).toFixed(2)}`,
);
console.log(
  `Coffer / raw SDK (medians): ${ratio(coffer, sdk)}× (goal ≤ 1.10×); Coffer adds ${addedMicroseconds(coffer, sdk)} µs per get`,
);
