// What envelope encryption with AWS KMS promises, on a SQLite file and the KMS emulator through the
// official client: a stolen database opens nothing, KEK rotation re-wraps data keys without
// touching values, unwrapped keys are cached within bounds, an outage is a typed retryable error
// that writes nothing, and a foreign KEK is a clear IntegrityError.
import { readFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import {
  DecryptCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  RotateKeyOnDemandCommand,
} from "@aws-sdk/client-kms";
import {
  BackendAccessDeniedError,
  BackendUnavailableError,
  IntegrityError,
  InvalidConfigError,
  instantiateStore,
  newSecretId,
  silentLogger,
} from "@coffer/core";
import type { AwsKmsEmulator } from "@coffer/emulators";
import { openDatabase } from "@coffer/sql";
import { DATA_KEYS_TABLE, DataKeyCache, sqlStore, VALUES_TABLE, wrapContext } from "@coffer/store-sql";
import { copyRowsTo, rows, withStore } from "@coffer/store-sql/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AwsKmsKek } from "../src/index.js";
import {
  failure,
  kmsClient,
  kmsOptions,
  kmsStore,
  newKmsKey,
  registration,
  sqliteContext,
  startedKmsStore,
  startKms,
} from "./helpers.js";

let emulator: AwsKmsEmulator;
let keyId: string;
beforeAll(async () => {
  ({ emulator, keyId } = await startKms());
});
afterAll(() => emulator.stop());

describe("sql store with AWS KMS: envelope encryption", () => {
  it("a stolen database holds no value and no data key: only ciphertext and keys wrapped by the KMS", async () => {
    const context = sqliteContext();
    const ids = [newSecretId(), newSecretId()];
    await withStore(await startedKmsStore(emulator.url, keyId, context), async (store) => {
      await store.create(ids[0]!, { password: "fake-stolen-password-1" });
      await store.create(ids[1]!, { token: "fake-stolen-token-2" });
    });
    const dataKeys = await rows(context, DATA_KEYS_TABLE);
    expect(dataKeys).toHaveLength(1);
    // The data key in the clear, as only the KMS can give it.
    const kms = kmsClient(emulator);
    const dataKey = Buffer.from(
      (
        await kms.send(
          new DecryptCommand({
            CiphertextBlob: Buffer.from(String(dataKeys[0]!.wrapped), "base64"),
            EncryptionContext: { ...wrapContext(context.deploymentId, String(dataKeys[0]!.key_id)) },
          }),
        )
      ).Plaintext!,
    );
    kms.destroy();
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
    // Without that KMS: the same key name on another KMS account cannot unwrap, so init refuses.
    const otherKms = await startKms();
    try {
      const thief = kmsStore(otherKms.emulator.url, otherKms.keyId, context);
      const error = await failure(() => thief.init());
      expect(error).toBeInstanceOf(IntegrityError);
      await thief.close();
    } finally {
      await otherKms.emulator.stop();
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

  it("KEK rotation re-wraps every data key under the new key material without re-encrypting a value", async () => {
    const context = sqliteContext();
    const values = new Map<string, Record<string, string>>();
    await withStore(await startedKmsStore(emulator.url, keyId, context), async (store) => {
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
    for (const key of keysBefore)
      expect(emulator.inspectCiphertext(String(key.wrapped)).materialVersion).toBe(0);

    const kms = kmsClient(emulator);
    await kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
    kms.destroy();
    const encryptsBefore = emulator.calls.Encrypt ?? 0;
    await withStore(await startedKmsStore(emulator.url, keyId, context), async (store) => {
      const result = await store.rewrapDataKeys();
      expect(result).toMatchObject({ rewrapped: 2, skipped: 0 });
    });
    expect((emulator.calls.Encrypt ?? 0) - encryptsBefore).toBe(2); // one wrap per data key, none per value
    const keysAfter = await rows(context, DATA_KEYS_TABLE);
    expect(keysAfter.map((key) => key.key_id)).toEqual(keysBefore.map((key) => key.key_id));
    for (const key of keysAfter)
      expect(emulator.inspectCiphertext(String(key.wrapped)).materialVersion).toBe(1);
    // The values are byte for byte what they were: same key ids, IVs, ciphertexts, revisions.
    expect(await rows(context, VALUES_TABLE)).toEqual(valuesBefore);
    // And a store starting cold (nothing cached) reads every one of them.
    await withStore(await startedKmsStore(emulator.url, keyId, context), async (store) => {
      for (const [id, expected] of values) expect(await store.get(id)).toEqual(expected);
    });
  });

  it("a rotated data key reaches another replica sharing the database and the KMS; the unused one is retired", async () => {
    const context = sqliteContext();
    const first = await startedKmsStore(emulator.url, keyId, context);
    const second = await startedKmsStore(emulator.url, keyId, context);
    try {
      const id = newSecretId();
      await first.create(id, { v: "fake-1" });
      const rotated = await first.rotateKey();
      expect(rotated.generated).toBe(true);
      await second.update(id, { v: "fake-2" }); // a row under the new key read by `first`, and back
      expect(await first.get(id)).toEqual({ v: "fake-2" });
      await first.update(id, { v: "fake-3" });
      expect(await second.get(id)).toEqual({ v: "fake-3" });
      // `second` may have written with the first data key before it saw the new one (it re-reads the
      // data keys each second): a sweep onto the active key, then the first key is unused and
      // retirement deletes its row; both replicas still read.
      await first.rotateKey({ generateKey: false });
      const retired = await first.retireUnusedKeys();
      expect(retired.removed).toEqual([rotated.previousKeyId]);
      expect((await rows(context, DATA_KEYS_TABLE)).map((key) => key.key_id)).toEqual([rotated.activeKeyId]);
      expect(await second.get(id)).toEqual({ v: "fake-3" });
      const status = await first.keyStatus();
      expect(status.keys.map((key) => [key.id, key.active, key.rows])).toEqual([
        [rotated.activeKeyId, true, 1],
      ]);
    } finally {
      await first.close();
      await second.close();
    }
  });
});

describe("sql store with AWS KMS: the data key cache", () => {
  it("reads within the TTL do not call the KMS; after it, one unwrap; concurrent misses share one", async () => {
    const context = sqliteContext();
    const setup = await startedKmsStore(emulator.url, keyId, context);
    const id = newSecretId();
    await setup.create(id, { v: "fake-cached" });
    await setup.close();
    await withStore(
      await startedKmsStore(emulator.url, keyId, context, { dataKeyCacheTtlMs: 1_000 }),
      async (store) => {
        const afterInit = store.dataKeyCacheStats()!.unwraps; // init's check unwrapped the key once
        expect(afterInit).toBe(1);
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
    const kek = new AwsKmsKek(kmsOptions(emulator.url, keyId) as never);
    const deployment = "cache-bound";
    const wrapped = await Promise.all(
      ["k1", "k2", "k3"].map((id) => kek.generate(wrapContext(deployment, id))),
    );
    const cache = new DataKeyCache(kek, deployment, { max: 2, ttlMs: 60_000 });
    try {
      for (const [n, id] of ["k1", "k2", "k3"].entries()) {
        expect(await cache.get(id, wrapped[n]!.wrapped)).toEqual(wrapped[n]!.key);
      }
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

describe("sql store with AWS KMS: failures", () => {
  it("a KMS outage is a retryable BackendUnavailableError and writes nothing; the store recovers when the KMS is back", async () => {
    const context = sqliteContext();
    const id = newSecretId();
    await withStore(await startedKmsStore(emulator.url, keyId, context), (store) =>
      store.create(id, { v: "fake-before" }),
    );
    const outage = await startKms();
    // The data keys of this database are wrapped by `emulator`: use a database of its own here.
    const own = sqliteContext();
    const store = await startedKmsStore(outage.emulator.url, outage.keyId, own, { dataKeyCacheTtlMs: 1_000 });
    try {
      const existing = newSecretId();
      await store.create(existing, { v: "fake-existing" });
      await sleep(1_100); // the cached data key expires
      await outage.emulator.suspend();
      const created = newSecretId();
      const write = await failure(() => store.create(created, { v: "fake-never-written" }));
      expect(write).toBeInstanceOf(BackendUnavailableError);
      expect(write.message).not.toContain("fake-never-written");
      const read = await failure(() => store.get(existing));
      expect(read).toBeInstanceOf(BackendUnavailableError);
      const update = await failure(() => store.update(existing, { v: "fake-never-updated" }));
      expect(update).toBeInstanceOf(BackendUnavailableError);
      expect((await rows(own, VALUES_TABLE)).map((row) => [row.secret_id, Number(row.revision)])).toEqual([
        [existing, 1],
      ]);
      expect((await store.health()).errorCode).toBe("BACKEND_UNAVAILABLE");
      const cold = kmsStore(outage.emulator.url, outage.keyId, own);
      expect(await failure(() => cold.init())).toBeInstanceOf(BackendUnavailableError);
      await cold.close();
      await outage.emulator.resume();
      expect(await store.get(existing)).toEqual({ v: "fake-existing" });
      await store.create(created, { v: "fake-after" });
      // Throttling with no retries left is unavailable too.
      await sleep(1_100);
      outage.emulator.failNext(1, "ThrottlingException");
      expect(await failure(() => store.get(created))).toBeInstanceOf(BackendUnavailableError);
    } finally {
      await store.close();
      await outage.emulator.stop();
    }
  });

  it("a foreign KEK (another key, or data keys of another deployment) is an IntegrityError that names the data key", async () => {
    const context = sqliteContext();
    await withStore(await startedKmsStore(emulator.url, keyId, context), (store) =>
      store.create(newSecretId(), { v: "fake-foreign" }),
    );
    const [dataKey] = await rows(context, DATA_KEYS_TABLE);
    const otherKey = await newKmsKey(emulator, `other-${Date.now()}`);
    const wrongKey = kmsStore(emulator.url, otherKey, context);
    const error = await failure(() => wrongKey.init());
    expect(error).toBeInstanceOf(IntegrityError);
    expect(error.message).toContain(String(dataKey!.key_id));
    expect(error.message).toContain(otherKey);
    expect(error.message).toMatch(/IncorrectKeyException/);
    await wrongKey.close();

    // The same rows copied under another deployment id: the encryption context no longer matches.
    await copyRowsTo(context, "copied");
    const copied = kmsStore(emulator.url, keyId, { ...context, deploymentId: "copied" });
    const moved = await failure(() => copied.init());
    expect(moved).toBeInstanceOf(IntegrityError);
    expect(moved.message).toMatch(/InvalidCiphertextException/);
    await copied.close();
  });

  it("lost data keys are never replaced by a new one while values need them: IntegrityError, nothing created", async () => {
    const context = sqliteContext();
    await withStore(await startedKmsStore(emulator.url, keyId, context), (store) =>
      store.create(newSecretId(), { v: "fake-orphan" }),
    );
    const database = openDatabase(context.databaseUrl);
    // biome-ignore lint/suspicious/noExplicitAny: removing rows as a bad restore would
    await (database.db as any).deleteFrom(DATA_KEYS_TABLE).execute();
    await database.close();
    const generated = emulator.calls.GenerateDataKey ?? 0;
    const store = kmsStore(emulator.url, keyId, context);
    const error = await failure(() => store.init());
    expect(error).toBeInstanceOf(IntegrityError);
    expect(error.message).toMatch(/no data key/);
    expect(emulator.calls.GenerateDataKey ?? 0).toBe(generated);
    expect(await rows(context, DATA_KEYS_TABLE)).toEqual([]);
    await store.close();
  });

  it("a disabled KMS key is BackendAccessDeniedError, at init and in health", async () => {
    const context = sqliteContext();
    const alias = await newKmsKey(emulator, `disabled-${Date.now()}`);
    await withStore(await startedKmsStore(emulator.url, alias, context), (store) =>
      store.create(newSecretId(), { v: "fake" }),
    );
    const kms = kmsClient(emulator);
    await kms.send(new DisableKeyCommand({ KeyId: alias }));
    try {
      const store = kmsStore(emulator.url, alias, context);
      expect(await failure(() => store.init())).toBeInstanceOf(BackendAccessDeniedError);
      expect((await store.health()).errorCode).toBe("ACCESS_DENIED");
      await store.close();
    } finally {
      await kms.send(new EnableKeyCommand({ KeyId: alias }));
      kms.destroy();
    }
  });

  it("configuration mistakes are InvalidConfigErrors naming the variable, before any KMS call", async () => {
    const context = { ...sqliteContext(), logger: silentLogger };
    const unknown = instantiateStore(registration, { keySource: "gcp-kms", kms: { keyId: "x" } }, context);
    const error = await failure(() => unknown.init());
    expect(error).toBeInstanceOf(InvalidConfigError);
    expect(error.message).toContain("COFFER_STORE_KEY_SOURCE=gcp-kms");
    const calls = JSON.stringify(emulator.calls);
    for (const kms of [
      { region: "us-east-1" },
      { keyId: "alias/x", colour: "red" },
      "{not json",
      { keyId: "alias/x", accessKeyId: "AKIAFAKE" },
    ]) {
      const store = instantiateStore(registration, { keySource: "aws-kms", kms }, context);
      const problem = await failure(() => store.init());
      expect(problem).toBeInstanceOf(InvalidConfigError);
      expect(problem.message).toContain("COFFER_STORE_KMS");
      await store.close();
    }
    expect(JSON.stringify(emulator.calls)).toBe(calls);
    // The plain registration (no key sources given) says where KMS key sources come from.
    const plain = instantiateStore(sqlStore, { keySource: "aws-kms", kms: { keyId: "x" } }, context);
    expect((await failure(() => plain.init())).hint).toContain("@coffer/stores");
  });
});
