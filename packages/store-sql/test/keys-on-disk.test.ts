// The embedded default on disk: what the SQLite files contain, how the keyring file is created and
// protected, and how keys arrive through deploy-time configuration.
import {
  chmodSync,
  chownSync,
  existsSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import {
  IntegrityError,
  InvalidConfigError,
  newSecretId,
  type SecretsStore,
  StoreRegistry,
  ValidationError,
} from "@coffer/core";
import { describeStoreOptions, loadConfig } from "@coffer/core/config";
import { afterEach, describe, expect, it } from "vitest";
import {
  fingerprintKeyId,
  isKeyRotatingStore,
  KEYRING_FILE_NAME,
  type SqlStore,
  type SqlStoreOptions,
  sqlStore,
} from "../src/index.js";
import { contextFor, fakeKey, keyringJson, newStore, recordingLogger, rowOf, tempDir } from "./support.js";

const open: SqlStore[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((store) => store.close()));
});

function sqliteSetup(dataDir = tempDir()) {
  const databaseFile = path.join(dataDir, "coffer.db");
  const url = `sqlite://${databaseFile}`;
  const context = contextFor(url, { dataDir });
  const keyringFile = path.join(dataDir, KEYRING_FILE_NAME);
  const make = (options: SqlStoreOptions = {}) => {
    const store = newStore(options, context);
    open.push(store);
    return store;
  };
  return { dataDir, databaseFile, url, context, keyringFile, make };
}

/** Every byte SQLite keeps for the database: the file, its WAL and shared-memory files. */
function databaseBytes(dataDir: string): Buffer {
  return Buffer.concat(
    readdirSync(dataDir)
      .filter((name) => name.startsWith("coffer.db"))
      .map((name) => readFileSync(path.join(dataDir, name))),
  );
}

describe("the SQLite database file", () => {
  it("holds no plaintext value or key name, before or after a checkpoint", async () => {
    const { dataDir, url, make } = sqliteSetup();
    const store = make();
    await store.init();
    const id = newSecretId();
    await store.create(id, { "fake-key-name-5531": "fake-password-plain-5531" });
    const { iv } = await rowOf(url, id);
    // Control: the row's IV is findable in the bytes, so the search below really searches them.
    expect(databaseBytes(dataDir).includes(Buffer.from(iv))).toBe(true);
    expect(databaseBytes(dataDir).includes(Buffer.from("fake-password-plain-5531"))).toBe(false);
    expect(databaseBytes(dataDir).includes(Buffer.from("fake-key-name-5531"))).toBe(false);
    await store.close(); // the last handle: SQLite checkpoints the WAL into the main file
    expect(databaseBytes(dataDir).includes(Buffer.from(iv))).toBe(true);
    expect(databaseBytes(dataDir).includes(Buffer.from("fake-password-plain-5531"))).toBe(false);
  });
});

describe("the keyring file", () => {
  it("is created on first use, mode 0600 in a 0700 directory, and logged once", async () => {
    const parent = tempDir();
    const dataDir = path.join(parent, "not-yet-there");
    const logger = recordingLogger();
    const store = newStore({}, contextFor(`sqlite://${path.join(parent, "c.db")}`, { dataDir, logger }));
    open.push(store);
    await store.init();
    const file = path.join(dataDir, KEYRING_FILE_NAME);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const json = JSON.parse(readFileSync(file, "utf8")) as { active: string; keys: Record<string, string> };
    expect(Object.keys(json.keys)).toEqual([json.active]);
    expect(Buffer.from(json.keys[json.active]!, "base64")).toHaveLength(32);
    expect(logger.lines).toEqual([
      expect.objectContaining({
        level: "info",
        message: expect.stringContaining("Back it up"),
        fields: { file, keyId: json.active },
      }),
    ]);
  });

  it("is refused when group or others may read it, naming the file and the chmod that fixes it", async () => {
    const { keyringFile, make } = sqliteSetup();
    await make().init();
    chmodSync(keyringFile, 0o644);
    const error = await make()
      .init()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidConfigError);
    expect((error as InvalidConfigError).message).toBe(
      `The keyring file ${keyringFile} is accessible to group or others (mode 0644); Coffer refuses to use a key that others may read or replace.`,
    );
    expect((error as InvalidConfigError).hint).toContain(`chmod 600 ${keyringFile}`);
    chmodSync(keyringFile, 0o600);
    await make().init();
  });

  // Giving a file to another user needs root; elsewhere there is nothing to set up.
  it.skipIf(process.getuid?.() !== 0)("is refused when another user owns it", async () => {
    const { keyringFile, make } = sqliteSetup();
    await make().init();
    chownSync(keyringFile, 4242, 4242);
    await expect(make().init()).rejects.toThrow(/belongs to uid 4242, not to the user Coffer runs as/);
  });

  it("that is damaged fails init with an IntegrityError naming the file", async () => {
    const { keyringFile, make } = sqliteSetup();
    writeFileSync(keyringFile, '{"active": "k1", "keys": {"k1": "too-short"}}', { mode: 0o600 });
    const error = await make()
      .init()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IntegrityError);
    expect((error as Error).message).toMatch(
      new RegExp(`^The keyring file ${keyringFile} is damaged: key 'k1' must be 32 random bytes`),
    );
    expect((error as Error).message).not.toContain("too-short");
  });

  it("is created once when several stores start at the same moment", async () => {
    const { keyringFile, make } = sqliteSetup();
    const stores = Array.from({ length: 6 }, () => make());
    await Promise.all(stores.map((store) => store.init()));
    const active = (JSON.parse(readFileSync(keyringFile, "utf8")) as { active: string }).active;
    const ids: string[] = [];
    for (const store of stores) {
      expect((await store.keyStatus()).activeKeyId).toBe(active);
      const id = newSecretId();
      await store.create(id, { v: "fake" });
      ids.push(id);
    }
    for (const id of ids) expect(await stores[0]!.get(id)).toEqual({ v: "fake" });
    expect(readdirSync(path.dirname(keyringFile)).filter((name) => name.includes(".tmp"))).toEqual([]);
  });

  it("is changed under a lock: concurrent rotations keep every key they added", async () => {
    const { keyringFile, make } = sqliteSetup();
    const [a, b] = [make(), make()];
    await a.init();
    await b.init();
    const id = newSecretId();
    await a.create(id, { v: "fake" });
    const [ra, rb] = await Promise.all([a.rotateKey(), b.rotateKey()]);
    const keys = Object.keys((JSON.parse(readFileSync(keyringFile, "utf8")) as { keys: object }).keys);
    expect(keys).toHaveLength(3);
    expect(keys).toContain(ra.activeKeyId);
    expect(keys).toContain(rb.activeKeyId);
    expect(existsSync(`${keyringFile}.lock`)).toBe(false);
    expect(
      await make()
        .init()
        .then(() => "started"),
    ).toBe("started");
  });

  it("a leftover lock makes a rotation fail with the lock file's name, after waiting", async () => {
    const { keyringFile, make } = sqliteSetup();
    const store = make();
    await store.init();
    writeFileSync(`${keyringFile}.lock`, "12345 crashed\n");
    await expect(store.rotateKey()).rejects.toThrow(
      `locked by another key change (lock file ${keyringFile}.lock)`,
    );
  }, 20_000);
});

