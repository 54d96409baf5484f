// getSecret by name through Coffer (the service over SQLite metadata and the vault store) side by
// side with the raw client call an application would make instead (node-vault's read of the KV v2
// data path), against the same in-process emulator and the same secret. Two more rows split
// Coffer's path in its halves: the store's read alone, and the metadata lookup alone.
//
// A second table does the same over HTTPS with a private CA (a TLS front before the emulator), the
// way most production Vaults are reached: there node-vault, given a CA, opens a new connection per
// request unless it is also told to keep connections alive (the store does).
//
// The calls take turns, one call each in rotating order, so every path sees the same machine; each
// call is timed on its own.
import { startVaultEmulator } from "@coffer/emulators";
import { createService } from "@coffer/service";
import { VaultStore, vaultStoreOptions } from "@coffer/store-vault";
import { OutageProxy, serviceOverStore } from "@coffer/testkit";
import vaultFactory from "node-vault";
import { generate } from "selfsigned";
import {
  addedMicroseconds,
  printQuantiles,
  ratio,
  type TimedPath,
  timedPath,
  timeInTurns,
} from "../../service/bench/paths.ts";

const WARMUP = 300;
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 3000);
const token = "not-a-real-root-token";
const actor = { id: "bench" };

function report(title: string, paths: TimedPath[], client: TimedPath, coffer: TimedPath) {
  printQuantiles(title, paths);
  console.log(
    `Coffer / "${client.label.trim()}" (medians): ${ratio(coffer, client)}×; Coffer adds ${addedMicroseconds(coffer, client)} µs per get`,
  );
}

/** A service and its store on `address`, holding one secret named bench-db. */
async function setUp(address: string, tlsCa?: string) {
  // The store as an operator configures it: defaults but for the address, the CA and the token.
  const { service, store, close } = await serviceOverStore(
    createService,
    (context) =>
      new VaultStore(
        vaultStoreOptions.parse({ address, token, ...(tlsCa !== undefined && { tlsCa }) }),
        context,
      ),
  );
  const values = { username: "fake-user", password: "fake-password-1", host: "db.example.invalid" };
  const { id } = await service.create(actor, { name: "bench-db", values });
  // Coffer's get by name, and its two halves: the store's read alone, the metadata lookup alone.
  const coffer = [
    timedPath("Coffer: service.get by name", () => service.get(actor, { name: "bench-db" })),
    timedPath("  of which the store: store.get(id)", () => store.get(id)),
    timedPath("  of which metadata: getMetadata by name", () =>
      service.getMetadata(actor, { name: "bench-db" }),
    ),
  ];
  return { coffer, dataPath: `secret/data/${store.nameOf(id)}`, close };
}

const emulator = await startVaultEmulator({ rootToken: token });

// Plain HTTP, straight to the emulator.
{
  const { coffer, dataPath, close } = await setUp(emulator.url);
  const raw = vaultFactory({ apiVersion: "v1", endpoint: emulator.url, token });
  const client = timedPath("raw client: node-vault read", async () => (await raw.read(dataPath)).data.data);
  const paths = [client, ...coffer];
  await timeInTurns(paths, { warmup: WARMUP, iterations: ITERATIONS });
  report(
    `getSecret by name, in-process Vault emulator over HTTP, ${ITERATIONS} calls per path (ms)`,
    paths,
    client,
    coffer[0]!,
  );
  await close();
}

// HTTPS with a private CA, through a TLS front.
{
  const now = Date.now();
  const pems = await generate([{ name: "commonName", value: "127.0.0.1" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notBeforeDate: new Date(now - 60_000),
    notAfterDate: new Date(now + 86_400_000),
    extensions: [{ name: "subjectAltName", altNames: [{ type: 7, ip: "127.0.0.1" }] }],
  });
  const front = await OutageProxy.start(emulator.url, { key: pems.private, cert: pems.cert });
  const { coffer, dataPath, close } = await setUp(front.url, pems.cert);
  const rawWithCa = vaultFactory({
    apiVersion: "v1",
    endpoint: front.url,
    token,
    requestOptions: { ca: pems.cert },
  } as Parameters<typeof vaultFactory>[0]);
  const rawKeepAlive = vaultFactory({
    apiVersion: "v1",
    endpoint: front.url,
    token,
    requestOptions: { ca: pems.cert, agentOptions: { keepAlive: true } },
  } as Parameters<typeof vaultFactory>[0]);
  const keepAlive = timedPath(
    "raw client + CA, keep-alive",
    async () => (await rawKeepAlive.read(dataPath)).data.data,
  );
  const handshakes = timedPath(
    "raw client + CA (a handshake per request)",
    async () => (await rawWithCa.read(dataPath)).data.data,
  );
  const paths = [keepAlive, handshakes, ...coffer];
  await timeInTurns(paths, { warmup: WARMUP, iterations: ITERATIONS });
  report(
    `getSecret by name over HTTPS (private CA, TLS front before the emulator), ${ITERATIONS} calls per path (ms)`,
    paths,
    keepAlive,
    coffer[0]!,
  );
  await close();
  await front.stop();
}

await emulator.stop();
