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
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { silentLogger } from "@coffer/core";
import { startVaultEmulator } from "@coffer/emulators";
import { createService } from "@coffer/service";
import { VaultSecretsStore, vaultStoreOptions } from "@coffer/store-vault";
import { OutageProxy } from "@coffer/testkit";
import vaultFactory from "node-vault";
import { generate } from "selfsigned";
import { printTable } from "../../service/bench/table.ts";

const WARMUP = 300;
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 3000);
const token = "not-a-real-root-token";
const actor = { id: "bench" };

interface Path {
  label: string;
  run: () => Promise<unknown>;
  samples: number[];
}

async function race(paths: Path[]) {
  for (let i = 0; i < WARMUP + ITERATIONS; i++) {
    for (let j = 0; j < paths.length; j++) {
      const each = paths[(i + j) % paths.length]!;
      const started = performance.now();
      await each.run();
      if (i >= WARMUP) each.samples.push(performance.now() - started);
    }
  }
}

const quantile = (samples: number[], q: number) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;
};

function report(title: string, paths: Path[], client: Path, coffer: Path) {
  printTable(
    title,
    ["path", "median", "p90", "p99"],
    paths.map((each) => [
      each.label,
      quantile(each.samples, 0.5),
      quantile(each.samples, 0.9),
      quantile(each.samples, 0.99),
    ]),
  );
  const [a, b] = [quantile(client.samples, 0.5), quantile(coffer.samples, 0.5)];
  console.log(
    `Coffer / "${client.label.trim()}" (medians): ${(b / a).toFixed(3)}×; Coffer adds ${((b - a) * 1000).toFixed(0)} µs per get`,
  );
}

/** A service and its store on `address`, holding one secret named bench-db. */
async function setUp(address: string, tlsCa?: string) {
  const dir = mkdtempSync(path.join(tmpdir(), "coffer-bench-vault-"));
  let store: VaultSecretsStore | undefined;
  const service = await createService({
    databaseUrl: `sqlite://${path.join(dir, "coffer.db")}`,
    dataDir: dir,
    logger: silentLogger,
    // The store as an operator configures it: defaults but for the address, the CA and the token.
    store: (context) => {
      store = new VaultSecretsStore(
        vaultStoreOptions.parse({ address, token, ...(tlsCa !== undefined && { tlsCa }) }),
        context,
      );
      return store;
    },
  });
  const values = { username: "fake-user", password: "fake-password-1", host: "db.example.invalid" };
  const { id } = await service.create(actor, { name: "bench-db", values });
  return {
    service,
    store: store!,
    id,
    dataPath: `secret/data/${store!.pathOf(id)}`,
    async close() {
      await service.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const emulator = await startVaultEmulator({ rootToken: token });

// Plain HTTP, straight to the emulator.
{
  const { service, store, id, dataPath, close } = await setUp(emulator.url);
  const raw = vaultFactory({ apiVersion: "v1", endpoint: emulator.url, token });
  const paths: Path[] = [
    {
      label: "raw client: node-vault read",
      samples: [],
      run: async () => (await raw.read(dataPath)).data.data,
    },
    {
      label: "Coffer: service.get by name",
      samples: [],
      run: () => service.get(actor, { name: "bench-db" }),
    },
    { label: "  of which the store: store.get(id)", samples: [], run: () => store.get(id) },
    {
      label: "  of which metadata: getMetadata by name",
      samples: [],
      run: () => service.getMetadata(actor, { name: "bench-db" }),
    },
  ];
  await race(paths);
  report(
    `getSecret by name, in-process Vault emulator over HTTP, ${ITERATIONS} calls per path (ms)`,
    paths,
    paths[0]!,
    paths[1]!,
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
  const { service, store, id, dataPath, close } = await setUp(front.url, pems.cert);
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
  const paths: Path[] = [
    {
      label: "raw client + CA, keep-alive",
      samples: [],
      run: async () => (await rawKeepAlive.read(dataPath)).data.data,
    },
    {
      label: "raw client + CA (a handshake per request)",
      samples: [],
      run: async () => (await rawWithCa.read(dataPath)).data.data,
    },
    {
      label: "Coffer: service.get by name",
      samples: [],
      run: () => service.get(actor, { name: "bench-db" }),
    },
    { label: "  of which the store: store.get(id)", samples: [], run: () => store.get(id) },
    {
      label: "  of which metadata: getMetadata by name",
      samples: [],
      run: () => service.getMetadata(actor, { name: "bench-db" }),
    },
  ];
  await race(paths);
  report(
    `getSecret by name over HTTPS (private CA, TLS front before the emulator), ${ITERATIONS} calls per path (ms)`,
    paths,
    paths[0]!,
    paths[2]!,
  );
  await close();
  await front.stop();
}

await emulator.stop();
