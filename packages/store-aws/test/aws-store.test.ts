// What the conformance suite cannot see: where and how the store writes in Secrets Manager, that it
// ignores what it did not create, what each read costs, the delete policies, and outages.
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import {
  BackendUnavailableError,
  IntegrityError,
  instantiateStore,
  NotSupportedError,
  newSecretId,
  SecretExistsError,
  SecretNotFoundError,
} from "@coffer/core";
import { deploymentSlug } from "@coffer/store-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AwsStore, awsStore } from "../src/index.js";
import {
  type AwsBackend,
  contextFor,
  externalEndpoint,
  rawClient,
  startBackend,
  storeFor,
  storeOptions,
  uniqueDeployment,
} from "./helpers.js";

const DAY_MS = 86_400_000;

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

describe("naming and tags", () => {
  it("writes <namePrefix>/<deploymentId>/<id> with the values' JSON, ownership tags and the extra tags", async () => {
    const deployment = uniqueDeployment("naming");
    const store = storeFor(backend.endpoint, deployment, {
      extraTags: { team: "payments", "cost center": "42" },
      kmsKeyId: "alias/coffer-test",
    });
    await store.init();
    const id = newSecretId();
    const values = { username: "fake-user", password: "fake-password-1" };
    await store.create(id, values);

    const name = `coffer-test/${deployment}/${id}`;
    expect(store.nameOf(id)).toBe(name);
    const described = await raw.send(new DescribeSecretCommand({ SecretId: name }));
    expect(described.Name).toBe(name);
    expect(described.KmsKeyId).toBe("alias/coffer-test");
    expect(Object.fromEntries((described.Tags ?? []).map((tag) => [tag.Key, tag.Value]))).toEqual({
      "coffer-deployment": deployment,
      "coffer-secret-id": id,
      team: "payments",
      "cost center": "42",
    });
    const stored = await raw.send(new GetSecretValueCommand({ SecretId: name }));
    expect(stored.SecretString).toBe(JSON.stringify(values));
    await store.close();
  });

  it("slugs a deployment id that cannot be part of a secret name (the kit's one rule), end to end", async () => {
    for (const deploymentId of ["has space", "a/b"]) {
      const store = instantiateStore(
        awsStore,
        storeOptions(backend.endpoint),
        contextFor(deploymentId),
      ) as AwsStore;
      const id = newSecretId();
      expect(store.nameOf(id)).toBe(`coffer-test/${deploymentSlug(deploymentId, /(?!)/)}/${id}`);
      await store.create(id, { k: "fake" });
      expect(await store.get(id)).toEqual({ k: "fake" });
      await store.delete(id);
      await store.close();
    }
  });
});

describe("secrets Coffer did not create", () => {
  let deployment: string;
  let id: string;
  let name: string;
  beforeAll(async () => {
    deployment = uniqueDeployment("foreign");
    id = newSecretId();
    name = `coffer-test/${deployment}/${id}`;
    // Same name, but another deployment's tags: e.g. a copy, or a deployment id reused by mistake.
    await raw.send(
      new CreateSecretCommand({
        Name: name,
        SecretString: JSON.stringify({ owner: "fake-someone-else" }),
        Tags: [
          { Key: "coffer-deployment", Value: "another-deployment" },
          { Key: "coffer-secret-id", Value: id },
        ],
      }),
    );
  });

  it("are absent to get and getMany, whatever the name says", async () => {
    const store = storeFor(backend.endpoint, deployment);
    await expect(store.get(id)).rejects.toBeInstanceOf(SecretNotFoundError);
    const mine = newSecretId();
    await store.create(mine, { owner: "fake-me" });
    const found = await store.getMany([id, mine]);
    expect([...found.keys()]).toEqual([mine]);
    await store.delete(mine);
    await store.close();
  });

  it("are never clobbered: update and delete say not found, create says it exists, and the secret is untouched", async () => {
    const store = storeFor(backend.endpoint, deployment);
    await expect(store.update(id, { owner: "fake-me" })).rejects.toBeInstanceOf(SecretNotFoundError);
    await expect(store.delete(id)).rejects.toBeInstanceOf(SecretNotFoundError);
    await expect(store.create(id, { owner: "fake-me" })).rejects.toBeInstanceOf(SecretExistsError);
    const stored = await raw.send(new GetSecretValueCommand({ SecretId: name }));
    expect(stored.SecretString).toBe(JSON.stringify({ owner: "fake-someone-else" }));
    expect((await raw.send(new DescribeSecretCommand({ SecretId: name }))).DeletedDate).toBeUndefined();
    await store.close();
  });

  it("are absent when tagged by this deployment for another secret id (a value copied across ids)", async () => {
    const copied = newSecretId();
    await raw.send(
      new CreateSecretCommand({
        Name: `coffer-test/${deployment}/${copied}`,
        SecretString: JSON.stringify({ owner: "fake-other-id" }),
        Tags: [
          { Key: "coffer-deployment", Value: deployment },
          { Key: "coffer-secret-id", Value: newSecretId() },
        ],
      }),
    );
    const store = storeFor(backend.endpoint, deployment);
    await expect(store.get(copied)).rejects.toBeInstanceOf(SecretNotFoundError);
    await expect(store.update(copied, { owner: "fake-me" })).rejects.toBeInstanceOf(SecretNotFoundError);
    await store.close();
  });

  it("are absent when untagged too", async () => {
    const untagged = newSecretId();
    await raw.send(
      new CreateSecretCommand({
        Name: `coffer-test/${deployment}/${untagged}`,
        SecretString: JSON.stringify({ k: "fake" }),
      }),
    );
    const store = storeFor(backend.endpoint, deployment);
    await expect(store.get(untagged)).rejects.toBeInstanceOf(SecretNotFoundError);
    await store.close();
  });

  it("reports a secret of ours that holds something other than a values map as an IntegrityError", async () => {
    const store = storeFor(backend.endpoint, deployment);
    const mine = newSecretId();
    await store.create(mine, { k: "fake" });
    await raw.send(
      new PutSecretValueCommand({ SecretId: store.nameOf(mine), SecretString: '["not","a map"]' }),
    );
    await expect(store.get(mine)).rejects.toBeInstanceOf(IntegrityError);
    await store.delete(mine);
    await store.close();
  });
});

