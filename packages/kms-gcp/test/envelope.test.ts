// What envelope encryption with GCP Cloud KMS promises, on a SQLite file and the Cloud KMS emulator
// through the official client: a stolen database opens nothing, KEK rotation re-wraps data keys
// without touching values, unwrapped keys are cached within bounds, and a foreign key is a clear
// IntegrityError. Failures (outage, refusals, damaged answers, mistakes) are in failures.test.ts.
import { readFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { BackendAccessDeniedError, IntegrityError, instantiateStore, newSecretId } from "@coffer/core";
import { type GcpKmsEmulator, startGcpKmsEmulator } from "@coffer/emulators";
import { DATA_KEYS_TABLE, DataKeyCache, sqlStore, VALUES_TABLE, wrapContext } from "@coffer/store-sql";
import { copyRowsTo, rows, withStore } from "@coffer/store-sql/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GcpKmsKek, gcpKmsOptions } from "../src/index.js";
import {
  failure,
  kmsOptions,
  kmsStore,
  newCryptoKey,
  operator,
  sqliteContext,
  startedKmsStore,
  startKms,
} from "./helpers.js";

let emulator: GcpKmsEmulator;
let keyName: string;
beforeAll(async () => {
  ({ emulator, keyName } = await startKms());
});
afterAll(() => emulator.stop());

describe("sql store with GCP Cloud KMS: envelope encryption", () => {
  it("a stolen database holds no value and no data key: only ciphertext and keys wrapped by the KMS", async () => {
    const context = sqliteContext();
    const ids = [newSecretId(), newSecretId()];
    await withStore(await startedKmsStore(emulator.port, keyName, context), async (store) => {
      await store.create(ids[0]!, { password: "fake-stolen-password-1" });
      await store.create(ids[1]!, { token: "fake-stolen-token-2" });
    });
    const dataKeys = await rows(context, DATA_KEYS_TABLE);
    expect(dataKeys).toHaveLength(1);
    expect(dataKeys[0]!.kek).toBe(`${keyName}/cryptoKeyVersions/1`);
    // The data key in the clear, as only the KMS can give it (with the AAD the store binds it to).
    const kek = new GcpKmsKek(gcpKmsOptions.parse(kmsOptions(emulator.port, keyName)));
    const dataKey = await kek.unwrap(
      String(dataKeys[0]!.wrapped),
      wrapContext(context.deploymentId, String(dataKeys[0]!.key_id)),
    );
    await kek.close();
    const file = readFileSync(context.databaseUrl.slice("sqlite://".length));
    for (const needle of ["fake-stolen-password-1", "fake-stolen-token-2"])
      expect(file.includes(needle)).toBe(false);
    for (const form of [
      dataKey,
      Buffer.from(dataKey.toString("base64")),
      Buffer.from(dataKey.toString("hex")),
    ]) {
      expect(file.includes(form)).toBe(false);
    }
    // Without that KMS: a key of the same name on another KMS cannot unwrap, so init refuses.
    const otherKms = await startGcpKmsEmulator();
    try {
      const ringId = keyName.split("/")[5]!;
      expect(await newCryptoKey(otherKms, ringId)).toBe(keyName);
      const thief = kmsStore(otherKms.port, keyName, context);
      expect(await failure(() => thief.init())).toBeInstanceOf(IntegrityError);
      await thief.close();
    } finally {
      await otherKms.stop();
    }
    // Nor does any keyring: the rows name data keys no keyring holds.
    const keyring = instantiateStore(
      sqlStore,
      { keyringFile: path.join(context.dataDir, "guess.json") },
      context,
    );
    expect(await failure(() => keyring.init())).toBeInstanceOf(IntegrityError);
    await keyring.close();
  });

  it("KEK rotation (a new primary version) then rewrapDataKeys() re-wraps every data key without re-encrypting a value; the old version can then be disabled", async () => {
    const context = sqliteContext();
    const key = await newCryptoKey(emulator);
    const values = new Map<string, Record<string, string>>();
    await withStore(await startedKmsStore(emulator.port, key, context), async (store) => {
      for (let n = 0; n < 5; n++) {
        const id = newSecretId();
        values.set(id, { password: `fake-rotate-${n}` });
        await store.create(id, values.get(id)!);
      }
      await store.rotateKey(); // a second data key: both are re-wrapped below
      const id = newSecretId();
      values.set(id, { password: "fake-rotate-late" });
      await store.create(id, values.get(id)!);
    });
    const valuesBefore = await rows(context, VALUES_TABLE);
    const keysBefore = await rows(context, DATA_KEYS_TABLE);
    expect(keysBefore).toHaveLength(2);
    const versionOf = (row: Record<string, unknown>) =>
      emulator.inspectCiphertext(Buffer.from(String(row.wrapped), "base64"))?.version;
    expect(keysBefore.map(versionOf)).toEqual([1, 1]);

    const kms = operator(emulator);
    await kms.createCryptoKeyVersion({ parent: key, cryptoKeyVersion: {} });
    await kms.updateCryptoKeyPrimaryVersion({ name: key, cryptoKeyVersionId: "2" });
    const encrypts = emulator.calls.Encrypt ?? 0;
    await withStore(await startedKmsStore(emulator.port, key, context), async (store) => {
      expect(await store.rewrapDataKeys()).toMatchObject({ rewrapped: 2, skipped: 0 });
    });
    expect((emulator.calls.Encrypt ?? 0) - encrypts).toBe(2); // one wrap per data key, none per value
    const keysAfter = await rows(context, DATA_KEYS_TABLE);
    expect(keysAfter.map((row) => row.key_id)).toEqual(keysBefore.map((row) => row.key_id));
    expect(keysAfter.map(versionOf)).toEqual([2, 2]);
    expect(keysAfter.map((row) => row.kek)).toEqual([
      `${key}/cryptoKeyVersions/2`,
      `${key}/cryptoKeyVersions/2`,
    ]);
    // The values are byte for byte what they were: same key ids, IVs, ciphertexts, revisions.
    expect(await rows(context, VALUES_TABLE)).toEqual(valuesBefore);
    // Version 1 wraps nothing any more: disabled, a cold store (nothing cached) still reads everything.
    await kms.updateCryptoKeyVersion({
      cryptoKeyVersion: { name: `${key}/cryptoKeyVersions/1`, state: "DISABLED" },
      updateMask: { paths: ["state"] },
    });
    await kms.close();
    await withStore(await startedKmsStore(emulator.port, key, context), async (store) => {
      for (const [id, expected] of values) expect(await store.get(id)).toEqual(expected);
    });
  });

  it("disabling the old version before the rewrap makes the store refuse to start, saying which version", async () => {
    const context = sqliteContext();
    const key = await newCryptoKey(emulator);
    await withStore(await startedKmsStore(emulator.port, key, context), (store) =>
      store.create(newSecretId(), { v: "fake-early-disable" }),
    );
    const kms = operator(emulator);
    await kms.createCryptoKeyVersion({ parent: key, cryptoKeyVersion: {} });
    await kms.updateCryptoKeyPrimaryVersion({ name: key, cryptoKeyVersionId: "2" });
    await kms.updateCryptoKeyVersion({
      cryptoKeyVersion: { name: `${key}/cryptoKeyVersions/1`, state: "DISABLED" },
      updateMask: { paths: ["state"] },
    });
    await kms.close();
    const store = kmsStore(emulator.port, key, context);
    const error = await failure(() => store.init());
    expect(error).toBeInstanceOf(BackendAccessDeniedError);
    expect(error.message).toContain(`${key}/cryptoKeyVersions/1 is not enabled, current state is: DISABLED`);
    await store.close();
  });

  it("a rotated data key reaches another replica sharing the database and the KMS", async () => {
    const context = sqliteContext();
    const first = await startedKmsStore(emulator.port, keyName, context);
    const second = await startedKmsStore(emulator.port, keyName, context);
    try {
      const id = newSecretId();
      await first.create(id, { v: "fake-1" });
      const rotated = await first.rotateKey();
      expect(rotated.generated).toBe(true);
      await second.update(id, { v: "fake-2" });
      expect(await first.get(id)).toEqual({ v: "fake-2" });
      await first.update(id, { v: "fake-3" });
      expect(await second.get(id)).toEqual({ v: "fake-3" });
    } finally {
      await first.close();
      await second.close();
    }
  });

  it("a foreign KEK (another CryptoKey, or data keys of another deployment) is an IntegrityError that names the data key", async () => {
    const context = sqliteContext();
    await withStore(await startedKmsStore(emulator.port, keyName, context), (store) =>
      store.create(newSecretId(), { v: "fake-foreign" }),
    );
    const [dataKey] = await rows(context, DATA_KEYS_TABLE);
    const otherKey = await newCryptoKey(emulator);
    const wrongKey = kmsStore(emulator.port, otherKey, context);
    const error = await failure(() => wrongKey.init());
    expect(error).toBeInstanceOf(IntegrityError);
    expect(error.message).toContain(String(dataKey!.key_id));
    expect(error.message).toContain(otherKey);
    await wrongKey.close();
    // The same rows copied under another deployment id: the AAD no longer matches.
    await copyRowsTo(context, "copied");
    const copied = kmsStore(emulator.port, keyName, { ...context, deploymentId: "copied" });
    const moved = await failure(() => copied.init());
    expect(moved).toBeInstanceOf(IntegrityError);
    expect(moved.message).toContain("another deployment");
    await copied.close();
  });
});

describe("sql store with GCP Cloud KMS: the data key cache", () => {
  it("reads within the TTL do not call the KMS; after it, one Decrypt; concurrent misses share one", async () => {
    const context = sqliteContext();
    const id = newSecretId();
    await withStore(await startedKmsStore(emulator.port, keyName, context), (store) =>
      store.create(id, { v: "fake-cached" }),
    );
    await withStore(
      await startedKmsStore(emulator.port, keyName, context, { dataKeyCacheTtlMs: 1_000 }),
      async (store) => {
        expect(store.dataKeyCacheStats()!.unwraps).toBe(1); // init's check unwrapped the key once
        const decrypts = emulator.calls.Decrypt ?? 0;
        await Promise.all(Array.from({ length: 50 }, () => store.get(id)));
        expect((emulator.calls.Decrypt ?? 0) - decrypts).toBe(0);
        await sleep(1_100);
        await Promise.all(Array.from({ length: 20 }, () => store.get(id)));
        expect((emulator.calls.Decrypt ?? 0) - decrypts).toBe(1);
        expect(store.dataKeyCacheStats()).toEqual({ size: 1, unwraps: 2 });
      },
    );
  });

  it("holds at most `max` unwrapped keys: the least recently used is dropped and unwrapped again when needed", async () => {
    const kek = new GcpKmsKek(gcpKmsOptions.parse(kmsOptions(emulator.port, keyName)));
    const deployment = "cache-bound";
    const keys = ["k1", "k2", "k3"].map((id) => ({ id, key: Buffer.alloc(32, id) }));
    const wrapped = await Promise.all(keys.map(({ id, key }) => kek.wrap(key, wrapContext(deployment, id))));
    const cache = new DataKeyCache(kek, deployment, { max: 2, ttlMs: 60_000 });
    try {
      for (const [n, { id, key }] of keys.entries())
        expect(await cache.get(id, wrapped[n]!.wrapped)).toEqual(key);
      expect(cache.size).toBe(2);
      expect(cache.unwraps).toBe(3);
      await cache.get("k3", wrapped[2]!.wrapped); // held
      expect(cache.unwraps).toBe(3);
      await cache.get("k1", wrapped[0]!.wrapped); // dropped: unwrapped again
      expect(cache.unwraps).toBe(4);
      expect(cache.size).toBe(2);
    } finally {
      cache.clear();
      await kek.close();
    }
  });
});
