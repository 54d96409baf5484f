// Version history and its retention (maxVersions), and payload checksums in both directions.
import { IntegrityError, newSecretId, SecretNotFoundError, type SecretsStore } from "@coffer/core";
import type { SecretManagerServiceClient } from "@google-cloud/secret-manager";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isChecksumMismatch, toStoreError } from "../src/index.js";
import { type GcpBackend, noRetry, rawClient, startBackend, storeFor } from "./helpers.js";
import { startTamperingRelay } from "./tampering-relay.js";

let target: GcpBackend;
let raw: SecretManagerServiceClient;
const stores: SecretsStore[] = [];

beforeAll(async () => {
  target = await startBackend();
  raw = rawClient(target);
});

afterAll(async () => {
  for (const store of stores) await store.close();
  await raw?.close();
  await target?.stop();
});

async function versionStates(name: string): Promise<Record<number, string>> {
  const [versions] = await raw.listSecretVersions({ parent: name }, noRetry);
  return Object.fromEntries(
    versions.map((version) => [Number(version.name?.split("/").pop()), String(version.state)]),
  );
}

describe("version clean-up", () => {
  it("with maxVersions 1 keeps only the newest version: every older one is destroyed after an update", async () => {
    const store = storeFor(target, { maxVersions: 1 });
    stores.push(store);
    const id = newSecretId();
    await store.create(id, { v: "1" });
    for (const v of ["2", "3", "4"]) await store.update(id, { v });
    expect(await versionStates(store.nameOf(id))).toEqual({
      1: "DESTROYED",
      2: "DESTROYED",
      3: "DESTROYED",
      4: "ENABLED",
    });
    expect(await store.get(id)).toEqual({ v: "4" });
    await store.delete(id);
  });

  it("with maxVersions N, keeps N versions enabled after any number of updates", async () => {
    const store = storeFor(target, { maxVersions: 3 });
    stores.push(store);
    const id = newSecretId();
    await store.create(id, { v: "1" });
    await store.update(id, { v: "2" });
    expect(await versionStates(store.nameOf(id))).toEqual({ 1: "ENABLED", 2: "ENABLED" });
    for (const v of ["3", "4", "5", "6"]) await store.update(id, { v });
    expect(await versionStates(store.nameOf(id))).toEqual({
      1: "DESTROYED",
      2: "DESTROYED",
      3: "DESTROYED",
      4: "ENABLED",
      5: "ENABLED",
      6: "ENABLED",
    });
    // The kept versions hold the earlier values, for an operator to roll back by hand.
    const [five] = await raw.accessSecretVersion({ name: `${store.nameOf(id)}/versions/5` }, noRetry);
    expect(JSON.parse(Buffer.from(five.payload?.data as Uint8Array).toString()).values).toEqual({ v: "5" });
    await store.delete(id);
  });

  it("sweeps versions a failed clean-up left behind on the next update", async () => {
    const store = storeFor(target, { maxVersions: 1 });
    stores.push(store);
    const id = newSecretId();
    const name = store.nameOf(id);
    await store.create(id, { v: "1" });
    // Versions added behind the store's back (or left by an interrupted clean-up).
    await raw.addSecretVersion({ parent: name, payload: { data: Buffer.from("fake-leftover-2") } }, noRetry);
    await raw.addSecretVersion({ parent: name, payload: { data: Buffer.from("fake-leftover-3") } }, noRetry);
    await store.update(id, { v: "4" });
    expect(await versionStates(name)).toEqual({
      1: "DESTROYED",
      2: "DESTROYED",
      3: "DESTROYED",
      4: "ENABLED",
    });
    await store.delete(id);
  });
});

