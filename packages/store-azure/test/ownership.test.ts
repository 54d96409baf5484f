// What the conformance suite cannot see: names, tags, the stored value, and that a secret not
// written by this deployment for this id is absent.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { SecretClient } from "@azure/keyvault-secrets";
import {
  IntegrityError,
  InvalidConfigError,
  instantiateStore,
  newSecretId,
  SecretExistsError,
  SecretNotFoundError,
  type SecretsStore,
} from "@coffer/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AzureStore, azureStore, deploymentSlug } from "../src/index.js";
import {
  type AzureBackend,
  contextFor,
  rawClient,
  sample,
  startBackend,
  storeFor,
  storeOptions,
  testInjections,
} from "./helpers.js";

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

async function versionCount(name: string): Promise<number> {
  let count = 0;
  for await (const _ of raw.listPropertiesOfSecretVersions(name)) count++;
  return count;
}

describe("naming and tags", () => {
  it("stores secret <id> as <namePrefix>-<deployment>-<id>: the values' JSON, tagged with its owner, its revision and extraTags", async () => {
    const store = open(target, { namePrefix: "vault7", extraTags: { team: "payments" } }, "prod-eu");
    const id = newSecretId();
    await store.create(id, sample);
    expect(store.nameOf(id)).toBe(`vault7-prod-eu-${id}`);
    const secret = await raw.getSecret(`vault7-prod-eu-${id}`);
    expect(JSON.parse(secret.value ?? "")).toEqual(sample);
    expect(secret.properties.contentType).toBe("application/json");
    expect(secret.properties.tags).toEqual({
      team: "payments",
      "coffer-deployment": "prod-eu",
      "coffer-secret-id": id,
      "coffer-revision": "1",
    });
    await store.delete(id);
  });

  it("a deployment id Key Vault names cannot hold is hashed in the name and kept as it is in the tag", async () => {
    expect(deploymentSlug("prod-eu")).toBe("prod-eu");
    for (const awkward of ["Prod", "team_a", "a/b", "", "a".repeat(49), `x${"0".repeat(24)}`]) {
      expect(deploymentSlug(awkward)).toMatch(/^x[0-9a-f]{24}$/);
    }
    const store = open(target, {}, "Team A / Prod");
    const id = newSecretId();
    await store.create(id, sample);
    expect(store.nameOf(id)).toBe(`coffer-${deploymentSlug("Team A / Prod")}-${id}`);
    const secret = await raw.getSecret(store.nameOf(id));
    expect(secret.properties.tags?.["coffer-deployment"]).toBe("Team A / Prod");
    expect(await store.get(id)).toEqual(sample);
    await store.delete(id);
  });

  it("each update is a new version of the same secret", async () => {
    const store = open(target);
    const id = newSecretId();
    await store.create(id, { v: "1" });
    await store.update(id, { v: "2" });
    expect(await versionCount(store.nameOf(id))).toBe(2);
    expect(await store.get(id)).toEqual({ v: "2" });
    await store.delete(id);
  });

  it("through its registration, refuses to start without a configured credential (no default chain)", () => {
    expect(() => instantiateStore(azureStore, storeOptions(target), contextFor())).toThrow(
      InvalidConfigError,
    );
  });

  it("tlsCa may name a PEM file (@/path, a file option) instead of holding the PEM", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "coffer-azure-ca-"));
    const caFile = path.join(dir, "ca.pem");
    writeFileSync(caFile, target.ca);
    const store = new AzureStore(
      storeOptions(target, { tlsCa: `@${caFile}` }),
      contextFor(),
      testInjections(),
    );
    stores.push(store);
    await store.init();
    const id = newSecretId();
    await store.create(id, sample);
    expect(await store.get(id)).toEqual(sample);
    await store.delete(id);
  });

  it("without trusting the vault's certificate, or for a loopback host without disabling the challenge check, init says what to set", async () => {
    const untrusting = open({ url: target.url, ca: "" });
    await expect(untrusting.init()).rejects.toMatchObject({ code: "INVALID_CONFIG", hint: /tlsCa/ });
    const strict = open(target, { disableChallengeResourceVerification: false });
    await expect(strict.init()).rejects.toMatchObject({
      code: "INVALID_CONFIG",
      hint: /disableChallengeResourceVerification/,
    });
  });
});

describe("what is not this deployment's is absent", () => {
  it("a secret under its name with another deployment's tags is not read, updated, deleted or overwritten", async () => {
    const store = open(target);
    const id = newSecretId();
    const name = store.nameOf(id);
    await raw.setSecret(name, '{"password":"fake-foreign-1"}', {
      tags: { "coffer-deployment": "someone-else", "coffer-secret-id": id },
    });
    await expect(store.get(id)).rejects.toBeInstanceOf(SecretNotFoundError);
    expect((await store.getMany([id])).size).toBe(0);
    await expect(store.update(id, { password: "fake-mine" })).rejects.toBeInstanceOf(SecretNotFoundError);
    await expect(store.delete(id)).rejects.toBeInstanceOf(SecretNotFoundError);
    await expect(store.create(id, { password: "fake-mine" })).rejects.toBeInstanceOf(SecretExistsError);
    expect(await versionCount(name)).toBe(1);
    expect((await raw.getSecret(name)).value).toBe('{"password":"fake-foreign-1"}');
  });

  it("a secret with no tags is absent too, and so is one whose latest version lost its tags", async () => {
    const store = open(target);
    const [untagged, retagged] = [newSecretId(), newSecretId()];
    await raw.setSecret(store.nameOf(untagged), '{"password":"fake-foreign-2"}');
    await expect(store.get(untagged)).rejects.toBeInstanceOf(SecretNotFoundError);
    await store.create(retagged, sample);
    // Someone sets a new version by hand, without Coffer's tags.
    await raw.setSecret(store.nameOf(retagged), '{"password":"fake-by-hand"}');
    await expect(store.get(retagged)).rejects.toBeInstanceOf(SecretNotFoundError);
  });

  it("names that collide (Key Vault ignores case) are told apart by the tags", async () => {
    const mine = open(target, { namePrefix: "coffer" }, "a-b");
    const theirs = open(target, { namePrefix: "COFFER-A" }, "b");
    const sameOwner = open(target, { namePrefix: "COFFER" }, "a-b");
    const id = newSecretId();
    expect(theirs.nameOf(id).toLowerCase()).toBe(mine.nameOf(id));
    await mine.create(id, { owner: "fake-mine" });
    await expect(theirs.get(id)).rejects.toBeInstanceOf(SecretNotFoundError);
    await expect(theirs.delete(id)).rejects.toBeInstanceOf(SecretNotFoundError);
    await expect(theirs.create(id, { owner: "fake-theirs" })).rejects.toBeInstanceOf(SecretExistsError);
    // The same deployment id under a differently cased prefix is the same owner of the same secret.
    expect(await sameOwner.get(id)).toEqual({ owner: "fake-mine" });
    await mine.delete(id);
  });

  it("a value of ours that is not a JSON map is an IntegrityError, not someone's values", async () => {
    const store = open(target);
    const id = newSecretId();
    await raw.setSecret(store.nameOf(id), "not json at all", {
      tags: { "coffer-deployment": "test-deployment", "coffer-secret-id": id },
    });
    await expect(store.get(id)).rejects.toBeInstanceOf(IntegrityError);
    await store.delete(id);
  });
});