describe("what a read costs", () => {
  it("one GetSecretValue for a secret this process created; tags are fetched once per ARN otherwise", async () => {
    const deployment = uniqueDeployment("cost");
    const writer = storeFor(backend.endpoint, deployment, { forceDelete: true });
    const id = newSecretId();
    await writer.create(id, { k: "fake" });
    await writer.get(id);
    await writer.get(id);
    expect(writer.calls.GetSecretValue).toBe(2);
    expect(writer.calls.DescribeSecret).toBe(0);

    // A fresh process knows no ARN yet: the first read checks the tags, later ones do not.
    const reader = storeFor(backend.endpoint, deployment);
    await reader.get(id);
    await reader.get(id);
    expect(reader.calls.GetSecretValue).toBe(2);
    expect(reader.calls.DescribeSecret).toBe(1);

    // Deleted and created again, the secret has a new ARN: its tags are checked again.
    await writer.delete(id);
    await writer.create(id, { k: "fake-2" });
    expect(await reader.get(id)).toEqual({ k: "fake-2" });
    expect(reader.calls.DescribeSecret).toBe(2);
    await writer.delete(id);
    await writer.close();
    await reader.close();
  });

  it("getMany sends one BatchGetSecretValue per 20 ids", async () => {
    const deployment = uniqueDeployment("batch");
    const store = storeFor(backend.endpoint, deployment, { forceDelete: true });
    const ids = Array.from({ length: 45 }, () => newSecretId());
    await Promise.all(ids.map((id, i) => store.create(id, { i: String(i) })));
    const found = await store.getMany([...ids].reverse());
    expect(found.size).toBe(45);
    expect([...found.keys()]).toEqual([...ids].reverse());
    expect(store.calls.BatchGetSecretValue).toBe(3);
    expect(store.calls.DescribeSecret).toBe(0);
    await Promise.all(ids.map((id) => store.delete(id)));
    await store.close();
  });
});