describe("history", () => {
  it("revisions are GCP's version numbers; one older than maxVersions is destroyed: SecretNotFoundError", async () => {
    const store = storeFor(target, { maxVersions: 2 });
    stores.push(store);
    const id = newSecretId();
    await store.create(id, { v: "1" });
    expect(await store.currentRevision(id)).toBe(1);
    await store.update(id, { v: "2" });
    expect(await store.getRevision(id, 1)).toEqual({ v: "1" });
    await store.update(id, { v: "3" });
    expect(await store.currentRevision(id)).toBe(3);
    expect(await versionStates(store.nameOf(id))).toEqual({ 1: "DESTROYED", 2: "ENABLED", 3: "ENABLED" });
    await expect(store.getRevision(id, 1)).rejects.toBeInstanceOf(SecretNotFoundError);
    expect(await store.getRevision(id, 2)).toEqual({ v: "2" });
    expect(await store.getRevision(id, 3)).toEqual({ v: "3" });
    for (const never of [4, 0, 1.5]) {
      await expect(store.getRevision(id, never)).rejects.toBeInstanceOf(SecretNotFoundError);
    }
    await store.delete(id);
    await expect(store.getRevision(id, 3)).rejects.toBeInstanceOf(SecretNotFoundError);
  });

  it("keeps 10 versions by default", async () => {
    const store = storeFor(target);
    stores.push(store);
    const id = newSecretId();
    await store.create(id, { v: "1" });
    for (let v = 2; v <= 11; v++) await store.update(id, { v: String(v) });
    const states = await versionStates(store.nameOf(id));
    expect(Object.values(states).filter((state) => state === "ENABLED")).toHaveLength(10);
    expect(states[1]).toBe("DESTROYED");
    await store.delete(id);
  });

  it("a revision whose payload is not this deployment's is SecretNotFoundError, never its values", async () => {
    const store = storeFor(target, { maxVersions: 3 });
    stores.push(store);
    const id = newSecretId();
    await store.create(id, { v: "1" });
    await raw.addSecretVersion(
      { parent: store.nameOf(id), payload: { data: Buffer.from('{"values":{"v":"fake-foreign"}}') } },
      noRetry,
    );
    await expect(store.getRevision(id, 2)).rejects.toBeInstanceOf(SecretNotFoundError);
    await store.delete(id);
  });
});

describe("checksums", () => {
  it("a payload damaged on the way from the service fails its CRC32C: IntegrityError, not wrong values", async () => {
    const writer = storeFor(target);
    stores.push(writer);
    const id = newSecretId();
    await writer.create(id, { token: "fake-token-AAAAAAAA" });
    const relay = await startTamperingRelay(target.port, "fake-token-AAAAAAAA", "fake-token-AAAAAAAB");
    const reader = storeFor({ host: "127.0.0.1", port: relay.port });
    try {
      const error = await reader.get(id).catch((caught: unknown) => caught);
      expect(relay.replaced).toBeGreaterThan(0);
      expect(error).toBeInstanceOf(IntegrityError);
      expect((error as IntegrityError).message).toMatch(/CRC32C/);
      expect(JSON.stringify((error as IntegrityError).toJSON())).not.toContain("fake-token");
      // Through an honest path the same secret reads fine.
      expect(await writer.get(id)).toEqual({ token: "fake-token-AAAAAAAA" });
    } finally {
      await reader.close();
      await relay.close();
    }
    await writer.delete(id);
  });

  it("the service refuses a payload whose CRC32C does not match, and that refusal maps to IntegrityError", async () => {
    const [secret] = await raw.createSecret(
      {
        parent: "projects/coffer-test",
        secretId: `checksum-${Date.now()}`,
        secret: { replication: { automatic: {} } },
      },
      noRetry,
    );
    const refusal = await raw
      .addSecretVersion(
        { parent: secret.name, payload: { data: Buffer.from("fake-password-1"), dataCrc32c: 12345 } },
        noRetry,
      )
      .catch((caught: unknown) => caught);
    expect(isChecksumMismatch(refusal)).toBe(true);
    const mapped = toStoreError(refusal, { operation: "update", id: "0b7e5a36-58f4-4c44-9d8e-6f2b8d0c1a2b" });
    expect(mapped).toBeInstanceOf(IntegrityError);
    expect(JSON.stringify(mapped.toJSON())).not.toContain("fake-password-1");
    // And nothing was stored.
    const [versions] = await raw.listSecretVersions({ parent: secret.name }, noRetry);
    expect(versions).toEqual([]);
    await raw.deleteSecret({ name: secret.name }, noRetry);
  });
});
