// What the conformance suite cannot see: where secrets land, how they are labelled, what the
// payload looks like, and that anything not written by this deployment for this id is absent.
import {
  instantiateStore,
  newSecretId,
  SecretExistsError,
  SecretNotFoundError,
  type SecretsStore,
  ValueTooLargeError,
} from "@coffer/core";
import type { SecretManagerServiceClient } from "@google-cloud/secret-manager";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deploymentSlug, gcpStore, MAX_VALUE_BYTES, PAYLOAD_LIMIT_BYTES } from "../src/index.js";
import {
  contextFor,
  type GcpBackend,
  noRetry,
  PROJECT,
  rawClient,
  sample,
  startBackend,
  storeFor,
  storeOptions,
} from "./helpers.js";

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

function open(...args: Parameters<typeof storeFor>) {
  const store = storeFor(...args);
  stores.push(store);
  return store;
}

async function accessRaw(name: string): Promise<string> {
  const [response] = await raw.accessSecretVersion({ name: `${name}/versions/latest` }, noRetry);
  return Buffer.from(response.payload?.data as Uint8Array).toString("utf8");
}

describe("naming and labels", () => {
  it("stores secret <id> as <namePrefix>-<deployment>-<id>, labelled with its owner and the extra labels", async () => {
    const store = open(target, { labels: { team: "payments" }, namePrefix: "vault7" }, "prod-eu");
    const id = newSecretId();
    await store.create(id, sample);
    const name = `projects/${PROJECT}/secrets/vault7-prod-eu-${id}`;
    expect(store.nameOf(id)).toBe(name);
    const [secret] = await raw.getSecret({ name }, noRetry);
    expect(secret.labels).toEqual({
      team: "payments",
      "coffer-deployment": "prod-eu",
      "coffer-secret-id": id,
    });
    expect(secret.replication?.automatic).toBeTruthy();
    await store.delete(id);
  });

  it("keeps regional secrets under projects/<project>/locations/<location>, without a replication policy", async () => {
    const store = open(target, { location: "europe-west1" });
    const id = newSecretId();
    await store.create(id, sample);
    const name = `projects/${PROJECT}/locations/europe-west1/secrets/coffer-test-deployment-${id}`;
    const [secret] = await raw.getSecret({ name }, noRetry);
    expect(secret.replication).toBeFalsy();
    expect(await store.get(id)).toEqual(sample);
    await store.update(id, { v: "2" });
    expect(await store.get(id)).toEqual({ v: "2" });
    await store.delete(id);
    await expect(raw.getSecret({ name }, noRetry)).rejects.toMatchObject({ code: 5 });
  });

  it("uses a hash for deployment ids GCP names and labels cannot hold, and keeps deployments apart", () => {
    expect(deploymentSlug("prod-eu_1")).toBe("prod-eu_1");
    for (const awkward of ["Prod.EU", "", "ünïcode", "a".repeat(64), `x${"0".repeat(24)}`]) {
      expect(deploymentSlug(awkward)).toMatch(/^x[0-9a-f]{24}$/);
    }
    // An id that looks like a hash is hashed too, so it can never equal another id's hash.
    const hashed = deploymentSlug("Prod.EU");
    expect(deploymentSlug(hashed)).not.toBe(hashed);
    expect(deploymentSlug("Prod.EU")).not.toBe(deploymentSlug("prod.eu"));
  });

  it("a deployment id with other characters still works end to end", async () => {
    const store = open(target, {}, "Team A / Prod");
    const id = newSecretId();
    await store.create(id, sample);
    const slug = deploymentSlug("Team A / Prod");
    const [secret] = await raw.getSecret({ name: store.nameOf(id) }, noRetry);
    expect(store.nameOf(id)).toBe(`projects/${PROJECT}/secrets/coffer-${slug}-${id}`);
    expect(secret.labels?.["coffer-deployment"]).toBe(slug);
    expect(await store.get(id)).toEqual(sample);
    await store.delete(id);
  });

  it("the payload is the values' JSON in an envelope naming its owner, sent with a CRC32C the service checked", async () => {
    const store = open(target);
    const id = newSecretId();
    await store.create(id, sample);
    const text = await accessRaw(store.nameOf(id));
    const envelope = JSON.parse(text) as { coffer: string; values: unknown };
    expect(Object.keys(envelope)).toEqual(["coffer", "values"]);
    expect(envelope.coffer).toMatch(/^v1:[0-9a-f]{32}$/);
    expect(envelope.values).toEqual(sample);
    const [version] = await raw.getSecretVersion({ name: `${store.nameOf(id)}/versions/1` }, noRetry);
    expect(version.clientSpecifiedPayloadChecksum).toBe(true);
    await store.delete(id);
  });

  it("declares Secret Manager's 65,536-byte payload limit less the envelope, and that fills a version exactly", async () => {
    const store = open(target);
    expect(store.capabilities().maxValueBytes).toBe(MAX_VALUE_BYTES);
    const id = newSecretId();
    const padding = MAX_VALUE_BYTES - JSON.stringify({ data: "" }).length;
    await store.create(id, { data: "x".repeat(padding) });
    const text = await accessRaw(store.nameOf(id));
    expect(Buffer.byteLength(text)).toBe(PAYLOAD_LIMIT_BYTES);
    await expect(store.update(id, { data: "x".repeat(padding + 1) })).rejects.toBeInstanceOf(
      ValueTooLargeError,
    );
    await store.delete(id);
  });

  it("works through its registration with only configuration: an insecure endpoint needs no credentials", async () => {
    const store = instantiateStore(gcpStore, storeOptions(target), contextFor("registered"));
    stores.push(store);
    await store.init();
    const id = newSecretId();
    await store.create(id, sample);
    expect(await store.get(id)).toEqual(sample);
    await store.delete(id);
  });
});

