// getSecret by name through Coffer (the service over SQLite metadata and the gcp store) side by
// side with the raw client call an application would make instead (AccessSecretVersion of
// "latest", then JSON.parse of the payload), against the same in-process emulator and the same
// secret. Calls alternate one by one so that both sides see the same machine; each is timed on
// its own and the medians are compared. The goal: Coffer within 1.10× of the raw call. Two more
// paths show where Coffer's time goes: the store's get by id alone, and the service's metadata
// lookup alone.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { silentLogger } from "@coffer/core";
import { startGcpEmulator } from "@coffer/emulators";
import { createService } from "@coffer/service";
import { GcpSecretManagerStore } from "@coffer/store-gcp";
import { SecretManagerServiceClient } from "@google-cloud/secret-manager";
import { googleAuthLibrary, grpc } from "google-gax";
import { printTable } from "../../service/bench/table.ts";

const WARMUP = 300;
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 3000);
const project = "coffer-bench";
const actor = { id: "bench" };

const emulator = await startGcpEmulator();
const dir = mkdtempSync(path.join(tmpdir(), "coffer-bench-gcp-"));
// The store as an operator configures it for an emulator: `insecure` (plain-text gRPC, no
// credentials looked up), the default deadline and the client library's default retry policy.
let store: GcpSecretManagerStore | undefined;
const service = await createService({
  databaseUrl: `sqlite://${path.join(dir, "coffer.db")}`,
  dataDir: dir,
  logger: silentLogger,
  store: (context) => {
    store = new GcpSecretManagerStore(
      { project, apiEndpoint: "127.0.0.1", port: emulator.port, insecure: true },
      context,
    );
    return store;
  },
});
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
const latest = `${store!.resourceName(created.id)}/versions/latest`;

const viaCoffer = async () => (await service.get(actor, { name: "bench-db" })).values;
const viaClient = async () => {
  const [response] = await raw.accessSecretVersion({ name: latest });
  return JSON.parse(Buffer.from(response.payload!.data as Uint8Array).toString("utf8")).values;
};

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

await raw.close();
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
  `getSecret by name: Coffer (service + SQLite + gcp store) vs the raw client, in-process emulator, ${ITERATIONS} calls each (ms)`,
  ["path", "median", "p90", "p99"],
  [
    row("client", "raw client: AccessSecretVersion(latest) + JSON.parse"),
    row("coffer", "Coffer: service.get by name"),
    row("store", "  of which the store: store.get by id"),
    row("metadata", "  of which the metadata: service.getMetadata by name"),
  ],
);
const median = (label: string) => quantile(samples.get(label)!, 0.5);
console.log(
  `\nratio of medians: Coffer ${(median("coffer") / median("client")).toFixed(3)}× (goal ≤ 1.10×), store alone ${(median("store") / median("client")).toFixed(3)}×`,
);
