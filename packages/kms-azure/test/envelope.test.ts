// What envelope encryption with an Azure Key Vault RSA key promises, on a SQLite file and the keys
// emulator through the official clients: a stolen database opens nothing, KEK rotation re-wraps
// data keys without touching values (old versions still unwrap until then), unwrapped keys are
// cached within bounds, an outage is a typed retryable error that writes nothing, and a key of
// another vault, another key or another deployment is a clear IntegrityError.
import { readFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CryptographyClient } from "@azure/keyvault-keys";
import {
  BackendAccessDeniedError,
  BackendUnavailableError,
  IntegrityError,
  InvalidConfigError,
  instantiateStore,
  newSecretId,
  silentLogger,
} from "@coffer/core";
import type { AzureKeysEmulator } from "@coffer/emulators";
import { openDatabase } from "@coffer/sql";
import { DATA_KEYS_TABLE, DataKeyCache, sqlStore, VALUES_TABLE, wrapContext } from "@coffer/store-sql";
import { copyRowsTo, type Row, rows, withStore } from "@coffer/store-sql/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AzureKeysKek, azureKeysOptions } from "../src/index.js";
import {
  credential,
  FakeCredential,
  failure,
  keyClient,
  kmsOptions,
  kmsStore,
  newVaultKey,
  registration,
  sqliteContext,
  startedKmsStore,
  startVault,
} from "./helpers.js";

let emulator: AzureKeysEmulator;
let keyName: string;
beforeAll(async () => {
  ({ emulator, keyName } = await startVault());
});
afterAll(() => emulator.stop());

function kidOf(row: Row): string {
  return JSON.parse(String(row.wrapped)).kid;
}

let counter = 0;
const uniqueKey = (label: string) => `${label}-${Date.now().toString(36)}-${++counter}`;

