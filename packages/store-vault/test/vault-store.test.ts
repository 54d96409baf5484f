// What the conformance suite cannot see: where the store writes in Vault, that it ignores keys it
// did not create, max_versions, concurrent writers, namespaces and configuration pitfalls.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  BackendUnavailableError,
  IntegrityError,
  InvalidConfigError,
  instantiateStore,
  newSecretId,
  SecretExistsError,
  SecretNotFoundError,
} from "@coffer/core";
import { deploymentSlug } from "@coffer/store-kit";
import { OutageProxy } from "@coffer/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type VaultStore, vaultStore } from "../src/index.js";
import {
  contextFor,
  externalAddress,
  loopbackCertificate,
  rawClient,
  startBackend,
  statusOf,
  storeFor,
  storeOptions,
  uniqueDeployment,
  type VaultBackend,
  type VaultClient,
} from "./helpers.js";

let backend: VaultBackend;
let raw: VaultClient;
beforeAll(async () => {
  backend = await startBackend();
  raw = rawClient(backend);
});
afterAll(() => backend.stop());

describe("layout in Vault", () => {
  it("keeps the values as the KV data of <mount>/<pathPrefix>/<deploymentId>/<id>, ownership in custom_metadata", async () => {
    const deployment = uniqueDeployment("layout");
    const store = storeFor(backend, deployment, { maxVersions: 4 });
    await store.init();
    const id = newSecretId();
    const values = { username: "fake-user", password: "fake-password-1" };
    await store.create(id, values);

    expect(store.nameOf(id)).toBe(`coffer-test/${deployment}/${id}`);
    const data = await raw.read(`secret/data/coffer-test/${deployment}/${id}`);
    expect(data.data.data).toEqual(values);
    expect(data.data.metadata.version).toBe(1);
    const metadata = await raw.read(`secret/metadata/coffer-test/${deployment}/${id}`);
    expect(metadata.data.custom_metadata).toEqual({
      "coffer-deployment": deployment,
      "coffer-secret-id": id,
    });
    expect(metadata.data.max_versions).toBe(4);
    await store.close();
  });

  it("delete removes every version, and the id starts again at revision 1", async () => {
    const store = storeFor(backend, uniqueDeployment("delete"));
    const id = newSecretId();
    await store.create(id, { v: "1" });
    await store.update(id, { v: "2" });
    await store.delete(id);
    expect(await statusOf(raw.read(`secret/metadata/${store.nameOf(id)}`))).toBe(404);
    await expect(store.getRevision(id, 1)).rejects.toBeInstanceOf(SecretNotFoundError);
    await store.create(id, { v: "new" });
    expect(await store.currentRevision(id)).toBe(1);
    await store.delete(id);
    await store.close();
  });
});

