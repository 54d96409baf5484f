import { writeFileSync } from "node:fs";
import path from "node:path";
import { InvalidConfigError, SecretNotFoundError } from "@coffer/core";
import { afterEach, describe, expect, it } from "vitest";
import {
  type CofferClient,
  closeSecrets,
  configureSecrets,
  createClient,
  decodeValue,
  localSecretVariable,
  Secret,
} from "../src/index.js";
import { localEnv, tempDir } from "./helpers.js";

const open: CofferClient[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((client) => client.close()));
  await closeSecrets();
});

function clientWith(extraEnv: Record<string, string> = {}, configFile?: string) {
  const dataDir = tempDir();
  const client = createClient({
    user: "alice",
    env: localEnv(dataDir, extraEnv),
    ...(configFile ? { configFile } : {}),
  });
  open.push(client);
  return { client, dataDir };
}

describe("JSON decoding, as Prefect's Secret.get() does it", () => {
  it("returns what parses as JSON parsed, and anything else as the text", () => {
    expect(decodeValue("5432")).toBe(5432);
    expect(decodeValue("true")).toBe(true);
    expect(decodeValue("null")).toBe(null);
    expect(decodeValue('{"a":[1,{"b":"c"}]}')).toEqual({ a: [1, { b: "c" }] });
    expect(decodeValue('"quoted"')).toBe("quoted");
    expect(decodeValue("fake-password-1")).toBe("fake-password-1");
    expect(decodeValue("0042")).toBe("0042");
    expect(decodeValue("")).toBe("");
    expect(decodeValue("{not json")).toBe("{not json");
  });

  it("decodes only what JSON.parse reads back exactly: a lossy number stays the text", () => {
    // Numbers that JSON.parse would round, re-spell or sign-lose come back as the stored text.
    for (const text of ["12345678901234567890", "1.50", "1e3", "1E3", "-0", "0.10", "9007199254740993"]) {
      expect(decodeValue(text)).toBe(text);
    }
    // One lossy number anywhere makes the whole value text, so nothing is half-decoded.
    expect(decodeValue('{"id":12345678901234567890}')).toBe('{"id":12345678901234567890}');
    expect(decodeValue("[1, 1.50]")).toBe("[1, 1.50]");
    // Exact numbers, and the other JSON values, decode.
    expect(decodeValue("42")).toBe(42);
    expect(decodeValue("-7")).toBe(-7);
    expect(decodeValue("1.5")).toBe(1.5);
    expect(decodeValue("9007199254740991")).toBe(9007199254740991);
    expect(decodeValue("false")).toBe(false);
    expect(decodeValue("true")).toBe(true);
    expect(decodeValue("null")).toBe(null);
    expect(decodeValue('[1,2.5,"x"]')).toEqual([1, 2.5, "x"]);
    // Whitespace inside an object or array is layout, not data: pretty-printed JSON decodes.
    expect(decodeValue('{ "port": 5432,\n  "tags": [ "a", "b" ] }')).toEqual({
      port: 5432,
      tags: ["a", "b"],
    });
    // A JSON string keeps its own whitespace; whitespace around a value makes it text.
    expect(decodeValue('"  two  spaces "')).toBe("  two  spaces ");
    expect(decodeValue(" 42")).toBe(" 42");
    expect(decodeValue("42\n")).toBe("42\n");
    expect(decodeValue(" true ")).toBe(" true ");
  });

  it("get() decodes every value; get(key) one; values() gives the stored text", async () => {
    const { client } = clientWith();
    await client.create({
      name: "db",
      values: { host: "db.internal", port: "5432", options: '{"ssl":true}', password: "fake-password-1" },
    });
    const db = client.secret("db");
    expect(await db.get()).toEqual({
      host: "db.internal",
      port: 5432,
      options: { ssl: true },
      password: "fake-password-1",
    });
    expect(await db.get("port")).toBe(5432);
    expect((await db.values()).port).toBe("5432");
    await client.create({ name: "ids", values: { big: "12345678901234567890", price: "1.50", n: "1e3" } });
    expect(await client.secret("ids").get()).toEqual({
      big: "12345678901234567890",
      price: "1.50",
      n: "1e3",
    });
  });

  it("a missing secret or key is SecretNotFoundError that names what exists", async () => {
    const { client } = clientWith();
    await client.create({ name: "db", values: { username: "app" } });
    await expect(client.secret("nope").get()).rejects.toBeInstanceOf(SecretNotFoundError);
    const error = await client
      .secret("db")
      .get("password")
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SecretNotFoundError);
    expect((error as SecretNotFoundError).oneLine).toBe(
      "The secret 'db' has no key 'password'. Its keys are: username.",
    );
  });

  it("exists() is true for a secret the user can see and false otherwise", async () => {
    const { client, dataDir } = clientWith();
    await client.create({ name: "mine", values: { k: "v" }, private: true });
    expect(await client.secret("mine").exists()).toBe(true);
    expect(await client.secret("nope").exists()).toBe(false);
    const bob = createClient({ user: "bob", env: localEnv(dataDir) });
    open.push(bob);
    expect(await bob.secret("mine").exists()).toBe(false);
  });
});