describe("the key-management interface", () => {
  it("is detected by isKeyRotatingStore on the sql store and only there", async () => {
    const { make } = sqliteSetup();
    expect(isKeyRotatingStore(make())).toBe(true);
    const plain = { ...make(), rotateKey: undefined } as unknown as SecretsStore;
    expect(isKeyRotatingStore(plain)).toBe(false);
  });

  it("rejects a rotation batch size outside 1–10000 before touching anything", async () => {
    const { make, keyringFile } = sqliteSetup();
    const store = make();
    await store.init();
    const before = readFileSync(keyringFile, "utf8");
    await expect(store.rotateKey({ batchSize: 0 })).rejects.toBeInstanceOf(ValidationError);
    await expect(store.rotateKey({ batchSize: 1.5 })).rejects.toThrow(/whole number from 1 to 10000/);
    expect(readFileSync(keyringFile, "utf8")).toBe(before); // no key was generated
  });
});

describe("keys from deploy-time configuration", () => {
  const registry = () => new StoreRegistry().register(sqlStore);

  it("takes the keyring from a file (@path), never prints it, and uses it", async () => {
    const dataDir = tempDir();
    const keyFile = path.join(dataDir, "operator-keyring.json");
    const k1 = fakeKey();
    writeFileSync(keyFile, `${keyringJson("k1", { k1 })}\n`, { mode: 0o600 });
    const config = await loadConfig({
      registry: registry(),
      env: {
        COFFER_STORE_TYPE: "sql",
        COFFER_STORE_KEYRING: `@${keyFile}`,
        COFFER_DATA_DIR: dataDir,
      },
    });
    expect(JSON.stringify(describeStoreOptions(config.store))).not.toContain(k1);
    expect(describeStoreOptions(config.store).keyring).toBe("[redacted]");
    const store = config.store.registration.create(
      config.store.options,
      contextFor(config.databaseUrl, { dataDir }),
    ) as SqlStore;
    open.push(store);
    await store.init();
    expect((await store.keyStatus()).activeKeyId).toBe("k1");
    expect(existsSync(path.join(dataDir, KEYRING_FILE_NAME))).toBe(false);
  });

  it("names a single encryptionKey by its fingerprint", async () => {
    const key = fakeKey();
    const { make } = sqliteSetup();
    const store = make({ encryptionKey: key });
    await store.init();
    expect((await store.keyStatus()).activeKeyId).toBe(fingerprintKeyId(Buffer.from(key, "base64")));
    expect(fingerprintKeyId(Buffer.from(key, "base64"))).toMatch(/^fp-[0-9a-f]{16}$/);
  });

  it.each([
    [
      { COFFER_STORE_ENCRYPTION_KEY: "bm90LWEta2V5" },
      /COFFER_STORE_ENCRYPTION_KEY is invalid: must be 32 random bytes in base64/,
    ],
    [
      { COFFER_STORE_KEYRING: '{"active":"k9","keys":{"k1":"KEY"}}' },
      /COFFER_STORE_KEYRING is invalid: key 'k1' must be 32 random bytes/,
    ],
    [
      { COFFER_STORE_KEYRING: "KR", COFFER_STORE_ENCRYPTION_KEY: "EK" },
      /give only one of 'encryptionKey' and 'keyring'/,
    ],
    [{ COFFER_STORE_MAX_VALUE_BYTES: "99999999" }, /COFFER_STORE_MAX_VALUE_BYTES is invalid/],
  ])("rejects bad key settings without echoing them (%o)", async (env, message) => {
    const error = await loadConfig({ registry: registry(), env: { COFFER_STORE_TYPE: "sql", ...env } }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InvalidConfigError);
    const text = JSON.stringify((error as InvalidConfigError).toJSON());
    expect(text).toMatch(message);
    for (const value of Object.values(env))
      if (value.length > 2 && !/^\d+$/.test(value)) expect(text).not.toContain(value);
  });
});
