// Key Vault's soft delete: deleted secrets keep their name until purged or recovered, and a
// recreate must deal with that (409 ObjectIsDeletedButRecoverable).
import type { SecretClient } from "@azure/keyvault-secrets";
import {
  NotSupportedError,
  newSecretId,
  SecretExistsError,
  SecretNotFoundError,
  type SecretsStore,
} from "@coffer/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AzureBackend, poll, rawClient, sample, startBackend, storeFor } from "./helpers.js";

let target: AzureBackend;
let raw: SecretClient;
const stores: SecretsStore[] = [];

beforeAll(async () => {
  target = await startBackend();
  raw = rawClient(target);
});

afterAll(async () => {
  for (const store of stores) await store.close();
  await target?.stop();
});

function open(...args: Parameters<typeof storeFor>) {
  const store = storeFor(...args);
  stores.push(store);
  return store;
}

async function deletedTags(name: string): Promise<Record<string, string> | undefined | "none"> {
  try {
    return (await raw.getDeletedSecret(name)).properties.tags;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return "none";
    throw error;
  }
}

async function versionCount(name: string): Promise<number> {
  let count = 0;
  for await (const _ of raw.listPropertiesOfSecretVersions(name)) count++;
  return count;
}

describe("purgeOnDelete: true (the default)", () => {
  it("delete purges: nothing stays soft-deleted, and restore is not offered", async () => {
    const store = open(target);
    expect(store.capabilities().softDelete).toBe(false);
    const id = newSecretId();
    await store.create(id, sample);
    await store.delete(id);
    expect(await deletedTags(store.nameOf(id))).toBe("none");
    await expect(store.restore(id)).rejects.toBeInstanceOf(NotSupportedError);
  });

  it("a recreate over a soft-deleted secret of ours (a purge that failed earlier) purges it first: a fresh secret", async () => {
    const store = open(target);
    const id = newSecretId();
    const name = store.nameOf(id);
    await store.create(id, { generation: "first" });
    await store.update(id, { generation: "first, updated" });
    // Deleted without a purge, as when the purge after a delete failed.
    await (await raw.beginDeleteSecret(name, poll)).pollUntilDone();
    await store.create(id, { generation: "second" });
    expect(await store.get(id)).toEqual({ generation: "second" });
    expect(await versionCount(name)).toBe(1);
    await store.delete(id);
  });

  it("a delete retried after one that deleted but never purged (cut off) purges the leftover, then says not found", async () => {
    const store = open(target);
    const id = newSecretId();
    const name = store.nameOf(id);
    await store.create(id, sample);
    // Deleted without the purge, as when an outage cut the store's delete off after Key Vault's DELETE.
    await (await raw.beginDeleteSecret(name, poll)).pollUntilDone();
    await expect(store.delete(id)).rejects.toBeInstanceOf(SecretNotFoundError);
    expect(await deletedTags(name)).toBe("none");
  });
});

describe("purgeOnDelete: false", () => {
  it("delete leaves the secret soft-deleted with its tags; restore brings the same values back", async () => {
    const store = open(target, { purgeOnDelete: false });
    expect(store.capabilities().softDelete).toBe(true);
    const id = newSecretId();
    await store.create(id, sample);
    await store.delete(id);
    await expect(store.get(id)).rejects.toBeInstanceOf(SecretNotFoundError);
    expect(await deletedTags(store.nameOf(id))).toMatchObject({ "coffer-secret-id": id });
    await store.restore(id);
    expect(await store.get(id)).toEqual(sample);
    await expect(store.restore(id)).rejects.toBeInstanceOf(SecretNotFoundError);
    await store.delete(id);
  });

  it("delete then create recovers the old secret and writes the new values over it (history kept, no purge needed)", async () => {
    const store = open(target, { purgeOnDelete: false });
    const id = newSecretId();
    const name = store.nameOf(id);
    await store.create(id, { generation: "first" });
    await store.delete(id);
    await store.create(id, { generation: "second" });
    expect(await store.get(id)).toEqual({ generation: "second" });
    expect(await versionCount(name)).toBe(2);
    expect(await deletedTags(name)).toBe("none");
    await store.delete(id);
  });

  it("purging by hand after a delete leaves nothing to restore", async () => {
    const store = open(target, { purgeOnDelete: false });
    const id = newSecretId();
    await store.create(id, sample);
    await store.delete(id);
    await raw.purgeDeletedSecret(store.nameOf(id));
    await expect(store.restore(id)).rejects.toBeInstanceOf(SecretNotFoundError);
    await store.create(id, { generation: "after purge" });
    expect(await store.get(id)).toEqual({ generation: "after purge" });
    await store.delete(id);
  });
});

describe("deleted secrets of others", () => {
  it("a soft-deleted secret of another owner under our name is neither purged (not even by a delete), recovered nor restored", async () => {
    const purging = open(target);
    const keeping = open(target, { purgeOnDelete: false });
    const id = newSecretId();
    const name = purging.nameOf(id);
    await raw.setSecret(name, '{"password":"fake-foreign"}', {
      tags: { "coffer-deployment": "someone-else", "coffer-secret-id": id },
    });
    await (await raw.beginDeleteSecret(name, poll)).pollUntilDone();
    await expect(purging.create(id, sample)).rejects.toBeInstanceOf(SecretExistsError);
    await expect(keeping.create(id, sample)).rejects.toBeInstanceOf(SecretExistsError);
    await expect(keeping.restore(id)).rejects.toBeInstanceOf(SecretNotFoundError);
    await expect(purging.delete(id)).rejects.toBeInstanceOf(SecretNotFoundError);
    expect(await deletedTags(name)).toMatchObject({ "coffer-deployment": "someone-else" });
    await raw.purgeDeletedSecret(name);
  });
});
