// `coffer migrate` sql -> aws (the in-process emulator), in secrets per second, side by side with
// what the same endpoint takes from the raw SDK: a CreateSecret loop with the same number of
// requests in flight (8, the migration's default concurrency). The two take turns slice by slice
// (raw, migrate, raw, migrate…) so both see the same machine; each path's rate is the median of its
// slices, with the slowest and fastest slice beside it. On a shared machine the load drifts between
// slices, so the ratio is also given as the median of each raw slice against the migrate slice
// right after it, and each path's CPU time per secret (this process's user + system time: the
// emulator runs in it too, so this counts the endpoint's work as well), which the load of other
// processes does not change much.
//
// The migration is the whole command's work: read from the source in batches, compare keyed hashes
// with what the target holds, write (create-or-update), read back and verify, journal each batch,
// and the last comparing pass. Seeding the source (through the service) is not timed.
// BENCH_SECRETS (default 10000) sets the total per path; BENCH_SLICES (default 5) how it is split.
import { mkdtempSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { type SecretsStore, type StoreContext, silentLogger } from "@coffer/core";
import { startAwsEmulator } from "@coffer/emulators";
import { createService } from "@coffer/service";
import { builtinStores } from "@coffer/stores";
import { printTable } from "../../service/bench/table.ts";

// The SDK as the aws store uses it (the same copy, from the store's dependencies): the CLI itself
// loads it from there when a configuration names aws.
const sdkPath = createRequire(import.meta.resolve("@coffer/store-aws")).resolve(
  "@aws-sdk/client-secrets-manager",
);
const { CreateSecretCommand, SecretsManagerClient } = (await import(
  sdkPath
)) as typeof import("@aws-sdk/client-secrets-manager");

const TOTAL = Number(process.env.BENCH_SECRETS ?? 10_000);
const SLICES = Number(process.env.BENCH_SLICES ?? 5);
const PER_SLICE = Math.floor(TOTAL / SLICES);
const CONCURRENCY = 8;
const region = "us-east-1";
const credentials = { accessKeyId: "AKIAFAKEFAKEFAKE0000", secretAccessKey: "not-a-real-secret-key" };
const values = (i: number) => ({
  username: `fake-user-${i}`,
  password: `fake-password-${i}`,
  host: "db.example.invalid",
});

const emulator = await startAwsEmulator({ region });
const registry = builtinStores();
const store = async (type: string, options: Record<string, unknown>, context: StoreContext) => {
  const registration = await registry.get(type);
  return registration.create(registration.optionsSchema.parse(options), context) as SecretsStore;
};

/** What a slice measured: secrets per second, and CPU milliseconds per secret. */
interface Slice {
  rate: number;
  cpuMs: number;
}

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000 / PER_SLICE;
}

/** One slice of the raw path: PER_SLICE CreateSecret calls, CONCURRENCY in flight. */
async function rawSlice(slice: number): Promise<Slice> {
  // A copy: the SDK marks the object it is given.
  const client = new SecretsManagerClient({
    endpoint: emulator.url,
    region,
    credentials: { ...credentials },
  });
  let next = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < PER_SLICE) {
        const i = next++;
        await client.send(
          new CreateSecretCommand({ Name: `raw-${slice}-${i}`, SecretString: JSON.stringify(values(i)) }),
        );
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpuMs = cpuMsSince(cpu);
  client.destroy();
  return { rate: PER_SLICE / seconds, cpuMs };
}

/** One slice of the migration: a fresh SQLite deployment of PER_SLICE secrets, migrated to aws. */
async function migrateSlice(slice: number): Promise<Slice> {
  const dir = mkdtempSync(path.join(tmpdir(), "coffer-bench-migrate-"));
  const databaseUrl = `sqlite://${path.join(dir, "coffer.db")}`;
  const parts = { databaseUrl, dataDir: dir, logger: silentLogger };
  const sql = (c: StoreContext) => store("sql", {}, c);
  let source: SecretsStore | undefined;
  // The stores are built from the context the service gives them (the deployment id tags them).
  const context: StoreContext = {
    deploymentId: `bench-${slice}-${Date.now()}`,
    dataDir: dir,
    databaseUrl,
    logger: silentLogger,
  };
  source = await sql(context);
  const target = await store("aws", { region, endpoint: emulator.url, ...credentials }, context);
  const keep = (s: SecretsStore) => Object.assign(s, { close: async () => {} });
  const seed = await createService({
    ...parts,
    deploymentId: context.deploymentId,
    store: () => keep(source!),
  });
  for (let i = 0; i < PER_SLICE; i++)
    await seed.create({ id: "bench" }, { name: `s-${i}`, values: values(i) });
  await seed.close();
  const service = await createService({
    ...parts,
    deploymentId: context.deploymentId,
    store: () => source!,
    backupStore: () => target,
  });
  const cpu = process.cpuUsage();
  const started = performance.now();
  const report = await service.migrateValues(`aws:bench-${slice}`, { concurrency: CONCURRENCY });
  const seconds = (performance.now() - started) / 1000;
  const cpuMs = cpuMsSince(cpu);
  if (report.failed.length > 0 || report.copied.length !== PER_SLICE) {
    throw new Error(`slice ${slice}: ${report.copied.length} copied, ${report.failed.length} failed`);
  }
  // Requests the target took, by operation (AwsStore counts them): where the time goes.
  for (const [operation, count] of Object.entries(
    (target as unknown as { calls: Record<string, number> }).calls,
  )) {
    requests[operation] = (requests[operation] ?? 0) + count;
  }
  await service.close();
  return { rate: PER_SLICE / seconds, cpuMs };
}

const requests: Record<string, number> = {};
const raw: Slice[] = [];
const migrated: Slice[] = [];
for (let slice = 0; slice < SLICES; slice++) {
  raw.push(await rawSlice(slice));
  migrated.push(await migrateSlice(slice));
}
await emulator.stop();

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const row = (label: string, slices: Slice[]) => {
  const rates = slices.map((s) => s.rate);
  const cpu = slices.map((s) => s.cpuMs);
  return [label, median(rates), Math.min(...rates), Math.max(...rates), median(cpu)];
};
printTable(
  `${SLICES} slices of ${PER_SLICE} secrets per path (${SLICES * PER_SLICE} each), in-process aws emulator, ${CONCURRENCY} requests in flight`,
  ["path", "secrets/s median", "slowest slice", "fastest slice", "CPU ms/secret"],
  [
    row("raw SDK: CreateSecret loop", raw),
    row("coffer migrate sql -> aws (copy, verify, journal, last pass)", migrated),
  ],
);
const perSecret = Object.entries(requests)
  .filter(([, count]) => count > 0)
  .map(([operation, count]) => `${operation} ${(count / (SLICES * PER_SLICE)).toFixed(2)}`)
  .join(", ");
console.log(`\nSecrets Manager requests per migrated secret: ${perSecret} (the raw loop: CreateSecret 1.00)`);
const ratio = median(migrated.map((s) => s.rate)) / median(raw.map((s) => s.rate));
const paired = median(migrated.map((s, i) => s.rate / raw[i]!.rate));
const byCpu = median(raw.map((s) => s.cpuMs)) / median(migrated.map((s) => s.cpuMs));
console.log(
  `\nmigrate / raw SDK: ${ratio.toFixed(2)}× (medians), ${paired.toFixed(2)}× (median of paired slices), ${byCpu.toFixed(2)}× (by CPU per secret) (goal ≥ 0.80×)`,
);
