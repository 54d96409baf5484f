import { existsSync, statSync } from "node:fs";
import { userInfo } from "node:os";
import path from "node:path";
import { inspect } from "node:util";
import { InvalidConfigError, NotSupportedError, SecretNotFoundError, ValidationError } from "@coffer/core";
import { afterEach, describe, expect, it } from "vitest";
import { type CofferClient, createClient } from "../src/index.js";
import { freshClient, localEnv, tempDir } from "./helpers.js";

const open: CofferClient[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((client) => client.close()));
});
function track<T extends CofferClient>(client: T): T {
  open.push(client);
  return client;
}

describe("local mode on a data directory", () => {
  it("creates the SQLite file (owner-only) on first use, not before", async () => {
    const dataDir = path.join(tempDir(), "nested", "coffer");
    const client = track(createClient({ user: "alice", env: localEnv(dataDir) }));
    expect(existsSync(dataDir)).toBe(false);
    await client.create({ name: "db", values: { password: "fake-password-1" } });
    const file = path.join(dataDir, "coffer.db");
    expect(existsSync(file)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
  });

  it("keeps secrets across clients (and so across processes) on the same data directory", async () => {
    const { client, dataDir } = freshClient();
    track(client);
    await client.create({ name: "db", values: { username: "app", password: "fake-password-1" } });
    await client.close();
    const again = track(createClient({ user: "alice", env: localEnv(dataDir) }));
    expect((await again.getSecret("db")).values).toEqual({ username: "app", password: "fake-password-1" });
  });

  it("acts as COFFER_USER, else the operating-system user", async () => {
    const dataDir = tempDir();
    const asCarol = track(createClient({ env: localEnv(dataDir, { COFFER_USER: "carol" }) }));
    expect(asCarol.user).toBe("carol");
    expect((await asCarol.createSecret("mine", { k: "v" }, { private: true })).owner).toBe("carol");

    const asOsUser = track(createClient({ env: localEnv(dataDir) }));
    expect(asOsUser.user).toBe(userInfo().username);
    // carol's private secret does not exist for anyone else.
    await expect(asOsUser.getSecret("mine")).rejects.toBeInstanceOf(SecretNotFoundError);
  });

  it("refuses a COFFER_USER that is blank or padded", () => {
    const client = createClient({ env: { COFFER_USER: " alice" } });
    expect(() => client.user).toThrow(InvalidConfigError);
  });

  it("reports a configuration problem on connect(), as one typed error", async () => {
    const client = track(
      createClient({ user: "alice", env: localEnv(tempDir(), { COFFER_STORE_TYPE: "no-such-store" }) }),
    );
    const error = await client.connect().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(InvalidConfigError);
    expect((error as InvalidConfigError).oneLine).toMatch(/COFFER_STORE_TYPE is 'no-such-store'.*Use one of/);
  });

  it("picks remote mode from options or COFFER_URL + COFFER_TOKEN, and refuses half of it (on first use) rather than going local", async () => {
    expect(createClient({ url: "http://127.0.0.1:1", token: "not-a-real-token" }).mode).toBe("remote");
    // As the README says, nothing is checked or opened until the first call: createClient() never throws.
    const noToken = createClient({ env: { COFFER_URL: "http://127.0.0.1:1" } });
    expect(noToken.mode).toBe("remote");
    const error = await noToken.list().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidConfigError);
    expect((error as InvalidConfigError).oneLine).toMatch(
      /^Remote mode needs both a server URL and a token; the token is missing\. Set COFFER_TOKEN too/,
    );
    const noUrl = createClient({ env: { COFFER_TOKEN: "not-a-real-token" } });
    await expect(noUrl.connect()).rejects.toThrow(/the URL is missing/);
    await expect(noUrl.secret("db").get()).rejects.toBeInstanceOf(InvalidConfigError);
  });

  it("checks COFFER_URL on the first call, not in createClient(): a typed configuration error then", async () => {
    for (const [url, message] of [
      ["not a url", "'not a url' is not a server URL."],
      ["ftp://coffer.example.com", "'ftp://coffer.example.com' is not an http(s) URL."],
    ] as const) {
      const client = createClient({ env: { COFFER_URL: url, COFFER_TOKEN: "not-a-real-token" } });
      expect(client.mode).toBe("remote");
      for (const call of [() => client.list(), () => client.connect(), () => client.storeInfo()]) {
        const error = await call().catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(InvalidConfigError);
        expect((error as InvalidConfigError).message).toBe(message);
        expect((error as InvalidConfigError).details).toEqual({ variable: "COFFER_URL" });
      }
    }
  });

  it("fails every call after close()", async () => {
    const { client } = freshClient();
    await client.create({ name: "db", values: { k: "v" } });
    await client.close();
    await expect(client.list()).rejects.toThrow(/closed/);
  });
});

