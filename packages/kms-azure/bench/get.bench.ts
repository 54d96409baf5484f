// The sql store's get latency with its keys wrapped by an Azure Key Vault RSA key (the data key
// cached) side by side with the keyring file, the embedded default: the same values in two SQLite
// files of their own, the same store code, only the key source differs. The two take turns, one
// call each in alternating order, so both see the same machine; each call is timed on its own. A
// third row, timed apart, shows what a cache miss adds (one unwrapkey on the in-process emulator,
// over HTTPS, RSA-OAEP-256 with a 2048-bit key).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { KeyClient } from "@azure/keyvault-keys";
import { instantiateStore, newSecretId, type StoreContext, silentLogger } from "@coffer/core";
import { startAzureKeysEmulator } from "@coffer/emulators";
import { AzureKeysKek, azureKeysKeySourceWith, azureKeysOptions } from "@coffer/kms-azure";
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

/** A hand-written credential: never @azure/identity, which would look for a real identity. */
const credential: TokenCredential = {
  async getToken(): Promise<AccessToken> {
    return { token: "not-a-real-token", expiresOnTimestamp: Date.now() + 3_600_000 };
  },
};

function context(name: string): StoreContext {
  const dir = mkdtempSync(path.join(tmpdir(), `coffer-azure-keys-bench-${name}-`));
  return {
    deploymentId: "bench",
    dataDir: dir,
    databaseUrl: `sqlite://${path.join(dir, "coffer.db")}`,
    logger: silentLogger,
  };
}

const emulator = await startAzureKeysEmulator();
const kmsOptions = {
  vaultUrl: emulator.url,
  keyName: "coffer",
  tlsCa: emulator.certificatePem,
  disableChallengeResourceVerification: true,
};
await new KeyClient(emulator.url, credential, {
  disableChallengeResourceVerification: true,
  tlsOptions: { ca: emulator.certificatePem },
}).createRsaKey("coffer", { keySize: 2048 });

const keyringStore = instantiateStore(sqlStore, {}, context("keyring")) as SqlStore;
const kmsStore = instantiateStore(
  sqlStoreWithKeySources({ "azure-keys": async () => azureKeysKeySourceWith({ credential }) }),
  { keySource: "azure-keys", kms: kmsOptions },
  context("kms"),
) as SqlStore;
await keyringStore.init();
await kmsStore.init();
const values = { username: "fake-user", password: "fake-password-1", host: "db.example.invalid" };
const id = newSecretId();
await keyringStore.create(id, values);
await kmsStore.create(id, values);

// A cache miss: the same unwrap the store makes, on a data key wrapped like the store's.
const kek = new AzureKeysKek(azureKeysOptions.parse(kmsOptions), { credential });
const missContext = wrapContext("bench", "k-miss");
const { wrapped } = await kek.wrap(Buffer.alloc(32, 1), missContext);

const unwrapsBefore = emulator.calls.unwrapKey ?? 0;
const [file, envelope, miss] = [
  timedPath("keyring file: store.get(id)", () => keyringStore.get(id)),
  timedPath("azure-keys, data key cached: store.get(id)", () => kmsStore.get(id)),
  timedPath("  a cache miss adds: Key Vault unwrapkey (emulator)", () => kek.unwrap(wrapped, missContext)),
];
await timeInTurns([file, envelope], { warmup: WARMUP, iterations: ITERATIONS });
const storeUnwraps = (emulator.calls.unwrapKey ?? 0) - unwrapsBefore;
await timeInTurns([miss], { warmup: 50, iterations: Math.min(ITERATIONS, 500) });
const stats = kmsStore.dataKeyCacheStats();

await keyringStore.close();
await kmsStore.close();
await kek.close();
await emulator.stop();

printQuantiles(`sql store get on SQLite, ${ITERATIONS} calls per store path (ms)`, [file, envelope, miss]);
console.log(
  `\nKey Vault unwraps made by the store while timed: ${storeUnwraps} (cache: ${JSON.stringify(stats)})`,
);
// The spread: the same ratio in five consecutive slices of the run (the machine is shared).
const SLICES = 5;
const sliceRatios = Array.from({ length: SLICES }, (_, n) => {
  const slice = (samples: number[]) =>
    samples.slice((n * ITERATIONS) / SLICES, ((n + 1) * ITERATIONS) / SLICES);
  return quantile(slice(envelope.samples), 0.5) / quantile(slice(file.samples), 0.5);
}).sort((a, b) => a - b);
reportGoal({
  measure: "sql store get, azure-keys key source (cached data key) vs keyring file",
  value: `${ratio(envelope, file)}×`,
  goal: "≤ 1.05×",
  met: Number(ratio(envelope, file)) <= 1.05,
});
console.log(
  `azure-keys (cached) / keyring file (medians): ${ratio(envelope, file)}× (goal ≤ 1.05×), ` +
    `${addedMicroseconds(envelope, file)} µs per get; per slice of ${ITERATIONS / SLICES}: ` +
    `${sliceRatios[0]!.toFixed(3)}–${sliceRatios.at(-1)!.toFixed(3)}×`,
);
