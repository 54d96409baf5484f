// getSecret by name through Coffer (the service over SQLite metadata and the gcp store) side by
// side with the raw client call an application would make instead (AccessSecretVersion of
// "latest", then JSON.parse of the payload), against the same in-process emulator and the same
// secret. Calls alternate one by one so that both sides see the same machine; each is timed on
// its own and the medians are compared. The goal: Coffer within 1.10× of the raw call. Two more
// paths show where Coffer's time goes: the store's get by id alone, and the service's metadata
// lookup alone.
import { startGcpEmulator } from "@coffer/emulators";
import { createService } from "@coffer/service";
import { GcpStore } from "@coffer/store-gcp";
import { serviceOverStore } from "@coffer/testkit";
import { SecretManagerServiceClient } from "@google-cloud/secret-manager";
import { googleAuthLibrary, grpc } from "google-gax";
import { printQuantiles, ratio, timedPath, timeInTurns } from "../../service/bench/paths.ts";

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 3000);
const project = "coffer-bench";
const actor = { id: "bench" };

const emulator = await startGcpEmulator();
// The store as an operator configures it for an emulator: `insecure` (plain-text gRPC, no
// credentials looked up), the default deadline and the client library's default retry policy.
const { service, store, close } = await serviceOverStore(
  createService,
  (context) =>
    new GcpStore({ project, apiEndpoint: "127.0.0.1", port: emulator.port, insecure: true }, context),
);
const values = { username: "fake-user", password: "fake-password-1", host: "db.example.invalid" };
const created = await service.create(actor, { name: "bench-db", values });
// The application's own client: the same settings the store's client gets from `insecure`.
const raw = new SecretManagerServiceClient({
  projectId: project,
  apiEndpoint: "127.0.0.1",
  port: emulator.port,
  sslCreds: grpc.credentials.createInsecure(),
  authClient: new googleAuthLibrary.PassThroughClient(),
});
const latest = `${store.nameOf(created.id)}/versions/latest`;

const viaCoffer = async () => (await service.get(actor, { name: "bench-db" })).values;
const viaClient = async () => {
  const [response] = await raw.accessSecretVersion({ name: latest });
  return JSON.parse(Buffer.from(response.payload!.data as Uint8Array).toString("utf8")).values;
};

const expected = JSON.stringify(values);
if (JSON.stringify(await viaCoffer()) !== expected || JSON.stringify(await viaClient()) !== expected) {
  throw new Error("the two paths do not read the same values");
}
const [client, coffer, storeAlone, metadata] = [
  timedPath("raw client: AccessSecretVersion(latest) + JSON.parse", viaClient),
  timedPath("Coffer: service.get by name", viaCoffer),
  timedPath("  of which the store: store.get by id", () => store.get(created.id)),
  timedPath("  of which the metadata: service.getMetadata by name", () =>
    service.getMetadata(actor, { name: "bench-db" }),
  ),
];
await timeInTurns([client, coffer, storeAlone, metadata], { warmup: 300, iterations: ITERATIONS });

await raw.close();
await close();
await emulator.stop();

printQuantiles(
  `getSecret by name: Coffer (service + SQLite + gcp store) vs the raw client, in-process emulator, ${ITERATIONS} calls each (ms)`,
  [client, coffer, storeAlone, metadata],
);
console.log(
  `\nratio of medians: Coffer ${ratio(coffer, client)}× (goal ≤ 1.10×), store alone ${ratio(storeAlone, client)}×`,
);