// Recovery windows are days long: these tests move the emulator's clock, so they need the emulator.
describe.skipIf(externalEndpoint)("delete policies", () => {
  let clockBackend: AwsBackend;
  let now = Date.UTC(2026, 0, 15, 12);
  beforeAll(async () => {
    clockBackend = await startBackend({ clock: () => now });
  });
  afterAll(() => clockBackend.stop());

  it("by default schedules deletion with AWS's 30-day window, and restore brings the secret back", async () => {
    const store = storeFor(clockBackend.endpoint, "window-default");
    expect(store.capabilities().softDelete).toBe(true);
    const id = newSecretId();
    await store.create(id, { k: "fake-kept" });
    await store.delete(id);
    const described = await rawClient(clockBackend.endpoint).send(
      new DescribeSecretCommand({ SecretId: store.nameOf(id) }),
    );
    expect(described.DeletedDate).toBeInstanceOf(Date);
    now += 29 * DAY_MS;
    await store.restore(id);
    expect(await store.get(id)).toEqual({ k: "fake-kept" });
    await store.delete(id);
  });

  it("honours recoveryWindowDays: after the window the secret is gone for good", async () => {
    const store = storeFor(clockBackend.endpoint, "window-7", { recoveryWindowDays: 7 });
    const id = newSecretId();
    await store.create(id, { k: "fake" });
    await store.delete(id);
    now += 8 * DAY_MS;
    await expect(store.restore(id)).rejects.toBeInstanceOf(SecretNotFoundError);
    await store.create(id, { k: "fake-new" });
    expect(await store.get(id)).toEqual({ k: "fake-new" });
  });

  it("recreates over a name in its recovery window: restore, then the new value", async () => {
    const store = storeFor(clockBackend.endpoint, "recreate");
    const id = newSecretId();
    await store.create(id, { generation: "first" });
    await store.delete(id);
    await store.create(id, { generation: "second" });
    expect(await store.get(id)).toEqual({ generation: "second" });
    expect(store.calls.RestoreSecret).toBe(1);
    // It is an ordinary live secret again: it can be deleted and restored.
    await store.delete(id);
    await store.restore(id);
    expect(await store.get(id)).toEqual({ generation: "second" });
  });

  it("does not revive a deleted secret of another deployment by creating over it", async () => {
    const id = newSecretId();
    const name = `coffer-test/theirs/${id}`;
    const client = rawClient(clockBackend.endpoint);
    await client.send(
      new CreateSecretCommand({
        Name: name,
        SecretString: "{}",
        Tags: [{ Key: "coffer-deployment", Value: "someone-else" }],
      }),
    );
    await client.send(new DeleteSecretCommand({ SecretId: name }));
    const store = storeFor(clockBackend.endpoint, "theirs");
    await expect(store.create(id, { k: "fake" })).rejects.toBeInstanceOf(SecretExistsError);
    expect((await client.send(new DescribeSecretCommand({ SecretId: name }))).DeletedDate).toBeInstanceOf(
      Date,
    );
  });

  it("with forceDelete deletes at once, declares no softDelete, and restore is not supported", async () => {
    const store = storeFor(clockBackend.endpoint, "force", { forceDelete: true });
    expect(store.capabilities().softDelete).toBe(false);
    const id = newSecretId();
    await store.create(id, { k: "fake" });
    await store.delete(id);
    await expect(
      rawClient(clockBackend.endpoint).send(new DescribeSecretCommand({ SecretId: store.nameOf(id) })),
    ).rejects.toMatchObject({ name: "ResourceNotFoundException" });
    await expect(store.restore(id)).rejects.toBeInstanceOf(NotSupportedError);
    await store.create(id, { k: "fake-again" });
    expect(await store.get(id)).toEqual({ k: "fake-again" });
  });
});

// Faults are injected through the emulator's hooks.
describe.skipIf(externalEndpoint)("outages and throttling", () => {
  it("an outage is a quick, retryable BackendUnavailableError, and the same store recovers", async () => {
    const store = storeFor(backend.endpoint, uniqueDeployment("outage"));
    await store.init();
    const id = newSecretId();
    await store.create(id, { k: "fake" });
    await backend.emulator!.suspend();
    try {
      const started = performance.now();
      const error = await store.get(id).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(BackendUnavailableError);
      expect((error as BackendUnavailableError).retryable).toBe(true);
      expect(performance.now() - started).toBeLessThan(5_000);
      await expect(store.create(newSecretId(), { k: "fake" })).rejects.toBeInstanceOf(
        BackendUnavailableError,
      );
      const health = await store.health();
      expect(health).toMatchObject({ status: "error", errorCode: "BACKEND_UNAVAILABLE" });
    } finally {
      await backend.emulator!.resume();
    }
    expect(await store.get(id)).toEqual({ k: "fake" });
    expect((await store.health()).status).toBe("ready");
    await store.delete(id);
    await store.close();
  });

  it.each(["ThrottlingException", "InternalServiceError", "InternalFailure", "ServiceUnavailable"] as const)(
    "%s is a retryable BackendUnavailableError naming the code, not the values",
    async (kind) => {
      const store = storeFor(backend.endpoint, uniqueDeployment("faults"));
      const id = newSecretId();
      backend.emulator!.failNext(1, kind);
      const error = await store
        .create(id, { password: "fake-password-1" })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(BackendUnavailableError);
      expect((error as BackendUnavailableError).message).toContain(kind);
      expect((error as BackendUnavailableError).details).toMatchObject({ id, backendCode: kind });
      expect(JSON.stringify((error as BackendUnavailableError).toJSON())).not.toContain("fake-password-1");
      await store.close();
    },
  );

  it("lets the SDK retry when maxAttempts allows it", async () => {
    const store = storeFor(backend.endpoint, uniqueDeployment("retry"), { maxAttempts: 3 });
    const id = newSecretId();
    backend.emulator!.failNext(2, "InternalServiceError");
    await store.create(id, { k: "fake" });
    expect(await store.get(id)).toEqual({ k: "fake" });
    await store.delete(id);
    await store.close();
  });
});
