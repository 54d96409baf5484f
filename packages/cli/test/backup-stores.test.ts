// Backup -> restore on every built-in store (issue 16): the same deployment's secrets, written
// through the real service onto each store (emulators in this process, PostgreSQL in a container),
// backed up with their history, deleted, restored from the archive, and found again exactly —
// values, owners, visibility and earlier versions' values. service/test/backup-restore.test.ts
// covers the conflict policies and damaged archives on SQLite, PostgreSQL and MySQL metadata.
import path from "node:path";
import { PassThrough, Readable } from "node:stream";
import { silentLogger } from "@coffer/core";
import { createService, type SecretsService } from "@coffer/service";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "./helpers.js";
import {
  type RunningStoreKinds,
  registeredStoreTypes,
  STORE_KINDS,
  type StoreKind,
  startStoreKinds,
} from "./store-kinds.js";

const key = { passphrase: "fake-backup-passphrase", scryptWorkFactor: 10 };
let running: RunningStoreKinds;
beforeAll(async () => {
  running = await startStoreKinds();
}, 180_000);
afterAll(async () => {
  await running?.stop();
});

/** Every secret with its history's values, in a stable order: what must survive the round trip. */
async function everything(service: SecretsService) {
  const all: unknown[] = [];
  for await (const secret of service.exportSecrets({ withHistory: true })) {
    const { name, owner, private: isPrivate, values, history } = secret;
    all.push({ name, owner, private: isPrivate, values, history: (history ?? []).map((v) => v.values) });
  }
  return all.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

async function roundTrip(kind: StoreKind) {
  const dir = tempDir("coffer-backup-store-");
  const parts = {
    databaseUrl: `sqlite://${path.join(dir, "coffer.db")}`,
    dataDir: dir,
    deploymentId: `backup-${kind}-${Date.now()}`,
    logger: silentLogger,
  };
  const store = await running.kinds[kind](parts);
  const service = await createService({ ...parts, store: () => store });
  try {
    const alice = service.as({ id: "alice" });
    const bob = service.as({ id: "bob" });
    const db = await alice.create({ name: "db", values: { user: "fake-app", password: "fake-pw-1" } });
    await alice.update({ id: db.id }, { values: { password: 'fake-pw-2 "q" $HOME\nünï' } });
    await alice.create({ name: "db", values: { password: "fake-alice-private" }, private: true });
    await bob.create({ name: "db", values: { password: "fake-bob-private" }, private: true });
    await bob.create({ name: "api/token", values: { token: "fake-token", "smtp.host": "mail.example" } });
    const before = await everything(service);
    expect(before).toHaveLength(4);

    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on("data", (chunk: Buffer) => chunks.push(chunk));
    await service.backup(out, key, { withHistory: true });
    out.end();
    const archive = Buffer.concat(chunks);
    expect(archive.toString("latin1")).not.toMatch(/fake-/);

    for await (const secret of service.exportSecrets()) {
      await service.delete({ id: secret.owner }, { id: secret.id });
    }
    expect(await everything(service)).toEqual([]);
    const report = await service.restore(() => Readable.from([archive]), key, { journalDir: dir });
    expect(report).toMatchObject({ created: 4, verified: 4, skipped: 0, overwritten: 0 });
    expect(await everything(service)).toEqual(before);
  } finally {
    await service.close();
  }
}

describe("backup -> restore on every store", () => {
  it("the kinds below are every store type the registry knows", () => {
    expect([...new Set(STORE_KINDS.map((kind) => kind.split("-")[0]))].sort()).toEqual(
      registeredStoreTypes().sort(),
    );
  });
  for (const kind of STORE_KINDS) it(kind, () => roundTrip(kind), 120_000);
});