describe("sql store with Azure Key Vault keys: envelope encryption", () => {
  it("a stolen database holds no value and no data key: only ciphertext and keys wrapped by the vault", async () => {
    const context = sqliteContext();
    const ids = [newSecretId(), newSecretId()];
    await withStore(await startedKmsStore(emulator, keyName, context), async (store) => {
      await store.create(ids[0]!, { password: "fake-stolen-password-1" });
      await store.create(ids[1]!, { token: "fake-stolen-token-2" });
    });
    const dataKeys = await rows(context, DATA_KEYS_TABLE);
    expect(dataKeys).toHaveLength(1);
    const record = JSON.parse(String(dataKeys[0]!.wrapped));
    expect(Object.keys(record).sort()).toEqual(["alg", "kid", "value"]);
    expect(record.alg).toBe("RSA-OAEP-256");
    expect(record.kid).toMatch(new RegExp(`^${emulator.url}/keys/${keyName}/[0-9a-f]{32}$`));
    expect(dataKeys[0]!.kek).toBe(record.kid);
    // The data key in the clear, as only the vault can give it (the first 32 of the 64 bytes).
    const vault = new CryptographyClient(record.kid, new FakeCredential(), {
      disableChallengeResourceVerification: true,
      tlsOptions: { ca: emulator.certificatePem },
    });
    const opened = await vault.unwrapKey("RSA-OAEP-256", Buffer.from(record.value, "base64url"));
    expect(opened.result).toHaveLength(64);
    const dataKey = Buffer.from(opened.result.subarray(0, 32));
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
    // Without that vault: the same key name in another vault refuses before unwrapping anything.
    const other = await startVault();
    try {
      const unwraps = other.emulator.calls.unwrapKey ?? 0;
      const thief = kmsStore(other.emulator, other.keyName, context);
      const error = await failure(() => thief.init());
      expect(error).toBeInstanceOf(IntegrityError);
      expect(error.message).toContain("another key or vault");
      expect(other.emulator.calls.unwrapKey ?? 0).toBe(unwraps);
      await thief.close();
    } finally {
      await other.emulator.stop();
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

  it("KEK rotation: old versions still unwrap; rewrapDataKeys() moves every data key to the new version without re-encrypting a value", async () => {
    const name = await newVaultKey(emulator, uniqueKey("rotate"));
    const context = sqliteContext();
    const values = new Map<string, Record<string, string>>();
    await withStore(await startedKmsStore(emulator, name, context), async (store) => {
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
    const first = (await keyClient(emulator).getKey(name)).id!;
    for (const key of keysBefore) expect(kidOf(key)).toBe(first);

    const second = (await keyClient(emulator).rotateKey(name)).id!;
    expect(second).not.toBe(first);
    // Before any re-wrap, a cold store reads everything: each record names its version.
    await withStore(await startedKmsStore(emulator, name, context), async (store) => {
      for (const [id, expected] of values) expect(await store.get(id)).toEqual(expected);
    });
    const wrapsBefore = emulator.calls.wrapKey ?? 0;
    await withStore(await startedKmsStore(emulator, name, context), async (store) => {
      const result = await store.rewrapDataKeys();
      expect(result).toMatchObject({ rewrapped: 2, skipped: 0 });
    });
    expect((emulator.calls.wrapKey ?? 0) - wrapsBefore).toBe(2); // one wrap per data key, none per value
    const keysAfter = await rows(context, DATA_KEYS_TABLE);
    expect(keysAfter.map((key) => key.key_id)).toEqual(keysBefore.map((key) => key.key_id));
    for (const key of keysAfter) expect(kidOf(key)).toBe(second);
    // The values are byte for byte what they were: same key ids, IVs, ciphertexts, revisions.
    expect(await rows(context, VALUES_TABLE)).toEqual(valuesBefore);
    // The first version can now be disabled: a cold store never asks for it.
    await keyClient(emulator).updateKeyProperties(name, first.split("/").at(-1)!, { enabled: false });
    await withStore(await startedKmsStore(emulator, name, context), async (store) => {
      for (const [id, expected] of values) expect(await store.get(id)).toEqual(expected);
    });
  });

  it("a rotated data key reaches another replica sharing the database and the vault", async () => {
    const context = sqliteContext();
    const first = await startedKmsStore(emulator, keyName, context);
    const second = await startedKmsStore(emulator, keyName, context);
    try {
      const id = newSecretId();
      await first.create(id, { v: "fake-1" });
      expect((await first.rotateKey()).generated).toBe(true);
      await second.update(id, { v: "fake-2" });
      expect(await first.get(id)).toEqual({ v: "fake-2" });
      await first.update(id, { v: "fake-3" });
      expect(await second.get(id)).toEqual({ v: "fake-3" });
    } finally {
      await first.close();
      await second.close();
    }
  });
});

describe("sql store with Azure Key Vault keys: the data key cache", () => {
  it("reads within the TTL do not call the vault; after it, one unwrap; concurrent misses share one", async () => {
    const context = sqliteContext();
    const id = newSecretId();
    await withStore(await startedKmsStore(emulator, keyName, context), (store) =>
      store.create(id, { v: "fake-cached" }),
    );
    await withStore(
      await startedKmsStore(emulator, keyName, context, { dataKeyCacheTtlMs: 1_000 }),
      async (store) => {
        expect(store.dataKeyCacheStats()!.unwraps).toBe(1); // init's check unwrapped the key once
        const unwraps = emulator.calls.unwrapKey ?? 0;
        await Promise.all(Array.from({ length: 50 }, () => store.get(id)));
        expect((emulator.calls.unwrapKey ?? 0) - unwraps).toBe(0);
        await sleep(1_100);
        await Promise.all(Array.from({ length: 20 }, () => store.get(id)));
        expect((emulator.calls.unwrapKey ?? 0) - unwraps).toBe(1);
        expect(store.dataKeyCacheStats()).toEqual({ size: 1, unwraps: 2 });
      },
    );
  });

  it("holds at most `max` unwrapped keys: the least recently used is dropped and unwrapped again when needed", async () => {
    const kek = new AzureKeysKek(azureKeysOptions.parse(kmsOptions(emulator, keyName)), { credential });
    const deployment = "cache-bound";
    const keys = ["k1", "k2", "k3"].map((id) => ({ id, key: Buffer.alloc(32, id.charCodeAt(1)) }));
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

describe("sql store with Azure Key Vault keys: failures", () => {
  it("a vault outage is a retryable BackendUnavailableError and writes nothing; the store recovers when the vault is back", async () => {
    const outage = await startVault();
    const own = sqliteContext();
    const store = await startedKmsStore(outage.emulator, outage.keyName, own, { dataKeyCacheTtlMs: 1_000 });
    try {
      const existing = newSecretId();
      await store.create(existing, { v: "fake-existing" });
      await sleep(1_100); // the cached data key expires
      await outage.emulator.suspend();
      const created = newSecretId();
      const write = await failure(() => store.create(created, { v: "fake-never-written" }));
      expect(write).toBeInstanceOf(BackendUnavailableError);
      expect(write.message).not.toContain("fake-never-written");
      expect(await failure(() => store.get(existing))).toBeInstanceOf(BackendUnavailableError);
      expect(await failure(() => store.update(existing, { v: "fake-never-updated" }))).toBeInstanceOf(
        BackendUnavailableError,
      );
      expect((await rows(own, VALUES_TABLE)).map((row) => [row.secret_id, Number(row.revision)])).toEqual([
        [existing, 1],
      ]);
      expect((await store.health()).errorCode).toBe("BACKEND_UNAVAILABLE");
      const cold = kmsStore(outage.emulator, outage.keyName, own);
      expect(await failure(() => cold.init())).toBeInstanceOf(BackendUnavailableError);
      await cold.close();
      await outage.emulator.resume();
      expect(await store.get(existing)).toEqual({ v: "fake-existing" });
      await store.create(created, { v: "fake-after" });
      // Throttling and service errors with no retries left are unavailable too.
      for (const fault of [{ status: 429 as const }, { status: 503 as const }]) {
        await sleep(1_100);
        outage.emulator.failNext(1, fault);
        expect(await failure(() => store.get(created))).toBeInstanceOf(BackendUnavailableError);
      }
    } finally {
      await store.close();
      await outage.emulator.stop();
    }
  });

  it("another key in the same vault, or the rows copied under another deployment, is an IntegrityError naming the data key", async () => {
    const context = sqliteContext();
    await withStore(await startedKmsStore(emulator, keyName, context), (store) =>
      store.create(newSecretId(), { v: "fake-foreign" }),
    );
    const [dataKey] = await rows(context, DATA_KEYS_TABLE);
    const otherKey = await newVaultKey(emulator, uniqueKey("other"));
    const wrongKey = kmsStore(emulator, otherKey, context);
    const error = await failure(() => wrongKey.init());
    expect(error).toBeInstanceOf(IntegrityError);
    expect(error.message).toContain(String(dataKey!.key_id));
    expect(error.message).toContain(otherKey);
    expect(error.message).toContain(kidOf(dataKey!));
    await wrongKey.close();

    // The same rows copied under another deployment id: the vault unwraps, the context digest does not match.
    await copyRowsTo(context, "copied");
    const unwraps = emulator.calls.unwrapKey ?? 0;
    const copied = kmsStore(emulator, keyName, { ...context, deploymentId: "copied" });
    const moved = await failure(() => copied.init());
    expect(moved).toBeInstanceOf(IntegrityError);
    expect(moved.message).toMatch(/another deployment or another data key id/);
    expect(emulator.calls.unwrapKey ?? 0).toBe(unwraps + 1);
    await copied.close();
  });

  it("an altered record, or a key version since purged, is an IntegrityError; nothing new is created", async () => {
    const name = await newVaultKey(emulator, uniqueKey("purged"));
    const context = sqliteContext();
    await withStore(await startedKmsStore(emulator, name, context), (store) =>
      store.create(newSecretId(), { v: "fake" }),
    );
    const [dataKey] = await rows(context, DATA_KEYS_TABLE);
    const record = JSON.parse(String(dataKey!.wrapped));
    const flipped = Buffer.from(record.value, "base64url");
    flipped[10]! ^= 1;
    const database = openDatabase(context.databaseUrl);
    // biome-ignore lint/suspicious/noExplicitAny: altering a row as an attacker would
    const db = database.db as any;
    await db
      .updateTable(DATA_KEYS_TABLE)
      .set({ wrapped: JSON.stringify({ ...record, value: flipped.toString("base64url") }) })
      .execute();
    await database.close();
    const altered = kmsStore(emulator, name, context);
    const error = await failure(() => altered.init());
    expect(error).toBeInstanceOf(IntegrityError);
    expect(error.message).toMatch(/could not decrypt it \(BadParameter, HTTP 400\)/);
    await altered.close();

    // Restore the good row, then lose the key: deleted and purged, a new key under the same name.
    const again = openDatabase(context.databaseUrl);
    // biome-ignore lint/suspicious/noExplicitAny: restoring the row
    await (again.db as any).updateTable(DATA_KEYS_TABLE).set({ wrapped: dataKey!.wrapped }).execute();
    await again.close();
    const keys = keyClient(emulator);
    await (await keys.beginDeleteKey(name, { intervalInMs: 10 })).pollUntilDone();
    await keys.purgeDeletedKey(name);
    await keys.createRsaKey(name);
    const wraps = emulator.calls.wrapKey ?? 0;
    const lost = kmsStore(emulator, name, context);
    const gone = await failure(() => lost.init());
    expect(gone).toBeInstanceOf(IntegrityError);
    expect(gone.message).toMatch(/is not in the vault \(KeyNotFound, HTTP 404\): deleted or purged/);
    expect(emulator.calls.wrapKey ?? 0).toBe(wraps);
    expect(await rows(context, DATA_KEYS_TABLE)).toEqual([dataKey]);
    await lost.close();
  });

  it("a disabled key, or one without wrapKey/unwrapKey in key_ops, is BackendAccessDeniedError at init and in health", async () => {
    for (const change of [{ enabled: false }, { keyOps: ["sign", "verify"] as ("sign" | "verify")[] }]) {
      const name = await newVaultKey(emulator, uniqueKey("denied"));
      const context = sqliteContext();
      await withStore(await startedKmsStore(emulator, name, context), (store) =>
        store.create(newSecretId(), { v: "fake" }),
      );
      const version = (await keyClient(emulator).getKey(name)).properties.version!;
      await keyClient(emulator).updateKeyProperties(name, version, change);
      const store = kmsStore(emulator, name, context);
      expect(await failure(() => store.init())).toBeInstanceOf(BackendAccessDeniedError);
      expect((await store.health()).errorCode).toBe("ACCESS_DENIED");
      await store.close();
    }
  });

  it("configuration mistakes are InvalidConfigErrors naming the variable, before any vault call; an unknown key is one too", async () => {
    const context = { ...sqliteContext(), logger: silentLogger };
    const calls = JSON.stringify(emulator.calls);
    for (const kms of [
      { keyName: "coffer" },
      { vaultUrl: emulator.url, keyName: "coffer", colour: "red" },
      "{not json",
      { vaultUrl: emulator.url, keyName: "coffer", clientSecret: "fake-secret", managedIdentity: true },
    ]) {
      const store = instantiateStore(registration, { keySource: "azure-keys", kms }, context);
      const problem = await failure(() => store.init());
      expect(problem).toBeInstanceOf(InvalidConfigError);
      expect(problem.message).toContain("COFFER_STORE_KMS");
      expect(problem.message).not.toContain("fake-secret");
      await store.close();
    }
    expect(JSON.stringify(emulator.calls)).toBe(calls);
    const fresh = sqliteContext();
    const missing = kmsStore(emulator, uniqueKey("never-created"), fresh);
    const error = await failure(() => missing.init());
    expect(error).toBeInstanceOf(InvalidConfigError);
    expect(error.message).toMatch(/has no key never-created-.* in .*\(KeyNotFound, HTTP 404\)/);
    expect(await rows(fresh, DATA_KEYS_TABLE)).toEqual([]);
    await missing.close();
    // The vault's certificate not trusted (no tlsCa): a configuration mistake, said as one.
    const untrusted = instantiateStore(
      registration,
      { keySource: "azure-keys", kms: { ...kmsOptions(emulator, keyName), tlsCa: undefined } },
      sqliteContext(),
    );
    const tls = await failure(() => untrusted.init());
    expect(tls).toBeInstanceOf(InvalidConfigError);
    expect(tls.message).toMatch(
      /TLS certificate .* is not trusted \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)\)/,
    );
    await untrusted.close();
    // No credential in the options and none handed in: said before any call.
    const plain = new AzureKeysKek(azureKeysOptions.parse({ vaultUrl: emulator.url, keyName: "coffer" }));
    const noCredential = await failure(() => plain.probe());
    expect(noCredential).toBeInstanceOf(InvalidConfigError);
    expect(noCredential.message).toMatch(/no credentials/);
  });
});