describe("local secrets override the store", () => {
  it("maps names to COFFER_LOCAL_SECRET_<NAME>: upper case, anything but A-Z and 0-9 becomes _", () => {
    expect(localSecretVariable("db")).toBe("COFFER_LOCAL_SECRET_DB");
    expect(localSecretVariable("payments/stripe")).toBe("COFFER_LOCAL_SECRET_PAYMENTS_STRIPE");
    expect(localSecretVariable("api.example.com")).toBe("COFFER_LOCAL_SECRET_API_EXAMPLE_COM");
    expect(localSecretVariable("my-db 2")).toBe("COFFER_LOCAL_SECRET_MY_DB_2");
  });

  it("an environment variable (a JSON object) wins over the store", async () => {
    const { client } = clientWith({
      COFFER_LOCAL_SECRET_PAYMENTS_STRIPE: '{"key":"fake-local-key","retries":3}',
    });
    await client.create({ name: "payments/stripe", values: { key: "fake-store-key" } });
    expect(await client.secret("payments/stripe").get()).toEqual({ key: "fake-local-key", retries: 3 });
    expect(await client.secret("payments/stripe").get("retries")).toBe(3);
    expect((await client.secret("payments/stripe").values()).retries).toBe("3");
    expect(await client.secret("payments/stripe").exists()).toBe(true);
    // The session API is the store's: overrides apply to secret()/Secret() and `coffer run` only.
    expect((await client.getSecret("payments/stripe")).get("key")).toBe("fake-store-key");
  });

  it("an environment override needs no configuration or store at all", async () => {
    const { client } = clientWith({
      COFFER_STORE_TYPE: "no-such-store",
      COFFER_LOCAL_SECRET_DB: '{"password":"fake-local-pw"}',
    });
    expect(await client.secret("db").get("password")).toBe("fake-local-pw");
    await expect(client.secret("other").get()).rejects.toBeInstanceOf(InvalidConfigError);
  });

  it("the secrets: section of the configuration file wins over the store, the environment over both", async () => {
    const dir = tempDir();
    const file = path.join(dir, "coffer.yaml");
    writeFileSync(
      file,
      [
        "secrets:",
        "  db:",
        "    username: local-user",
        "    port: 6543",
        '  "api.example.com":',
        "    token: fake-file-token",
      ].join("\n"),
    );
    const { client } = clientWith(
      { COFFER_LOCAL_SECRET_API_EXAMPLE_COM: '{"token":"fake-env-token"}' },
      file,
    );
    await client.create({ name: "db", values: { username: "store-user" } });
    expect(await client.secret("db").get()).toEqual({ username: "local-user", port: 6543 });
    expect((await client.secret("db").values()).port).toBe("6543");
    expect(await client.secret("api.example.com").get("token")).toBe("fake-env-token");
  });

  it("a malformed override is InvalidConfigError naming the variable, never the value", async () => {
    for (const text of ["not json fake-secret-text", '"fake-secret-text"', '["fake-secret-text"]']) {
      const { client } = clientWith({ COFFER_LOCAL_SECRET_DB: text });
      const error = await client
        .secret("db")
        .get()
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(InvalidConfigError);
      expect((error as InvalidConfigError).oneLine).toContain("COFFER_LOCAL_SECRET_DB");
      expect((error as InvalidConfigError).oneLine).not.toContain("fake-secret-text");
    }
  });

  it("a malformed file entry is InvalidConfigError naming the entry, never the value", async () => {
    const file = path.join(tempDir(), "coffer.yaml");
    writeFileSync(file, "secrets:\n  db: fake-secret-text\n");
    const { client } = clientWith({}, file);
    const error = await client
      .secret("db")
      .get()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidConfigError);
    expect((error as InvalidConfigError).oneLine).toMatch(/^secrets\.db in coffer\.yaml must be an object/);
    expect((error as InvalidConfigError).oneLine).not.toContain("fake-secret-text");
  });
});

describe("Secret(name), the default client", () => {
  it("reads through a client made from the configured options", async () => {
    const dataDir = tempDir();
    const writer = createClient({ user: "alice", env: localEnv(dataDir) });
    open.push(writer);
    await writer.create({ name: "db", values: { port: "5432" } });
    await configureSecrets({ user: "alice", env: localEnv(dataDir) });
    expect(await Secret("db").get("port")).toBe(5432);
    expect(await Secret("db").exists()).toBe(true);
    expect(await Secret("nope").exists()).toBe(false);
    expect(`${Secret("db")}`).toBe("Secret(db)");
  });
});
