// History on Secrets Manager: revisions as `coffer-r<n>` staging labels, retention by taking the
// label off, a recreated secret starting at revision 1, and what a foreign version is.
import {
  DescribeSecretCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { newSecretId, SecretNotFoundError } from "@coffer/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsStoreOptions } from "../src/index.js";
import { type AwsBackend, rawClient, startBackend, storeFor, uniqueDeployment } from "./helpers.js";

let backend: AwsBackend;
let raw: SecretsManagerClient;
beforeAll(async () => {
  backend = await startBackend();
  raw = rawClient(backend.endpoint);
});
afterAll(async () => {
  raw?.destroy();
  await backend.stop();
});

/** The coffer revision labels on the secret's versions, sorted. */
async function revisionLabels(name: string): Promise<string[]> {
  const described = await raw.send(new DescribeSecretCommand({ SecretId: name }));
  return Object.values(described.VersionIdsToStages ?? {})
    .flat()
    .filter((stage) => stage.startsWith("coffer-r"))
    .sort();
}

describe("history", () => {
  it("labels each revision; one older than maxVersions loses its label and is SecretNotFoundError", async () => {
    const store = storeFor(backend.endpoint, uniqueDeployment("history"), { maxVersions: 3 });
    const id = newSecretId();
    await store.create(id, { v: "1" });
    expect(await store.currentRevision(id)).toBe(1);
    expect(await store.getRevision(id, 1)).toEqual({ v: "1" });
    for (const v of ["2", "3", "4"]) await store.update(id, { v });
    expect(await store.currentRevision(id)).toBe(4);
    expect(await revisionLabels(store.nameOf(id))).toEqual(["coffer-r2", "coffer-r3", "coffer-r4"]);
    await expect(store.getRevision(id, 1)).rejects.toBeInstanceOf(SecretNotFoundError);
    for (const v of [2, 3, 4]) expect(await store.getRevision(id, v)).toEqual({ v: String(v) });
    for (const never of [5, 0, 1.5]) {
      await expect(store.getRevision(id, never)).rejects.toBeInstanceOf(SecretNotFoundError);
    }
    await store.delete(id);
    await expect(store.getRevision(id, 4)).rejects.toBeInstanceOf(SecretNotFoundError);
    await expect(store.currentRevision(id)).rejects.toBeInstanceOf(SecretNotFoundError);
    await store.close();
  });

  it("a create is one CreateSecret; the first update labels revision 1 before it moves AWSCURRENT", async () => {
    const store = storeFor(backend.endpoint, uniqueDeployment("history-first"));
    const id = newSecretId();
    await store.create(id, { v: "fake-1" });
    expect(store.calls.CreateSecret).toBe(1);
    expect(store.calls.UpdateSecretVersionStage).toBe(0);
    // Never updated: no label, and its current version is revision 1.
    expect(await revisionLabels(store.nameOf(id))).toEqual([]);
    expect(await store.currentRevision(id)).toBe(1);
    expect(await store.getRevision(id, 1)).toEqual({ v: "fake-1" });
    await expect(store.getRevision(id, 2)).rejects.toBeInstanceOf(SecretNotFoundError);
    await store.update(id, { v: "fake-2" });
    expect(store.calls.UpdateSecretVersionStage).toBe(1);
    expect(await revisionLabels(store.nameOf(id))).toEqual(["coffer-r1", "coffer-r2"]);
    expect(await store.getRevision(id, 1)).toEqual({ v: "fake-1" });
    expect(await store.getRevision(id, 2)).toEqual({ v: "fake-2" });
    // Later updates do not label again.
    await store.update(id, { v: "fake-3" });
    expect(store.calls.UpdateSecretVersionStage).toBe(1);
    // Once AWSCURRENT is labelled, an unlabelled older version is never taken for revision 1.
    await store.update(id, { v: "fake-4" });
    await store.update(id, { v: "fake-5" });
    await store.delete(id);
    await store.close();
  });

  it("with maxVersions 1, the first update does not label revision 1 only to take the label off", async () => {
    const store = storeFor(backend.endpoint, uniqueDeployment("history-one"), { maxVersions: 1 });
    const id = newSecretId();
    await store.create(id, { v: "fake-1" });
    await store.update(id, { v: "fake-2" });
    expect(store.calls.UpdateSecretVersionStage).toBe(0);
    expect(await revisionLabels(store.nameOf(id))).toEqual(["coffer-r2"]);
    // AWSCURRENT is labelled revision 2 now, so the old version is not revision 1 any more.
    await expect(store.getRevision(id, 1)).rejects.toBeInstanceOf(SecretNotFoundError);
    expect(await store.getRevision(id, 2)).toEqual({ v: "fake-2" });
    // A version written by hand is unlabelled, but the secret has labels: it is not revision 1.
    await raw.send(
      new PutSecretValueCommand({ SecretId: store.nameOf(id), SecretString: '{"v":"fake-by-hand"}' }),
    );
    await expect(store.getRevision(id, 1)).rejects.toBeInstanceOf(SecretNotFoundError);
    await store.delete(id);
    await store.close();
  });

  it("keeps 10 revisions by default, and refuses more than the label quota allows", async () => {
    const store = storeFor(backend.endpoint, uniqueDeployment("history-default"));
    const id = newSecretId();
    await store.create(id, { v: "1" });
    for (let v = 2; v <= 11; v++) await store.update(id, { v: String(v) });
    expect(await revisionLabels(store.nameOf(id))).toHaveLength(10);
    await expect(store.getRevision(id, 1)).rejects.toBeInstanceOf(SecretNotFoundError);
    expect(await store.getRevision(id, 2)).toEqual({ v: "2" });
    await store.delete(id);
    await store.close();
    expect(awsStoreOptions.safeParse({ region: "us-east-1", maxVersions: 17 }).success).toBe(true);
    expect(awsStoreOptions.safeParse({ region: "us-east-1", maxVersions: 18 }).success).toBe(false);
  });

  it("a secret created again over its deleted self starts at revision 1, without the old revisions", async () => {
    const store = storeFor(backend.endpoint, uniqueDeployment("history-recreate"));
    const id = newSecretId();
    await store.create(id, { v: "old-1" });
    await store.update(id, { v: "old-2" });
    await store.update(id, { v: "old-3" });
    await store.delete(id);
    await store.create(id, { v: "new-1" });
    expect(await store.currentRevision(id)).toBe(1);
    expect(await store.getRevision(id, 1)).toEqual({ v: "new-1" });
    await expect(store.getRevision(id, 2)).rejects.toBeInstanceOf(SecretNotFoundError);
    await store.update(id, { v: "new-2" });
    expect(await store.getRevision(id, 2)).toEqual({ v: "new-2" });
    expect(await revisionLabels(store.nameOf(id))).toEqual(["coffer-r1", "coffer-r2"]);
    await store.close();
  });

  it("a version written by hand is no revision of Coffer's, and the next update labels past it", async () => {
    const store = storeFor(backend.endpoint, uniqueDeployment("history-foreign"));
    const id = newSecretId();
    await store.create(id, { v: "1" });
    await raw.send(
      new PutSecretValueCommand({ SecretId: store.nameOf(id), SecretString: '{"v":"fake-by-hand"}' }),
    );
    // AWSCURRENT moved to an unlabelled version: it counts as revision 1 (history starts there).
    expect(await store.currentRevision(id)).toBe(1);
    await store.update(id, { v: "2" });
    expect(await store.currentRevision(id)).toBe(2);
    expect(await store.getRevision(id, 2)).toEqual({ v: "2" });
    await store.delete(id);
    await store.close();
  });
});