describe("keys Coffer did not create", () => {
  let deployment: string;
  beforeAll(() => {
    deployment = uniqueDeployment("foreign");
  });

  it("are absent, never overwritten or deleted, and block a create", async () => {
    const store = storeFor(backend, deployment);
    const untagged = newSecretId();
    const otherOwner = newSecretId();
    await raw.write(`secret/data/${store.nameOf(untagged)}`, { data: { owner: "fake-someone-else" } });
    await raw.write(`secret/data/${store.nameOf(otherOwner)}`, { data: { owner: "fake-someone-else" } });
    await raw.write(`secret/metadata/${store.nameOf(otherOwner)}`, {
      custom_metadata: { "coffer-deployment": "another-deployment", "coffer-secret-id": otherOwner },
    });

    for (const id of [untagged, otherOwner]) {
      await expect(store.get(id)).rejects.toBeInstanceOf(SecretNotFoundError);
      expect((await store.getMany([id])).size).toBe(0);
      await expect(store.currentRevision(id)).rejects.toBeInstanceOf(SecretNotFoundError);
      await expect(store.getRevision(id, 1)).rejects.toBeInstanceOf(SecretNotFoundError);
      await expect(store.update(id, { owner: "fake-me" })).rejects.toBeInstanceOf(SecretNotFoundError);
      await expect(store.delete(id)).rejects.toBeInstanceOf(SecretNotFoundError);
      await expect(store.create(id, { owner: "fake-me" })).rejects.toBeInstanceOf(SecretExistsError);
      const kept = await raw.read(`secret/data/${store.nameOf(id)}`);
      expect(kept.data.data).toEqual({ owner: "fake-someone-else" });
      expect(kept.data.metadata.version).toBe(1);
    }
    await store.close();
  });

  it("reports a key of ours holding something other than string values as an IntegrityError", async () => {
    const store = storeFor(backend, deployment);
    const id = newSecretId();
    await store.create(id, { k: "fake" });
    await raw.write(`secret/data/${store.nameOf(id)}`, { data: { nested: { not: "a string" } } });
    await expect(store.get(id)).rejects.toBeInstanceOf(IntegrityError);
    await store.delete(id);
    await store.close();
  });

  it("treats a key whose latest version was soft-deleted by hand as absent, yet lets Coffer delete it", async () => {
    const store = storeFor(backend, deployment);
    const id = newSecretId();
    await store.create(id, { k: "fake" });
    await raw.delete(`secret/data/${store.nameOf(id)}`);
    await expect(store.get(id)).rejects.toBeInstanceOf(SecretNotFoundError);
    await expect(store.update(id, { k: "x" })).rejects.toBeInstanceOf(SecretNotFoundError);
    await store.delete(id);
    expect(await statusOf(raw.read(`secret/metadata/${store.nameOf(id)}`))).toBe(404);
    await store.close();
  });
});

// Faults come from a cutting proxy in front of the emulator (the emulator's own hooks cannot fail
// the second request of a call).
describe.skipIf(externalAddress)("creates cut off by an outage", () => {
  let proxy: OutageProxy;
  beforeAll(async () => {
    proxy = await OutageProxy.start(backend.address);
  });
  afterAll(() => proxy?.stop());

  const isDataWrite = (request: { method: string; url: string }) =>
    request.method === "POST" && request.url.includes("/secret/data/");

  it("before the values arrive: an empty key of ours is left, absent to reads, taken over by a create of the same id", async () => {
    const store = storeFor({ address: proxy.url, token: backend.token }, uniqueDeployment("cut-before"));
    const id = newSecretId();
    proxy.cutAt("before", isDataWrite);
    await expect(store.create(id, { k: "fake-cut" })).rejects.toBeInstanceOf(BackendUnavailableError);
    proxy.restore();

    const metadata = (await raw.read(`secret/metadata/${store.nameOf(id)}`)).data;
    expect(metadata.custom_metadata).toMatchObject({ "coffer-secret-id": id });
    expect(metadata.current_version).toBe(0);
    expect(await statusOf(raw.read(`secret/data/${store.nameOf(id)}`))).toBe(404);
    await expect(store.get(id)).rejects.toBeInstanceOf(SecretNotFoundError);
    await store.create(id, { k: "fake-again" });
    expect(await store.get(id)).toEqual({ k: "fake-again" });
    expect(await store.currentRevision(id)).toBe(1);
    await store.delete(id);
    await store.close();
  });

  it("after the values arrived, with the answer lost: the values are under a key of ours, never a stranded one", async () => {
    const store = storeFor({ address: proxy.url, token: backend.token }, uniqueDeployment("cut-after"));
    const id = newSecretId();
    proxy.cutAt("after", isDataWrite);
    await expect(store.create(id, { k: "fake-landed" })).rejects.toBeInstanceOf(BackendUnavailableError);
    proxy.restore();

    // The store could not take the key back (the outage went on), but it is Coffer's: readable,
    // and removable by Coffer.
    expect((await raw.read(`secret/metadata/${store.nameOf(id)}`)).data.custom_metadata).toMatchObject({
      "coffer-secret-id": id,
    });
    expect(await store.get(id)).toEqual({ k: "fake-landed" });
    await store.delete(id);
    expect(await statusOf(raw.read(`secret/metadata/${store.nameOf(id)}`))).toBe(404);
    await store.close();
  });
});

