// getSecret by name through Coffer (the service over SQLite metadata and the azure store) side by
// side with the raw client call an application would make instead (SecretClient.getSecret, then
// JSON.parse of the value), against the same in-process emulator and the same secret. Calls
// alternate one by one so that both sides see the same machine; each is timed on its own and the
// medians are compared. The goal: Coffer within 1.10× of the raw call. Two more paths show
// where Coffer's time goes: the store's get by id alone, and the service's metadata lookup alone.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { SecretClient } from "@azure/keyvault-secrets";
import { silentLogger } from "@coffer/core";
import { startAzureEmulator } from "@coffer/emulators";
import { createService } from "@coffer/service";
import { AzureKeyVaultStore } from "@coffer/store-azure";
import { printTable } from "../../service/bench/table.ts";

const WARMUP = 300;
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 3000);
const actor = { id: "bench" };

/** A fake identity (the emulator accepts any bearer token); never @azure/identity. */
const credential: TokenCredential = {
  getToken: async (): Promise<AccessToken> => ({
    token: "not-a-real-token",
    expiresOnTimestamp: Date.now() + 3_600_000,
  }),
};

const emulator = await startAzureEmulator();
const dir = mkdtempSync(path.join(tmpdir(), "coffer-bench-azure-"));
// The store as an operator configures it for an emulator (its CA, a loopback host), with the
// client's default retry policy and deadline; only the credential is injected.
let store: AzureKeyVaultStore | undefined;
const service = await createService({
  databaseUrl: `sqlite://${path.join(dir, "coffer.db")}`,
  dataDir: dir,
  logger: silentLogger,
  store: (context) => {
    store = new AzureKeyVaultStore(
      { vaultUrl: emulator.url, tlsCa: emulator.certificatePem!, disableChallengeResourceVerification: true },
      context,
      { credential },
    );
    return store;
  },
});
const values = { username: "fake-user", password: "fake-password-1", host: "db.example.invalid" };
const created = await service.create(actor, { name: "bench-db", values });
// The application's own client, with the same settings.
const raw = new SecretClient(emulator.url, credential, {
  disableChallengeResourceVerification: true,
  tlsOptions: { ca: emulator.certificatePem! },
});
const secretName = store!.secretName(created.id);

const viaCoffer = async () => (await service.get(actor, { name: "bench-db" })).values;
const viaClient = async () => JSON.parse((await raw.getSecret(secretName)).value!);

const expected = JSON.stringify(values);
if (JSON.stringify(await viaCoffer()) !== expected || JSON.stringify(await viaClient()) !== expected) {
  throw new Error("the two paths do not read the same values");
}
const viaStore = () => store!.get(created.id);
const viaMetadata = () => service.getMetadata(actor, { name: "bench-db" });
const paths: Array<[string, () => Promise<unknown>]> = [
  ["client", viaClient],
  ["coffer", viaCoffer],
  ["store", viaStore],
  ["metadata", viaMetadata],
];
const samples = new Map<string, number[]>(paths.map(([label]) => [label, []]));
for (let i = 0; i < WARMUP; i++) for (const [, fn] of paths) await fn();
for (let i = 0; i < ITERATIONS; i++) {
  // Rotate the order so that no path always follows the same other one.
  for (let j = 0; j < paths.length; j++) {
    const [label, fn] = paths[(i + j) % paths.length]!;
    const started = performance.now();
    await fn();
    samples.get(label)!.push(performance.now() - started);
  }
}

await service.close();
await emulator.stop();
rmSync(dir, { recursive: true, force: true });

const quantile = (taken: number[], q: number) => {
  const sorted = [...taken].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;
};
const row = (label: string, title: string) => {
  const taken = samples.get(label)!;
  return [title, quantile(taken, 0.5), quantile(taken, 0.9), quantile(taken, 0.99)];
};
printTable(
  `getSecret by name: Coffer (service + SQLite + azure store) vs the raw client, in-process emulator, ${ITERATIONS} calls each (ms)`,
  ["path", "median", "p90", "p99"],
  [
    row("client", "raw client: getSecret + JSON.parse"),
    row("coffer", "Coffer: service.get by name"),
    row("store", "  of which the store: store.get by id"),
    row("metadata", "  of which the metadata: service.getMetadata by name"),
  ],
);
const median = (label: string) => quantile(samples.get(label)!, 0.5);
console.log(
  `\nratio of medians: Coffer ${(median("coffer") / median("client")).toFixed(3)}× (goal ≤ 1.10×), store alone ${(median("store") / median("client")).toFixed(3)}×`,
);
