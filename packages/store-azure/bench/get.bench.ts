// getSecret by name through Coffer (the service over SQLite metadata and the azure store) side by
// side with the raw client call an application would make instead (SecretClient.getSecret, then
// JSON.parse of the value), against the same in-process emulator and the same secret. Calls
// alternate one by one so that both sides see the same machine; each is timed on its own and the
// medians are compared. The goal: Coffer within 1.10× of the raw call. Two more paths show
// where Coffer's time goes: the store's get by id alone, and the service's metadata lookup alone.
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { SecretClient } from "@azure/keyvault-secrets";
import { startAzureEmulator } from "@coffer/emulators";
import { createService } from "@coffer/service";
import { AzureStore } from "@coffer/store-azure";
import { serviceOverStore } from "@coffer/testkit";
import { printQuantiles, ratio, timedPath, timeInTurns } from "../../service/bench/paths.ts";

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
// The store as an operator configures it for an emulator (its CA, a loopback host), with the
// client's default retry policy and deadline; only the credential is injected.
const { service, store, close } = await serviceOverStore(
  createService,
  (context) =>
    new AzureStore(
      { vaultUrl: emulator.url, tlsCa: emulator.certificatePem!, disableChallengeResourceVerification: true },
      context,
      { credential },
    ),
);
const values = { username: "fake-user", password: "fake-password-1", host: "db.example.invalid" };
const created = await service.create(actor, { name: "bench-db", values });
// The application's own client, with the same settings.
const raw = new SecretClient(emulator.url, credential, {
  disableChallengeResourceVerification: true,
  tlsOptions: { ca: emulator.certificatePem! },
});
const secretName = store.nameOf(created.id);

const viaCoffer = async () => (await service.get(actor, { name: "bench-db" })).values;
const viaClient = async () => JSON.parse((await raw.getSecret(secretName)).value!);

const expected = JSON.stringify(values);
if (JSON.stringify(await viaCoffer()) !== expected || JSON.stringify(await viaClient()) !== expected) {
  throw new Error("the two paths do not read the same values");
}
const [client, coffer, storeAlone, metadata] = [
  timedPath("raw client: getSecret + JSON.parse", viaClient),
  timedPath("Coffer: service.get by name", viaCoffer),
  timedPath("  of which the store: store.get by id", () => store.get(created.id)),
  timedPath("  of which the metadata: service.getMetadata by name", () =>
    service.getMetadata(actor, { name: "bench-db" }),
  ),
];
await timeInTurns([client, coffer, storeAlone, metadata], { warmup: 300, iterations: ITERATIONS });

await close();
await emulator.stop();

printQuantiles(
  `getSecret by name: Coffer (service + SQLite + azure store) vs the raw client, in-process emulator, ${ITERATIONS} calls each (ms)`,
  [client, coffer, storeAlone, metadata],
);
console.log(
  `\nratio of medians: Coffer ${ratio(coffer, client)}× (goal ≤ 1.10×), store alone ${ratio(storeAlone, client)}×`,
);
