import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { IntegrityError, newSecretId } from "@coffer/core";
import { describe, expect, it } from "vitest";
import { EncryptedDirStore } from "../src/index.js";

const key = () => randomBytes(32).toString("base64");

async function openStore(directory: string, storeKey = key()) {
  const store = new EncryptedDirStore({ directory, key: storeKey, maxValueBytes: 8192 });
  await store.init();
  return store;
}

describe("encrypted-dir store", () => {
  it("writes no plaintext to disk and keeps files private to the owner", async () => {
    const directory = path.join(mkdtempSync(path.join(tmpdir(), "coffer-dir-")), "s");
    const store = await openStore(directory);
    const id = newSecretId();
    await store.create(id, { password: "fake-password-visible-if-leaked" });
    const [file] = readdirSync(directory);
    expect(readFileSync(path.join(directory, file!), "utf8")).not.toContain(
      "fake-password-visible-if-leaked",
    );
    expect(statSync(path.join(directory, file!)).mode & 0o777).toBe(0o600);
    expect(statSync(directory).mode & 0o777).toBe(0o700);
  });

  it("refuses to decrypt with the wrong key, with an IntegrityError instead of garbage", async () => {
    const directory = mkdtempSync(path.join(tmpdir(), "coffer-dir-"));
    const id = newSecretId();
    await (await openStore(directory)).create(id, { password: "fake" });
    await expect((await openStore(directory)).get(id)).rejects.toBeInstanceOf(IntegrityError);
  });

  it("refuses a file copied over another secret (the id is bound into the ciphertext)", async () => {
    const directory = mkdtempSync(path.join(tmpdir(), "coffer-dir-"));
    const storeKey = key();
    const store = await openStore(directory, storeKey);
    const [a, b] = [newSecretId(), newSecretId()];
    await store.create(a, { owner: "a" });
    await store.create(b, { owner: "b" });
    writeFileSync(path.join(directory, `${b}.secret`), readFileSync(path.join(directory, `${a}.secret`)));
    await expect(store.get(b)).rejects.toThrow(/cannot be decrypted/);
  });
});
