// History on Key Vault: revisions as a `coffer-revision` tag on each version, retention by
// disabling older versions, and a secret recreated over its recovered self starting at 1.
import type { SecretClient } from "@azure/keyvault-secrets";
import { newSecretId, SecretNotFoundError, type SecretsStore } from "@coffer/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AzureBackend, rawClient, startBackend, storeFor } from "./helpers.js";

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

/** Each version's revision tag and whether it is enabled, by revision. */
async function versionStates(name: string): Promise<Record<string, boolean>> {
  const states: Record<string, boolean> = {};
  for await (const version of raw.listPropertiesOfSecretVersions(name)) {
    states[version.tags?.["coffer-revision"] ?? "none"] = version.enabled !== false;
  }
  return states;
}

describe("history", () => {
  it("tags each version with its revision; one older than maxVersions is disabled: SecretNotFoundError", async () => {
    const store = open(target, { maxVersions: 2 });
    const id = newSecretId();
    await store.create(id, { v: "1" });
    expect(await store.currentRevision(id)).toBe(1);
    await store.update(id, { v: "2" });
    expect(await store.getRevision(id, 1)).toEqual({ v: "1" });
    await store.update(id, { v: "3" });
    expect(await store.currentRevision(id)).toBe(3);
    expect(await versionStates(store.nameOf(id))).toEqual({ 1: false, 2: true, 3: true });
    await expect(store.getRevision(id, 1)).rejects.toBeInstanceOf(SecretNotFoundError);
    expect(await store.getRevision(id, 2)).toEqual({ v: "2" });
    expect(await store.getRevision(id, 3)).toEqual({ v: "3" });
    for (const never of [4, 0, 1.5]) {
      await expect(store.getRevision(id, never)).rejects.toBeInstanceOf(SecretNotFoundError);
    }
    await store.delete(id);
    await expect(store.getRevision(id, 3)).rejects.toBeInstanceOf(SecretNotFoundError);
  });

  it("keeps 10 versions enabled by default", async () => {
    const store = open(target);
    const id = newSecretId();
    await store.create(id, { v: "1" });
    for (let v = 2; v <= 11; v++) await store.update(id, { v: String(v) });
    const states = await versionStates(store.nameOf(id));
    expect(Object.values(states).filter(Boolean)).toHaveLength(10);
    expect(states[1]).toBe(false);
    await expect(store.getRevision(id, 1)).rejects.toBeInstanceOf(SecretNotFoundError);
    expect(await store.getRevision(id, 2)).toEqual({ v: "2" });
    await store.delete(id);
  });

  it("a version another owner wrote under the name is never one of the secret's revisions", async () => {
    const store = open(target);
    const id = newSecretId();
    const name = store.nameOf(id);
    await store.create(id, { v: "1" });
    await store.update(id, { v: "2" });
    const ours = (await raw.getSecret(name)).properties.tags ?? {};
    // By hand: a foreign version claiming revision 1, then one of ours on top, so the latest is ours.
    const foreign = { ...ours, "coffer-deployment": "someone-else", "coffer-revision": "1" };
    await raw.setSecret(name, '{"v":"fake-foreign"}', { tags: foreign });
    await raw.setSecret(name, '{"v":"fake-by-hand-3"}', { tags: { ...ours, "coffer-revision": "3" } });
    expect(await store.currentRevision(id)).toBe(3);
    expect(await store.getRevision(id, 1)).toEqual({ v: "1" });
    expect(await store.getRevision(id, 2)).toEqual({ v: "2" });
    await store.delete(id);
  });

  it("a secret created over its recovered self starts at revision 1; the old versions are no revisions", async () => {
    const store = open(target, { purgeOnDelete: false }, "history-recovered");
    const id = newSecretId();
    await store.create(id, { v: "old-1" });
    await store.update(id, { v: "old-2" });
    await store.update(id, { v: "old-3" });
    await store.delete(id);
    await store.create(id, { v: "new-1" });
    expect(await store.currentRevision(id)).toBe(1);
    expect(await store.get(id)).toEqual({ v: "new-1" });
    await store.update(id, { v: "new-2" });
    expect(await store.getRevision(id, 1)).toEqual({ v: "new-1" });
    expect(await store.getRevision(id, 2)).toEqual({ v: "new-2" });
    await expect(store.getRevision(id, 3)).rejects.toBeInstanceOf(SecretNotFoundError);
    // The old life's three versions are disabled: only the new revisions can be read.
    let enabled = 0;
    for await (const version of raw.listPropertiesOfSecretVersions(store.nameOf(id))) {
      if (version.enabled !== false) enabled++;
    }
    expect(enabled).toBe(2);
    await store.delete(id);
  });
});