describe("returned secrets", () => {
  it("hide values from inspect, JSON and templates; values come only when asked", async () => {
    const { client } = freshClient();
    track(client);
    const secret = await client.create({ name: "db", values: { password: "fake-password-1" } });
    const got = await client.getSecret("db");
    for (const shown of [
      inspect(got),
      JSON.stringify(got),
      `${got}`,
      inspect(secret),
      JSON.stringify(secret),
    ]) {
      expect(shown).not.toContain("fake-password-1");
    }
    expect(got.get("password")).toBe("fake-password-1");
  });
});

describe("the by-name shorthands", () => {
  it("create, get, update, list, delete by name, private first", async () => {
    const { client } = freshClient();
    track(client);
    await client.createSecret("api", { token: "fake-public-token" });
    await client.createSecret("api", { token: "fake-private-token" }, { private: true });
    expect((await client.getSecret("api")).get("token")).toBe("fake-private-token");
    expect((await client.getSecret("api", { private: false })).get("token")).toBe("fake-public-token");
    const updated = await client.updateSecret("api", { values: { extra: "fake-extra" } });
    expect(updated.private).toBe(true);
    expect(updated.version).toBe(2);
    expect((await client.listSecrets()).items.map((item) => item.private).sort()).toEqual([false, true]);
    await client.deleteSecret("api", { private: true });
    expect((await client.getSecret("api")).get("token")).toBe("fake-public-token");
  });

  it("listAll walks every page", async () => {
    const { client } = freshClient();
    track(client);
    for (let i = 0; i < 7; i++) await client.createSecret(`s${i}`, { k: "v" });
    const names: string[] = [];
    for await (const item of client.listAll({ limit: 2, sort: { by: "name" } })) names.push(item.name);
    expect(names).toEqual(["s0", "s1", "s2", "s3", "s4", "s5", "s6"]);
  });
});

describe("operations", () => {
  it("storeInfo says which store, where, and that it answers", async () => {
    const { client, dataDir } = freshClient();
    track(client);
    const info = await client.storeInfo();
    expect(info.mode).toBe("local");
    expect(info.user).toBe("alice");
    expect(info.status).toBe("ready");
    expect(info.store.health.status).toBe("ready");
    expect(info.store.location).toBeTruthy();
    expect(info.metadata.location).toBe(`sqlite://${path.join(dataDir, "coffer.db")}`);
    expect(info.dataDir).toBe(dataDir);
    expect(info.store.capabilities.maxValueBytes).toBeGreaterThan(0);
    expect(JSON.stringify(info)).not.toMatch(/"key":"[A-Za-z0-9+/=]{40,}"/);
  });

  it("rotateKey is NotSupportedError on a store without managed keys", async () => {
    const client = track(
      createClient({ user: "alice", env: localEnv(tempDir(), { COFFER_STORE_TYPE: "memory" }) }),
    );
    await expect(client.rotateKey()).rejects.toBeInstanceOf(NotSupportedError);
    expect((await client.storeInfo()).store.keyRotation).toBe(false);
  });

  it("rotateKey re-encrypts the embedded store under a new key; values stay readable", async () => {
    const dataDir = tempDir();
    const client = track(createClient({ user: "alice", env: { COFFER_DATA_DIR: dataDir } }));
    await client.create({ name: "db", values: { password: "fake-password-1" } });
    await client.create({ name: "api", values: { token: "not-a-real-token" } });
    const before = await client.storeInfo();
    expect(before.store.type).toBe("sql");
    expect(before.store.keyRotation).toBe(true);
    const result = await client.rotateKey();
    expect(result.generated).toBe(true);
    expect(result.activeKeyId).not.toBe(result.previousKeyId);
    expect(result.reencrypted).toBe(2);
    expect(result.remaining).toBe(0);
    expect((await client.getSecret("db")).get("password")).toBe("fake-password-1");
    const after = await client.storeInfo();
    expect(after.store.keys?.activeKeyId).toBe(result.activeKeyId);
    expect(after.store.keys?.keyCount).toBe(2);
  });

  it("reconcile reports nothing to repair on a healthy store", async () => {
    const { client } = freshClient();
    track(client);
    await client.create({ name: "db", values: { k: "v" } });
    expect(await client.reconcile()).toEqual({
      completedCreates: [],
      rolledBackCreates: [],
      completedUpdates: [],
      completedDeletes: [],
      failed: [],
    });
  });

  it("passes validation errors through typed", async () => {
    const { client } = freshClient();
    track(client);
    await expect(client.create({ name: "", values: { k: "v" } })).rejects.toBeInstanceOf(ValidationError);
  });
});
