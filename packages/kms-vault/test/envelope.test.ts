// Envelope encryption with Vault transit, on a SQLite file and the emulator through node-vault:
// KEK rotation then rewrap (Vault's own rewrap: the data key never leaves Vault) lets the operator
// retire old key versions without re-encrypting a value; outages, foreign keys, missing keys and
// refused tokens are typed errors that write nothing.
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import {
  BackendAccessDeniedError,
  BackendUnavailableError,
  IntegrityError,
  InvalidConfigError,
  newSecretId,
} from "@coffer/core";
import type { VaultEmulator } from "@coffer/emulators";
import { DATA_KEYS_TABLE, VALUES_TABLE } from "@coffer/store-sql";
import { rows, withStore } from "@coffer/store-sql/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  failure,
  newTransitKey,
  operator,
  sqliteContext,
  startedTransitStore,
  startTransit,
  transitStore,
} from "./helpers.js";

let emulator: VaultEmulator;
beforeAll(async () => {
  ({ emulator } = await startTransit());
});
afterAll(() => emulator.stop());

describe("sql store with Vault transit", () => {
  it("a stolen database holds neither values nor data keys in the clear", async () => {
    const keyName = await newTransitKey(emulator);
    const context = sqliteContext();
    await withStore(await startedTransitStore(emulator, keyName, context), (store) =>
      store.create(newSecretId(), { password: "fake-transit-stolen" }),
    );
    const [dataKey] = await rows(context, DATA_KEYS_TABLE);
    expect(String(dataKey!.wrapped)).toMatch(/^vault:v1:/);
    expect(dataKey!.kek).toBe(`transit/${keyName} v1`);
    const file = readFileSync(context.databaseUrl.slice("sqlite://".length));
    expect(file.includes(Buffer.from("fake-transit-stolen"))).toBe(false);
  });

  it("KEK rotation: after keys/rotate, rewrapDataKeys moves every data key to the new version, values untouched; min_decryption_version can then retire the old one", async () => {
    const keyName = await newTransitKey(emulator);
    const context = sqliteContext();
    const values = new Map<string, Record<string, string>>();
    await withStore(await startedTransitStore(emulator, keyName, context), async (store) => {
      for (let n = 0; n < 4; n++) {
        const id = newSecretId();
        values.set(id, { password: `fake-transit-${n}` });
        await store.create(id, values.get(id)!);
      }
      await store.rotateKey(); // two data keys
    });
    const valuesBefore = await rows(context, VALUES_TABLE);
    const vault = operator(emulator);
    await vault.write(`transit/keys/${keyName}/rotate`, {});

    // Retiring v1 before re-wrapping strands the data keys: the store refuses to start, saying so.
    await vault.write(`transit/keys/${keyName}/config`, { min_decryption_version: 2 });
    const stranded = await failure(() => transitStore(emulator, keyName, context).init());
    expect(stranded).toBeInstanceOf(IntegrityError);
    expect(stranded.message).toMatch(/min_decryption_version/);
    await vault.write(`transit/keys/${keyName}/config`, { min_decryption_version: 1 });

    await withStore(await startedTransitStore(emulator, keyName, context), async (store) => {
      expect(await store.rewrapDataKeys()).toMatchObject({ rewrapped: 2, skipped: 0 });
    });
    const keys = await rows(context, DATA_KEYS_TABLE);
    for (const key of keys) {
      expect(String(key.wrapped)).toMatch(/^vault:v2:/);
      expect(key.kek).toBe(`transit/${keyName} v2`);
    }
    expect(await rows(context, VALUES_TABLE)).toEqual(valuesBefore);
    await vault.write(`transit/keys/${keyName}/config`, { min_decryption_version: 2 });
    await withStore(await startedTransitStore(emulator, keyName, context), async (store) => {
      for (const [id, expected] of values) expect(await store.get(id)).toEqual(expected);
    });
  });

  it("Vault sealed or gone: BackendUnavailableError, nothing written; back again: it works", async () => {
    const keyName = await newTransitKey(emulator);
    const context = sqliteContext();
    const store = await startedTransitStore(emulator, keyName, context, { dataKeyCacheTtlMs: 1_000 });
    try {
      const id = newSecretId();
      await store.create(id, { v: "fake-1" });
      await sleep(1_100);
      emulator.failNext(2, "sealed"); // one unwrap each for the create and the get
      const created = newSecretId();
      expect(await failure(() => store.create(created, { v: "fake-never" }))).toBeInstanceOf(
        BackendUnavailableError,
      );
      expect(await failure(() => store.get(id))).toBeInstanceOf(BackendUnavailableError);
      expect((await rows(context, VALUES_TABLE)).map((row) => row.secret_id)).toEqual([id]);
      await emulator.suspend();
      expect(await failure(() => store.update(id, { v: "fake-never" }))).toBeInstanceOf(
        BackendUnavailableError,
      );
      await emulator.resume();
      expect(await store.get(id)).toEqual({ v: "fake-1" });
    } finally {
      await store.close();
    }
  });

  it("another transit key, a missing key, a refused token: IntegrityError, InvalidConfigError (no key created), BackendAccessDeniedError", async () => {
    const keyName = await newTransitKey(emulator);
    const context = sqliteContext();
    await withStore(await startedTransitStore(emulator, keyName, context), (store) =>
      store.create(newSecretId(), { v: "fake" }),
    );
    const other = await newTransitKey(emulator);
    const foreign = await failure(() => transitStore(emulator, other, context).init());
    expect(foreign).toBeInstanceOf(IntegrityError);
    expect(foreign.message).toMatch(/message authentication failed/);

    const missing = await failure(() => transitStore(emulator, "no-such-key", sqliteContext()).init());
    expect(missing).toBeInstanceOf(InvalidConfigError);
    const stillMissing = await operator(emulator)
      .read("transit/keys/no-such-key")
      .catch((error: { response: { statusCode: number } }) => error.response.statusCode);
    expect(stillMissing).toBe(404);

    const refused = await failure(() =>
      transitStore(emulator, keyName, context, { token: "hvs.wrong" }).init(),
    );
    expect(refused).toBeInstanceOf(BackendAccessDeniedError);
  });
});
