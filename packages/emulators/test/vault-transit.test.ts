// The Vault emulator's transit engine through node-vault (the client the vault store and the
// vault-transit key source use) over a real socket: keys, encrypt/decrypt with associated data,
// rotate, rewrap, min_decryption_version, datakey, and the errors Vault answers with.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { VaultEmulator } from "../src/vault/index.js";
import { apiFailure, call, clientFor, startWithClient, type VaultClient } from "./vault-helpers.js";

let emulator: VaultEmulator;
let vault: VaultClient;
beforeAll(async () => {
  ({ emulator, vault } = await startWithClient());
});
afterAll(() => emulator.stop());

const b64 = (text: string) => Buffer.from(text).toString("base64");
const aad = b64(JSON.stringify({ deployment: "d1" }));
let counter = 0;
const newKey = async () => {
  const name = `key-${++counter}`;
  await vault.write(`transit/keys/${name}`, {});
  return name;
};

describe("Vault emulator: transit", () => {
  it("creates a key and describes it without its material", async () => {
    const name = await newKey();
    const info = await vault.read(`transit/keys/${name}`);
    expect(info.data).toMatchObject({
      name,
      type: "aes256-gcm96",
      latest_version: 1,
      min_decryption_version: 1,
      exportable: false,
    });
    expect(Object.keys(info.data.keys)).toEqual(["1"]);
    expect(JSON.stringify(info)).not.toMatch(/"key":/);
    const missing = await apiFailure(() => vault.read("transit/keys/nope"));
    expect(missing.response.statusCode).toBe(404);
  });

  it("encrypt then decrypt returns the plaintext; the ciphertext is vault:v1:… and holds no plaintext", async () => {
    const name = await newKey();
    const encrypted = await vault.write(`transit/encrypt/${name}`, {
      plaintext: b64("fake-data-key"),
      associated_data: aad,
    });
    expect(encrypted.data.ciphertext).toMatch(/^vault:v1:[A-Za-z0-9+/=]+$/);
    expect(encrypted.data.key_version).toBe(1);
    expect(
      Buffer.from(encrypted.data.ciphertext.slice(9), "base64").includes(Buffer.from("fake-data-key")),
    ).toBe(false);
    const decrypted = await vault.write(`transit/decrypt/${name}`, {
      ciphertext: encrypted.data.ciphertext,
      associated_data: aad,
    });
    expect(Buffer.from(decrypted.data.plaintext, "base64").toString()).toBe("fake-data-key");
  });

  it("other associated data, another key, an altered ciphertext or no prefix fail with 400", async () => {
    const name = await newKey();
    const other = await newKey();
    const { data } = await vault.write(`transit/encrypt/${name}`, {
      plaintext: b64("x"),
      associated_data: aad,
    });
    const cases: [string, Record<string, unknown>, RegExp][] = [
      [name, { ciphertext: data.ciphertext, associated_data: b64("other") }, /message authentication failed/],
      [name, { ciphertext: data.ciphertext }, /message authentication failed/],
      [other, { ciphertext: data.ciphertext, associated_data: aad }, /message authentication failed/],
      [
        name,
        { ciphertext: `${data.ciphertext.slice(0, -4)}AAA=`, associated_data: aad },
        /message authentication failed/,
      ],
      [name, { ciphertext: "not-a-ciphertext" }, /no prefix/],
      ["absent", { ciphertext: data.ciphertext }, /encryption key not found/],
    ];
    for (const [key, body, message] of cases) {
      const error = await apiFailure(() => vault.write(`transit/decrypt/${key}`, body));
      expect(error.response.statusCode).toBe(400);
      expect(error.message).toMatch(message);
    }
  });

  it("rotate adds a version; old ciphertexts decrypt, rewrap moves them to the latest, min_decryption_version retires the old", async () => {
    const name = await newKey();
    const v1 = (await vault.write(`transit/encrypt/${name}`, { plaintext: b64("old"), associated_data: aad }))
      .data.ciphertext;
    const rotated = await vault.write(`transit/keys/${name}/rotate`, {});
    expect(rotated.data.latest_version).toBe(2);
    const v2 = (await vault.write(`transit/encrypt/${name}`, { plaintext: b64("new"), associated_data: aad }))
      .data.ciphertext;
    expect(v2).toMatch(/^vault:v2:/);
    const rewrapped = await vault.write(`transit/rewrap/${name}`, { ciphertext: v1, associated_data: aad });
    expect(rewrapped.data.ciphertext).toMatch(/^vault:v2:/);
    await vault.write(`transit/keys/${name}/config`, { min_decryption_version: 2 });
    const tooOld = await apiFailure(() =>
      vault.write(`transit/decrypt/${name}`, { ciphertext: v1, associated_data: aad }),
    );
    expect(tooOld.message).toMatch(/disallowed by policy/);
    const plain = await vault.write(`transit/decrypt/${name}`, {
      ciphertext: rewrapped.data.ciphertext,
      associated_data: aad,
    });
    expect(Buffer.from(plain.data.plaintext, "base64").toString()).toBe("old");
  });

  it("datakey/plaintext gives 256 bits and their ciphertext; datakey/wrapped only the ciphertext", async () => {
    const name = await newKey();
    const plain = await vault.write(`transit/datakey/plaintext/${name}`, {});
    expect(Buffer.from(plain.data.plaintext, "base64")).toHaveLength(32);
    const back = await vault.write(`transit/decrypt/${name}`, { ciphertext: plain.data.ciphertext });
    expect(back.data.plaintext).toBe(plain.data.plaintext);
    const wrapped = await vault.write(`transit/datakey/wrapped/${name}`, { bits: 512 });
    expect(wrapped.data.plaintext).toBeUndefined();
    const missing = await apiFailure(() => vault.write("transit/datakey/plaintext/absent", {}));
    expect(missing.message).toMatch(/encryption key not found/);
  });

  it("deleting a key needs deletion_allowed; a token is required; keys live per namespace", async () => {
    const name = await newKey();
    const refused = await apiFailure(() => vault.delete(`transit/keys/${name}`));
    expect(refused.response.statusCode).toBe(400);
    await vault.write(`transit/keys/${name}/config`, { deletion_allowed: true });
    await vault.delete(`transit/keys/${name}`);
    expect((await apiFailure(() => vault.read(`transit/keys/${name}`))).response.statusCode).toBe(404);
    const anonymous = await call(emulator, "POST", "transit/encrypt/x", {
      token: null,
      body: { plaintext: b64("x") },
    });
    expect(anonymous.status).toBe(403);
    const other = await newKey();
    const elsewhere = clientFor(emulator, emulator.rootToken, "team-a");
    expect((await apiFailure(() => elsewhere.read(`transit/keys/${other}`))).response.statusCode).toBe(404);
  });

  it("a sealed Vault answers transit calls with 503", async () => {
    const name = await newKey();
    emulator.failNext(1, "sealed");
    const sealed = await apiFailure(() => vault.write(`transit/encrypt/${name}`, { plaintext: b64("x") }));
    expect(sealed.response.statusCode).toBe(503);
  });
});