describe("what is not this deployment's is absent", () => {
  /** A secret under exactly the name the store would use, written by someone else. */
  async function plantForeign(name: string, labels: Record<string, string>, payload: string) {
    const slash = name.lastIndexOf("/secrets/");
    await raw.createSecret(
      {
        parent: name.slice(0, slash),
        secretId: name.slice(slash + "/secrets/".length),
        secret: { labels, replication: { automatic: {} } },
      },
      noRetry,
    );
    await raw.addSecretVersion({ parent: name, payload: { data: Buffer.from(payload) } }, noRetry);
  }

  it("a secret under its name with another deployment's labels is not read, updated, deleted or overwritten", async () => {
    const store = open(target);
    const id = newSecretId();
    const name = store.nameOf(id);
    await plantForeign(
      name,
      { "coffer-deployment": "someone-else", "coffer-secret-id": id },
      '{"password":"fake-foreign-1"}',
    );
    await expect(store.get(id)).rejects.toBeInstanceOf(SecretNotFoundError);
    expect((await store.getMany([id])).size).toBe(0);
    await expect(store.update(id, { password: "fake-mine" })).rejects.toBeInstanceOf(SecretNotFoundError);
    await expect(store.delete(id)).rejects.toBeInstanceOf(SecretNotFoundError);
    await expect(store.create(id, { password: "fake-mine" })).rejects.toBeInstanceOf(SecretExistsError);
    // Untouched: still one version, still the foreign payload.
    const [versions] = await raw.listSecretVersions({ parent: name }, noRetry);
    expect(versions).toHaveLength(1);
    expect(await accessRaw(name)).toBe('{"password":"fake-foreign-1"}');
    await raw.deleteSecret({ name }, noRetry);
  });

  it("a secret with no labels and a plain JSON payload is absent too", async () => {
    const store = open(target);
    const id = newSecretId();
    await plantForeign(store.nameOf(id), {}, '{"password":"fake-foreign-2"}');
    await expect(store.get(id)).rejects.toBeInstanceOf(SecretNotFoundError);
    await expect(store.delete(id)).rejects.toBeInstanceOf(SecretNotFoundError);
    await raw.deleteSecret({ name: store.nameOf(id) }, noRetry);
  });

  it("values copied from another secret are not returned: the payload is bound to its own secret id", async () => {
    const store = open(target);
    const [a, b] = [newSecretId(), newSecretId()];
    await store.create(a, { password: "fake-password-a" });
    await store.create(b, { password: "fake-password-b" });
    // Someone copies a's latest payload into b (labels on b are still right).
    await raw.addSecretVersion(
      {
        parent: store.nameOf(b),
        payload: { data: Buffer.from(await accessRaw(store.nameOf(a))) },
      },
      noRetry,
    );
    await expect(store.get(b)).rejects.toBeInstanceOf(SecretNotFoundError);
    expect(await store.get(a)).toEqual({ password: "fake-password-a" });
    await store.delete(a);
    await store.delete(b);
  });

  it("name collisions between prefixes and deployments are told apart by the labels", async () => {
    // namePrefix "coffer-a" + deployment "b" and namePrefix "coffer" + deployment "a-b" name the same secret.
    const first = open(target, { namePrefix: "coffer-a" }, "b");
    const second = open(target, { namePrefix: "coffer" }, "a-b");
    const id = newSecretId();
    expect(first.nameOf(id)).toBe(second.nameOf(id));
    await first.create(id, { password: "fake-first" });
    await expect(second.get(id)).rejects.toBeInstanceOf(SecretNotFoundError);
    await expect(second.delete(id)).rejects.toBeInstanceOf(SecretNotFoundError);
    await expect(second.create(id, { password: "fake-second" })).rejects.toBeInstanceOf(SecretExistsError);
    expect(await first.get(id)).toEqual({ password: "fake-first" });
    await first.delete(id);
  });

  it("two deployments in one project keep separate secrets for the same id", async () => {
    const blue = open(target, {}, "blue");
    const green = open(target, {}, "green");
    const id = newSecretId();
    await blue.create(id, { colour: "fake-blue" });
    await expect(green.get(id)).rejects.toBeInstanceOf(SecretNotFoundError);
    await green.create(id, { colour: "fake-green" });
    expect(await blue.get(id)).toEqual({ colour: "fake-blue" });
    expect(await green.get(id)).toEqual({ colour: "fake-green" });
    await blue.delete(id);
    expect(await green.get(id)).toEqual({ colour: "fake-green" });
    await green.delete(id);
  });
});
