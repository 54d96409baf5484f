// How the gcp-kms key source fails, on a SQLite file and the Cloud KMS emulator through the official
// client: an outage or throttling is a retryable BackendUnavailableError that writes nothing;
// answers that fail their CRC32C check are retried, then an IntegrityError; a refused project or a
// disabled key is BackendAccessDeniedError; a missing key or a bad option is an InvalidConfigError
// before anything is written.
import { setTimeout as sleep } from "node:timers/promises";
import { inspect } from "node:util";
import {
  BackendAccessDeniedError,
  BackendUnavailableError,
  IntegrityError,
  InvalidConfigError,
  instantiateStore,
  newSecretId,
  silentLogger,
} from "@coffer/core";
import { type GcpKmsEmulator, startGcpKmsEmulator } from "@coffer/emulators";
import { DATA_KEYS_TABLE, VALUES_TABLE, wrapContext } from "@coffer/store-sql";
import { dropDataKeys, rows, withStore } from "@coffer/store-sql/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GcpKmsKek, gcpKmsOptions } from "../src/index.js";
import {
  failure,
  kmsOptions,
  kmsStore,
  newCryptoKey,
  operator,
  registration,
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

const calls = (method: string) => emulator.calls[method] ?? 0;

describe("sql store with GCP Cloud KMS: outages", () => {
  it("an outage is a retryable BackendUnavailableError and writes nothing; the store recovers when the KMS is back", async () => {
    const outage = await startKms();
    const context = sqliteContext();
    const store = await startedKmsStore(outage.emulator.port, outage.keyName, context, {
      dataKeyCacheTtlMs: 1_000,
      quickReconnect: true,
      kms: { maxAttempts: 3 }, // the default: the first call after the outage may meet the reconnect
    });
    try {
      const existing = newSecretId();
      await store.create(existing, { v: "fake-existing" });
      await sleep(1_100); // the cached data key expires
      await outage.emulator.suspend();
      const created = newSecretId();
      const write = await failure(() => store.create(created, { v: "fake-never-written" }));
      expect(write).toBeInstanceOf(BackendUnavailableError);
      expect(write.message).not.toContain("fake-never-written");
      expect(write.message).toContain(outage.keyName);
      expect(await failure(() => store.get(existing))).toBeInstanceOf(BackendUnavailableError);
      const update = await failure(() => store.update(existing, { v: "fake-never-updated" }));
      expect(update).toBeInstanceOf(BackendUnavailableError);
      expect((await rows(context, VALUES_TABLE)).map((row) => [row.secret_id, Number(row.revision)])).toEqual(
        [[existing, 1]],
      );
      expect((await store.health()).errorCode).toBe("BACKEND_UNAVAILABLE");
      const cold = kmsStore(outage.emulator.port, outage.keyName, context);
      expect(await failure(() => cold.init())).toBeInstanceOf(BackendUnavailableError);
      await cold.close();
      await outage.emulator.resume();
      expect(await store.get(existing)).toEqual({ v: "fake-existing" });
      await store.create(created, { v: "fake-after" });
      // Throttling on every attempt is unavailable too.
      await sleep(1_100);
      outage.emulator.failNext(3, { code: "RESOURCE_EXHAUSTED", methods: ["Decrypt"] });
      expect(await failure(() => store.get(created))).toBeInstanceOf(BackendUnavailableError);
    } finally {
      await store.close();
      await outage.emulator.stop();
    }
  });

  it("transient failures are retried up to maxAttempts: two UNAVAILABLE then an answer is a success", async () => {
    const context = sqliteContext();
    const id = newSecretId();
    await withStore(await startedKmsStore(emulator.port, keyName, context), (store) =>
      store.create(id, { v: "fake" }),
    );
    const store = kmsStore(emulator.port, keyName, context, { kms: { maxAttempts: 3 } });
    try {
      emulator.failNext(2, { methods: ["Decrypt"] });
      const before = calls("Decrypt");
      await store.init(); // init unwraps the data key
      expect(calls("Decrypt") - before).toBe(3);
      expect(await store.get(id)).toEqual({ v: "fake" });
    } finally {
      emulator.clearFaults();
      await store.close();
    }
  });
});

describe("sql store with GCP Cloud KMS: damaged answers (CRC32C)", () => {
  it("a Decrypt answer whose plaintext fails its CRC32C is discarded and asked again", async () => {
    const context = sqliteContext();
    const id = newSecretId();
    await withStore(await startedKmsStore(emulator.port, keyName, context), (store) =>
      store.create(id, { v: "fake" }),
    );
    emulator.tamperNext(1, "response-crc32c");
    const before = calls("Decrypt");
    await withStore(
      await startedKmsStore(emulator.port, keyName, context, { kms: { maxAttempts: 2 } }),
      async (store) => {
        expect(calls("Decrypt") - before).toBe(2);
        expect(await store.get(id)).toEqual({ v: "fake" });
      },
    );
    // Damaged on every attempt: an IntegrityError, never a wrong data key.
    emulator.tamperNext(2, "response-crc32c");
    const store = kmsStore(emulator.port, keyName, context, { kms: { maxAttempts: 2 } });
    const error = await failure(() => store.init());
    expect(error).toBeInstanceOf(IntegrityError);
    expect(error.message).toMatch(/plaintext does not match its CRC32C/);
    await store.close();
  });

  it("an Encrypt answer that is unverified, fails its CRC32C or names another key is an IntegrityError once attempts run out, and no data key is stored", async () => {
    const reasons = {
      unverified: /did not confirm the request's checksums/,
      "response-crc32c": /ciphertext does not match/,
      "other-version": /names another key version/,
    } as const;
    for (const kind of ["unverified", "response-crc32c", "other-version"] as const) {
      const context = sqliteContext();
      emulator.tamperNext(2, kind);
      const store = kmsStore(emulator.port, keyName, context, { kms: { maxAttempts: 2 } });
      const error = await failure(() => store.init()); // the first start wraps a new data key
      expect(error, kind).toBeInstanceOf(IntegrityError);
      expect(error.message).toMatch(reasons[kind]);
      expect(await rows(context, DATA_KEYS_TABLE)).toEqual([]);
      await store.close();
    }
  });
});

describe("sql store with GCP Cloud KMS: refusals and mistakes", () => {
  it("a project the KMS refuses is BackendAccessDeniedError naming the permission; nothing is written", async () => {
    const pinned = await startGcpKmsEmulator({ projectId: "only-this" });
    const context = sqliteContext();
    const store = kmsStore(pinned.port, "projects/another/locations/global/keyRings/r/cryptoKeys/k", context);
    try {
      const error = await failure(() => store.init());
      expect(error).toBeInstanceOf(BackendAccessDeniedError);
      expect(error.message).toContain("cloudkms.cryptoKeyVersions.useToEncrypt");
      expect(await rows(context, DATA_KEYS_TABLE)).toEqual([]);
      expect((await store.health()).errorCode).toBe("ACCESS_DENIED");
    } finally {
      await store.close();
      await pinned.stop();
    }
  });

  it("a disabled primary version is BackendAccessDeniedError, at init and in health", async () => {
    const context = sqliteContext();
    const key = await newCryptoKey(emulator);
    await withStore(await startedKmsStore(emulator.port, key, context), (store) =>
      store.create(newSecretId(), { v: "fake" }),
    );
    const kms = operator(emulator);
    const v1 = `${key}/cryptoKeyVersions/1`;
    await kms.updateCryptoKeyVersion({
      cryptoKeyVersion: { name: v1, state: "DISABLED" },
      updateMask: { paths: ["state"] },
    });
    try {
      const store = kmsStore(emulator.port, key, context);
      expect(await failure(() => store.init())).toBeInstanceOf(BackendAccessDeniedError);
      const health = await store.health();
      expect(health.errorCode).toBe("ACCESS_DENIED");
      await store.close();
    } finally {
      await kms.updateCryptoKeyVersion({
        cryptoKeyVersion: { name: v1, state: "ENABLED" },
        updateMask: { paths: ["state"] },
      });
      await kms.close();
    }
  });

  it("lost data keys are never replaced by a new one while values need them: IntegrityError, nothing created", async () => {
    const context = sqliteContext();
    await withStore(await startedKmsStore(emulator.port, keyName, context), (store) =>
      store.create(newSecretId(), { v: "fake-orphan" }),
    );
    await dropDataKeys(context);
    const encrypts = calls("Encrypt");
    const store = kmsStore(emulator.port, keyName, context);
    const error = await failure(() => store.init());
    expect(error).toBeInstanceOf(IntegrityError);
    expect(error.message).toMatch(/no data key/);
    expect(calls("Encrypt")).toBe(encrypts);
    expect(await rows(context, DATA_KEYS_TABLE)).toEqual([]);
    await store.close();
  });

  it("a key that does not exist is an InvalidConfigError naming it; nothing is written", async () => {
    const context = sqliteContext();
    const missing = "projects/coffer-test/locations/global/keyRings/absent/cryptoKeys/coffer";
    const store = kmsStore(emulator.port, missing, context);
    const error = await failure(() => store.init());
    expect(error).toBeInstanceOf(InvalidConfigError);
    expect(error.message).toContain(missing);
    expect(await rows(context, DATA_KEYS_TABLE)).toEqual([]);
    await store.close();
  });

  it("configuration mistakes are InvalidConfigErrors naming the variable, before any KMS call", async () => {
    const context = { ...sqliteContext(), logger: silentLogger };
    const before = JSON.stringify(emulator.calls);
    const aKey = "projects/p/locations/global/keyRings/r/cryptoKeys/k";
    for (const kms of [
      { apiEndpoint: "127.0.0.1" }, // no keyName
      { keyName: "projects/p/locations/global/keyRings/r" }, // a key ring, not a key
      { keyName: aKey, colour: "red" },
      "{not json",
      { keyName: aKey, insecure: true }, // insecure without an endpoint
      { keyName: aKey, apiEndpoint: "127.0.0.1", insecure: true, keyFile: "/x.json" },
      { keyName: aKey, keyFile: "/x.json", credentials: '{"client_email":"a","private_key":"b"}' },
      { keyName: aKey, credentials: "not a key" },
      { keyName: aKey, maxAttempts: 0 },
    ]) {
      const store = instantiateStore(registration, { keySource: "gcp-kms", kms }, context);
      const problem = await failure(() => store.init());
      expect(problem, JSON.stringify(kms)).toBeInstanceOf(InvalidConfigError);
      expect(problem.message).toContain("COFFER_STORE_KMS");
      await store.close();
    }
    expect(JSON.stringify(emulator.calls)).toBe(before);
  });

  it("neither a service-account key given in the options nor an unwrapped data key shows in the store, its errors or their JSON", async () => {
    const privateKey = "-----BEGIN PRIVATE KEY-----\nFAKE-PRIVATE-KEY-MATERIAL\n-----END PRIVATE KEY-----\n";
    const credentials = JSON.stringify({
      client_email: "coffer@p.iam.gserviceaccount.com",
      private_key: privateKey,
    });
    // TLS towards the emulator's plain-text port: the call fails before any token is used.
    const withKey = instantiateStore(
      registration,
      {
        keySource: "gcp-kms",
        kms: { keyName, apiEndpoint: "127.0.0.1", port: emulator.port, credentials, maxAttempts: 1 },
      },
      sqliteContext(),
    );
    const error = await failure(() => withKey.init());
    expect(error).toBeInstanceOf(BackendUnavailableError);
    const kekWithKey = new GcpKmsKek(
      gcpKmsOptions.parse({ keyName, apiEndpoint: "127.0.0.1", port: emulator.port, credentials }),
    );
    const shownKek = inspect(kekWithKey, { depth: 8, showHidden: true });
    await kekWithKey.close();
    for (const text of [
      inspect(withKey, { depth: 8 }),
      shownKek,
      inspect(error, { depth: 8 }),
      JSON.stringify(error),
    ]) {
      expect(text).not.toContain("FAKE-PRIVATE-KEY-MATERIAL");
    }
    await withKey.close();

    const context = sqliteContext();
    const id = newSecretId();
    await withStore(await startedKmsStore(emulator.port, keyName, context), async (store) => {
      await store.create(id, { v: "fake-inspected" });
      const [row] = await rows(context, DATA_KEYS_TABLE);
      const kek = new GcpKmsKek(gcpKmsOptions.parse(kmsOptions(emulator.port, keyName)));
      const dataKey = await kek.unwrap(
        String(row!.wrapped),
        wrapContext(context.deploymentId, String(row!.key_id)),
      );
      const shown = [store, kek].map((object) => inspect(object, { depth: 12, showHidden: true })).join("\n");
      await kek.close();
      const bytes = [...dataKey.subarray(0, 8)].map((byte) => byte.toString(16).padStart(2, "0")).join(" ");
      for (const form of [bytes, dataKey.toString("base64"), dataKey.toString("hex"), "fake-inspected"]) {
        expect(shown).not.toContain(form);
      }
    });
  });
});