// An https front (the cutting proxy, serving TLS) before the emulator, which speaks plain HTTP.
describe.skipIf(externalAddress)("TLS", () => {
  let proxy: OutageProxy;
  let cert: string;
  beforeAll(async () => {
    const material = await loopbackCertificate();
    cert = material.cert;
    proxy = await OutageProxy.start(backend.address, material);
  });
  afterAll(() => proxy?.stop());

  it("trusts the CA in tlsCa (PEM or @file), and keeps one connection for its requests", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "coffer-vault-tls-")), "ca.pem");
    writeFileSync(file, cert);
    for (const tlsCa of [cert, `@${file}`]) {
      const store = storeFor({ address: proxy.url, token: backend.token }, uniqueDeployment("tls"), {
        tlsCa,
      });
      const before = proxy.connections;
      await store.init();
      const id = newSecretId();
      await store.create(id, { k: "fake-over-tls" });
      for (let i = 0; i < 10; i++) expect(await store.get(id)).toEqual({ k: "fake-over-tls" });
      await store.delete(id);
      // 16 requests in turn: one TLS handshake, not one per request.
      expect(proxy.connections - before).toBe(1);
      await store.close();
    }
  });

  it("refuses a server whose certificate the CA did not sign, as InvalidConfigError", async () => {
    const stranger = await loopbackCertificate();
    const store = storeFor({ address: proxy.url, token: backend.token }, "tls-stranger", {
      tlsCa: stranger.cert,
    });
    await expect(store.init()).rejects.toBeInstanceOf(InvalidConfigError);
    const untrusting = storeFor({ address: proxy.url, token: backend.token }, "tls-none");
    await expect(untrusting.init()).rejects.toBeInstanceOf(InvalidConfigError);
  });
});

describe("versions", () => {
  it("keeps maxVersions revisions per secret", async () => {
    const store = storeFor(backend, uniqueDeployment("maxversions"), { maxVersions: 2 });
    const id = newSecretId();
    await store.create(id, { v: "1" });
    await store.update(id, { v: "2" });
    await store.update(id, { v: "3" });
    expect(await store.currentRevision(id)).toBe(3);
    await expect(store.getRevision(id, 1)).rejects.toBeInstanceOf(SecretNotFoundError);
    expect(await store.getRevision(id, 2)).toEqual({ v: "2" });
    expect(await store.getRevision(id, 3)).toEqual({ v: "3" });
    await expect(store.getRevision(id, 0)).rejects.toBeInstanceOf(SecretNotFoundError);
    await expect(store.getRevision(id, 1.5)).rejects.toBeInstanceOf(SecretNotFoundError);
    await store.delete(id);
    await store.close();
  });

  it("a pruned revision is 'no revision n' with the hint that says what is kept, not a missing secret", async () => {
    const store = storeFor(backend, uniqueDeployment("pruned"), { maxVersions: 1 });
    const id = newSecretId();
    await store.create(id, { v: "1" });
    await store.update(id, { v: "2" });
    const pruned = await store.getRevision(id, 1).catch((error: unknown) => error);
    expect(pruned).toBeInstanceOf(SecretNotFoundError);
    expect(pruned).toMatchObject({
      message: `The secret ${id} has no revision 1.`,
      hint: "Older revisions are pruned beyond the key's max_versions; currentRevision gives the latest.",
    });
    await store.delete(id);
    await store.close();
  });

  it("keeps 10 revisions by default: the 11th write prunes revision 1", async () => {
    const store = storeFor(backend, uniqueDeployment("default-retention"));
    const id = newSecretId();
    await store.create(id, { v: "1" });
    for (let revision = 2; revision <= 11; revision++) await store.update(id, { v: String(revision) });
    expect(await store.currentRevision(id)).toBe(11);
    await expect(store.getRevision(id, 1)).rejects.toBeInstanceOf(SecretNotFoundError);
    expect(await store.getRevision(id, 2)).toEqual({ v: "2" });
    const metadata = await rawClient(backend).read(`secret/metadata/${store.nameOf(id)}`);
    expect(metadata.data.max_versions).toBe(10);
    await store.delete(id);
    await store.close();
  });

  // Vault keeps the larger of the key's and the mount's max_versions (vault-plugin-secrets-kv,
  // KeyMetadata.AddVersion); the README says so, and this pins it. Needs its own mount.
  it.skipIf(externalAddress)("cannot keep fewer versions than the mount's max_versions", async () => {
    const own = await startBackend({ mounts: ["kv"] });
    try {
      await rawClient(own).write("kv/config", { max_versions: 4 });
      const store = storeFor(own, "mount-wins", { mount: "kv", maxVersions: 2 });
      const id = newSecretId();
      await store.create(id, { v: "1" });
      for (const v of ["2", "3", "4"]) await store.update(id, { v });
      expect(await store.getRevision(id, 1)).toEqual({ v: "1" });
      await store.close();
    } finally {
      await own.stop();
    }
  });

  it("plain updates from concurrent writers all land, one revision each", async () => {
    const store = storeFor(backend, uniqueDeployment("concurrent"));
    const id = newSecretId();
    await store.create(id, { v: "0" });
    await Promise.all(["1", "2", "3"].map((v) => store.update(id, { v })));
    expect(await store.currentRevision(id)).toBe(4);
    await store.delete(id);
    await store.close();
  });
});

describe("configuration", () => {
  it("slugs a deployment id that cannot be a path segment (the kit's one rule), end to end", async () => {
    for (const deploymentId of ["..", "a/b", "has space", ""]) {
      const store = instantiateStore(
        vaultStore,
        storeOptions(backend),
        contextFor(deploymentId),
      ) as VaultStore;
      const id = newSecretId();
      expect(store.nameOf(id)).toBe(`coffer-test/${deploymentSlug(deploymentId, /(?!)/)}/${id}`);
      await store.create(id, { k: "fake" });
      expect(await store.get(id)).toEqual({ k: "fake" });
      await store.delete(id);
      await store.close();
    }
  });

  it("ignores VAULT_TOKEN, VAULT_NAMESPACE and VAULT_PREFIX: its options are the whole configuration", async () => {
    const saved = { ...process.env };
    process.env.VAULT_TOKEN = "not-a-real-token";
    process.env.VAULT_NAMESPACE = "somewhere-else";
    process.env.VAULT_PREFIX = "/elsewhere";
    try {
      const store = storeFor(backend, uniqueDeployment("env"));
      const id = newSecretId();
      await store.create(id, { k: "fake" });
      expect((await raw.read(`secret/data/${store.nameOf(id)}`)).data.data).toEqual({ k: "fake" });
      await store.delete(id);
      await store.close();
    } finally {
      process.env = saved;
    }
  });

  it.skipIf(externalAddress)("reports a mount that does not exist as an InvalidConfigError", async () => {
    const store = storeFor(backend, "no-mount", { mount: "nothing-here" });
    await expect(store.init()).rejects.toBeInstanceOf(InvalidConfigError);
    expect(await store.health()).toMatchObject({ status: "error", errorCode: "INVALID_CONFIG" });
  });

  it.skipIf(externalAddress)("keeps each namespace's secrets in that namespace", async () => {
    const inTeam = storeFor(backend, "namespaced", { namespace: "team-a" });
    const id = newSecretId();
    await inTeam.create(id, { k: "fake" });
    expect((await rawClient(backend, "team-a").read(`secret/data/${inTeam.nameOf(id)}`)).data.data).toEqual({
      k: "fake",
    });
    expect(await statusOf(raw.read(`secret/data/${inTeam.nameOf(id)}`))).toBe(404);
    await expect(storeFor(backend, "namespaced").get(id)).rejects.toBeInstanceOf(SecretNotFoundError);
    await inTeam.delete(id);
    await inTeam.close();
  });
});
