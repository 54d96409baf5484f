// GCP Secret Manager emulator, secrets: driven by the official client over gRPC.
import type { SecretManagerServiceClient } from "@google-cloud/secret-manager";
import { grpc } from "google-gax";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GcpEmulator } from "../src/gcp/index.js";
import { startEmulatorAndClient, stopEmulatorAndClient } from "./gcp-helpers.js";

let emulator: GcpEmulator;
let client: SecretManagerServiceClient;
const project = "projects/emu-test";
let counter = 0;
const uniqueId = (prefix = "s") => `${prefix}-${Date.now().toString(36)}-${++counter}`;

beforeAll(async () => {
  ({ emulator, client } = await startEmulatorAndClient());
});
afterAll(() => stopEmulatorAndClient(emulator, client));

async function createSecret(secretId = uniqueId(), extra: Record<string, unknown> = {}) {
  const [secret] = await client.createSecret({
    parent: project,
    secretId,
    secret: { replication: { automatic: {} }, ...extra },
  });
  return secret;
}

/** The gRPC status code a rejected call carries. */
async function codeOf(call: Promise<unknown>): Promise<number | undefined> {
  try {
    await call;
  } catch (error) {
    return (error as { code?: number }).code;
  }
  throw new Error("expected the call to fail");
}

describe("CreateSecret", () => {
  it("returns the secret with its full name, create_time, etag, labels, annotations and replication", async () => {
    const before = Date.now();
    const secret = await createSecret("db-password", {
      labels: { env: "prod", team: "core" },
      annotations: { "owner.example.com_contact": "ops" },
    });
    expect(secret.name).toBe(`${project}/secrets/db-password`);
    expect(secret.labels).toEqual({ env: "prod", team: "core" });
    expect(secret.annotations).toEqual({ "owner.example.com_contact": "ops" });
    expect(secret.replication?.automatic).toBeTruthy();
    expect(secret.etag).toMatch(/^".+"$/);
    const createdMs =
      Number(secret.createTime?.seconds) * 1000 + Math.floor((secret.createTime?.nanos ?? 0) / 1e6);
    expect(createdMs).toBeGreaterThanOrEqual(before - 1);
    expect(createdMs).toBeLessThanOrEqual(Date.now() + 1);
  });

  it("keeps a user-managed replication policy as given", async () => {
    const [secret] = await client.createSecret({
      parent: project,
      secretId: uniqueId(),
      secret: {
        replication: { userManaged: { replicas: [{ location: "us-east1" }, { location: "europe-west1" }] } },
      },
    });
    expect(secret.replication?.userManaged?.replicas?.map((r) => r.location)).toEqual([
      "us-east1",
      "europe-west1",
    ]);
  });

  it("creating an existing secret id is ALREADY_EXISTS", async () => {
    const id = uniqueId();
    await createSecret(id);
    expect(await codeOf(createSecret(id))).toBe(grpc.status.ALREADY_EXISTS);
  });

  it("a secret id longer than 255 characters or with other characters is INVALID_ARGUMENT", async () => {
    expect(await codeOf(createSecret("a".repeat(256)))).toBe(grpc.status.INVALID_ARGUMENT);
    expect(await codeOf(createSecret("has.dot"))).toBe(grpc.status.INVALID_ARGUMENT);
    expect((await createSecret(`A_b-9${"x".repeat(250)}`)).name).toContain("/secrets/A_b-9");
  });

  it("a global secret without a replication policy is INVALID_ARGUMENT", async () => {
    const call = client.createSecret({ parent: project, secretId: uniqueId(), secret: {} });
    expect(await codeOf(call)).toBe(grpc.status.INVALID_ARGUMENT);
  });

  it("user-managed replication with no replicas is INVALID_ARGUMENT", async () => {
    const call = client.createSecret({
      parent: project,
      secretId: uniqueId(),
      secret: { replication: { userManaged: { replicas: [] } } },
    });
    expect(await codeOf(call)).toBe(grpc.status.INVALID_ARGUMENT);
  });

  it("label keys must start with a lowercase letter and stay within 63 characters", async () => {
    expect(await codeOf(createSecret(uniqueId(), { labels: { Env: "prod" } }))).toBe(
      grpc.status.INVALID_ARGUMENT,
    );
    expect(await codeOf(createSecret(uniqueId(), { labels: { "1env": "prod" } }))).toBe(
      grpc.status.INVALID_ARGUMENT,
    );
    expect(await codeOf(createSecret(uniqueId(), { labels: { ["k".repeat(64)]: "v" } }))).toBe(
      grpc.status.INVALID_ARGUMENT,
    );
    expect((await createSecret(uniqueId(), { labels: { ["k".repeat(63)]: "" } })).labels).toHaveProperty(
      "k".repeat(63),
    );
  });

  it("label values are lowercase and at most 63 characters", async () => {
    expect(await codeOf(createSecret(uniqueId(), { labels: { env: "Prod" } }))).toBe(
      grpc.status.INVALID_ARGUMENT,
    );
    expect(await codeOf(createSecret(uniqueId(), { labels: { env: "v".repeat(64) } }))).toBe(
      grpc.status.INVALID_ARGUMENT,
    );
  });

  it("more than 64 labels is INVALID_ARGUMENT", async () => {
    const labels = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, "v"]));
    expect(await codeOf(createSecret(uniqueId(), { labels }))).toBe(grpc.status.INVALID_ARGUMENT);
    delete labels.k64;
    expect(Object.keys((await createSecret(uniqueId(), { labels })).labels ?? {})).toHaveLength(64);
  });

  it("annotation keys must begin and end with an alphanumeric character", async () => {
    expect(await codeOf(createSecret(uniqueId(), { annotations: { "-bad": "x" } }))).toBe(
      grpc.status.INVALID_ARGUMENT,
    );
    expect(await codeOf(createSecret(uniqueId(), { annotations: { "bad.": "x" } }))).toBe(
      grpc.status.INVALID_ARGUMENT,
    );
  });

  it("annotations totalling 16 KiB or more are INVALID_ARGUMENT", async () => {
    const annotations = { big: "x".repeat(16 * 1024) };
    expect(await codeOf(createSecret(uniqueId(), { annotations }))).toBe(grpc.status.INVALID_ARGUMENT);
  });

  it("a parent that is not projects/* or projects/*/locations/* is INVALID_ARGUMENT", async () => {
    const call = client.createSecret({
      parent: "folders/1",
      secretId: uniqueId(),
      secret: { replication: { automatic: {} } },
    });
    expect(await codeOf(call)).toBe(grpc.status.INVALID_ARGUMENT);
  });

  it("regional secrets live under projects/*/locations/* and take no replication policy", async () => {
    const parent = `${project}/locations/us-central1`;
    const [secret] = await client.createSecret({ parent, secretId: "regional-one", secret: {} });
    expect(secret.name).toBe(`${parent}/secrets/regional-one`);
    const withReplication = client.createSecret({
      parent,
      secretId: uniqueId(),
      secret: { replication: { automatic: {} } },
    });
    expect(await codeOf(withReplication)).toBe(grpc.status.INVALID_ARGUMENT);
    const [regionalList] = await client.listSecrets({ parent });
    expect(regionalList.map((s) => s.name)).toEqual([secret.name]);
    const [globalList] = await client.listSecrets({ parent: project, filter: "name:regional-one" });
    expect(globalList).toEqual([]);
  });

  it("a ttl sets expire_time, and the secret disappears once it passes", async () => {
    const [secret] = await client.createSecret({
      parent: project,
      secretId: uniqueId(),
      secret: { replication: { automatic: {} }, ttl: { seconds: 1 } },
    });
    const expireMs = Number(secret.expireTime?.seconds) * 1000;
    expect(expireMs).toBeGreaterThan(Date.now() - 1000);
    await new Promise((r) => setTimeout(r, 1200));
    expect(await codeOf(client.getSecret({ name: secret.name }))).toBe(grpc.status.NOT_FOUND);
  });

  it("an expire_time in the past is INVALID_ARGUMENT", async () => {
    const call = createSecret(uniqueId(), { expireTime: { seconds: Math.floor(Date.now() / 1000) - 60 } });
    expect(await codeOf(call)).toBe(grpc.status.INVALID_ARGUMENT);
  });
});

describe("GetSecret", () => {
  it("returns what CreateSecret stored", async () => {
    const created = await createSecret(uniqueId(), { labels: { a: "b" } });
    const [got] = await client.getSecret({ name: created.name });
    expect(got).toEqual(created);
  });

  it("a missing secret is NOT_FOUND", async () => {
    expect(await codeOf(client.getSecret({ name: `${project}/secrets/nope` }))).toBe(grpc.status.NOT_FOUND);
  });
});

describe("ListSecrets", () => {
  const parent = "projects/list-test";
  const names: string[] = [];

  beforeAll(async () => {
    const make = async (secretId: string, labels: Record<string, string>) => {
      const [s] = await client.createSecret({
        parent,
        secretId,
        secret: { replication: { automatic: {} }, labels },
      });
      names.push(s.name!);
    };
    await make("alpha-db", { env: "prod", team: "core" });
    await make("beta-db", { env: "dev" });
    await make("gamma-api", { env: "prod" });
    await make("APIKEY-blue-production", { team: "edge" });
    await make("delta-cache", {});
  });

  it("lists newest first and counts total_size", async () => {
    const [secrets, , response] = await client.listSecrets({ parent }, { autoPaginate: false });
    expect(secrets.map((s) => s.name)).toEqual([...names].reverse());
    expect(response?.totalSize).toBe(5);
  });

  it("page_size and page_token walk every secret exactly once", async () => {
    const seen: string[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const [page, , response] = await client.listSecrets(
        { parent, pageSize: 2, pageToken },
        { autoPaginate: false },
      );
      seen.push(...page.map((s) => s.name!));
      pageToken = response?.nextPageToken || undefined;
      pages++;
    } while (pageToken && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual([...names].reverse());
  });

  it("a page token stays valid when a secret is created between pages", async () => {
    const scratch = "projects/list-scratch";
    for (const id of ["one", "two", "three"]) {
      await client.createSecret({
        parent: scratch,
        secretId: id,
        secret: { replication: { automatic: {} } },
      });
    }
    const [first, , r1] = await client.listSecrets({ parent: scratch, pageSize: 2 }, { autoPaginate: false });
    await client.createSecret({
      parent: scratch,
      secretId: "four",
      secret: { replication: { automatic: {} } },
    });
    const [second] = await client.listSecrets(
      { parent: scratch, pageSize: 2, pageToken: r1?.nextPageToken ?? "" },
      { autoPaginate: false },
    );
    expect([...first, ...second].map((s) => s.name?.split("/").pop())).toEqual(["three", "two", "one"]);
  });

  it("a garbage page_token is INVALID_ARGUMENT", async () => {
    const call = client.listSecrets({ parent, pageToken: "not-a-token" }, { autoPaginate: false });
    expect(await codeOf(call)).toBe(grpc.status.INVALID_ARGUMENT);
  });

  it("a negative page_size is INVALID_ARGUMENT", async () => {
    expect(await codeOf(client.listSecrets({ parent, pageSize: -1 }, { autoPaginate: false }))).toBe(
      grpc.status.INVALID_ARGUMENT,
    );
  });

  const ids = async (filter: string) => {
    const [secrets, , response] = await client.listSecrets({ parent, filter }, { autoPaginate: false });
    expect(response?.totalSize).toBe(0); // "0 when the filter field is set"
    return secrets.map((s) => s.name?.split("/").pop()).sort();
  };

  it("filter name:<text> matches secrets whose name contains the text", async () => {
    expect(await ids("name:db")).toEqual(["alpha-db", "beta-db"]);
  });

  it("filter name with a * wildcard matches a pattern inside the name", async () => {
    expect(await ids("name:APIKEY*production")).toEqual(["APIKEY-blue-production"]);
  });

  it("filter labels.<key>=<value> matches that label exactly", async () => {
    expect(await ids("labels.env=prod")).toEqual(["alpha-db", "gamma-api"]);
  });

  it("filter labels.<key>:* matches secrets that have the label at all", async () => {
    expect(await ids("labels.team:*")).toEqual(["APIKEY-blue-production", "alpha-db"]);
  });

  it("filter terms combine with AND, OR, NOT and parentheses", async () => {
    expect(await ids("labels.env=prod AND name:db")).toEqual(["alpha-db"]);
    expect(await ids("labels.env=prod name:api")).toEqual(["gamma-api"]);
    expect(await ids("name:alpha OR name:beta")).toEqual(["alpha-db", "beta-db"]);
    expect(await ids("NOT labels.env:*")).toEqual(["APIKEY-blue-production", "delta-cache"]);
    expect(await ids("-labels.env:* AND (labels.team=edge OR name:delta)")).toEqual([
      "APIKEY-blue-production",
      "delta-cache",
    ]);
    expect(await ids("labels.env:(dev OR prod) AND NOT name:gamma")).toEqual(["alpha-db", "beta-db"]);
  });

  it("filter on create_time compares RFC 3339 timestamps", async () => {
    const [all] = await client.listSecrets({ parent });
    const third = all.find((s) => s.name?.endsWith("/gamma-api"))!;
    const iso = new Date(Number(third.createTime?.seconds) * 1000 + (third.createTime?.nanos ?? 0) / 1e6);
    const created = `${iso.toISOString().slice(0, 19)}.${String(third.createTime?.nanos).padStart(9, "0")}Z`;
    expect(await ids(`create_time>="${created}"`)).toEqual([
      "APIKEY-blue-production",
      "delta-cache",
      "gamma-api",
    ]);
    expect(await ids(`create_time<${created}`)).toEqual(["alpha-db", "beta-db"]);
  });

  it("filter replication.automatic:* matches automatically replicated secrets", async () => {
    expect(await ids("replication.automatic:*")).toHaveLength(5);
    expect(await ids("replication.user_managed:*")).toEqual([]);
  });

  it("a filter on an unknown field, or a regular expression, is INVALID_ARGUMENT", async () => {
    const call1 = client.listSecrets({ parent, filter: "colour=blue" }, { autoPaginate: false });
    expect(await codeOf(call1)).toBe(grpc.status.INVALID_ARGUMENT);
    const call2 = client.listSecrets({ parent, filter: 'name ~ "alpha.*"' }, { autoPaginate: false });
    expect(await codeOf(call2)).toBe(grpc.status.INVALID_ARGUMENT);
    const call3 = client.listSecrets({ parent, filter: "labels.env=prod AND (" }, { autoPaginate: false });
    expect(await codeOf(call3)).toBe(grpc.status.INVALID_ARGUMENT);
  });
});

describe("UpdateSecret", () => {
  it("changes only the fields named in update_mask and renews the etag", async () => {
    const created = await createSecret(uniqueId(), { labels: { a: "1" }, annotations: { note: "keep" } });
    const [updated] = await client.updateSecret({
      secret: { name: created.name, labels: { b: "2" }, annotations: { note: "ignored" } },
      updateMask: { paths: ["labels"] },
    });
    expect(updated.labels).toEqual({ b: "2" });
    expect(updated.annotations).toEqual({ note: "keep" });
    expect(updated.etag).not.toBe(created.etag);
    expect(updated.createTime).toEqual(created.createTime);
  });

  it("an update_mask path that is not updatable is INVALID_ARGUMENT", async () => {
    const created = await createSecret();
    for (const path of ["replication", "name", "no_such_field", "create_time"]) {
      const call = client.updateSecret({ secret: { name: created.name }, updateMask: { paths: [path] } });
      expect(await codeOf(call)).toBe(grpc.status.INVALID_ARGUMENT);
    }
  });

  it("an empty update_mask is INVALID_ARGUMENT", async () => {
    const created = await createSecret();
    const call = client.updateSecret({
      secret: { name: created.name, labels: { x: "y" } },
      updateMask: { paths: [] },
    });
    expect(await codeOf(call)).toBe(grpc.status.INVALID_ARGUMENT);
  });

  it("an etag that does not match the stored one is FAILED_PRECONDITION", async () => {
    const created = await createSecret();
    const ok = await client.updateSecret({
      secret: { name: created.name, labels: { v: "1" }, etag: created.etag },
      updateMask: { paths: ["labels"] },
    });
    const stale = client.updateSecret({
      secret: { name: created.name, labels: { v: "2" }, etag: created.etag },
      updateMask: { paths: ["labels"] },
    });
    expect(ok[0].labels).toEqual({ v: "1" });
    expect(await codeOf(stale)).toBe(grpc.status.FAILED_PRECONDITION);
  });

  it("invalid labels in an update are INVALID_ARGUMENT and change nothing", async () => {
    const created = await createSecret(uniqueId(), { labels: { ok: "yes" } });
    const call = client.updateSecret({
      secret: { name: created.name, labels: { BAD: "x" } },
      updateMask: { paths: ["labels"] },
    });
    expect(await codeOf(call)).toBe(grpc.status.INVALID_ARGUMENT);
    expect((await client.getSecret({ name: created.name }))[0]).toEqual(created);
  });

  it("updating a missing secret is NOT_FOUND", async () => {
    const call = client.updateSecret({
      secret: { name: `${project}/secrets/ghost` },
      updateMask: { paths: ["labels"] },
    });
    expect(await codeOf(call)).toBe(grpc.status.NOT_FOUND);
  });

  it("a rotation policy needs topics", async () => {
    const created = await createSecret();
    const next = { seconds: Math.floor(Date.now() / 1000) + 3600 };
    const without = client.updateSecret({
      secret: { name: created.name, rotation: { nextRotationTime: next } },
      updateMask: { paths: ["rotation"] },
    });
    expect(await codeOf(without)).toBe(grpc.status.INVALID_ARGUMENT);
    const [withTopics] = await client.updateSecret({
      secret: {
        name: created.name,
        topics: [{ name: "projects/emu-test/topics/rotations" }],
        rotation: { nextRotationTime: next, rotationPeriod: { seconds: 7200 } },
      },
      updateMask: { paths: ["topics", "rotation"] },
    });
    expect(withTopics.rotation?.rotationPeriod?.seconds).toBe("7200");
  });
});

describe("DeleteSecret", () => {
  it("deletes the secret and its versions", async () => {
    const created = await createSecret();
    await client.addSecretVersion({
      parent: created.name,
      payload: { data: Buffer.from("fake-password-1") },
    });
    await client.deleteSecret({ name: created.name });
    expect(await codeOf(client.getSecret({ name: created.name }))).toBe(grpc.status.NOT_FOUND);
    const access = client.accessSecretVersion({ name: `${created.name}/versions/1` });
    expect(await codeOf(access)).toBe(grpc.status.NOT_FOUND);
  });

  it("with a stale etag is FAILED_PRECONDITION and keeps the secret; with the current etag it deletes", async () => {
    const created = await createSecret();
    const [updated] = await client.updateSecret({
      secret: { name: created.name, labels: { x: "y" } },
      updateMask: { paths: ["labels"] },
    });
    expect(await codeOf(client.deleteSecret({ name: created.name, etag: created.etag }))).toBe(
      grpc.status.FAILED_PRECONDITION,
    );
    await client.deleteSecret({ name: created.name, etag: updated.etag });
    expect(await codeOf(client.getSecret({ name: created.name }))).toBe(grpc.status.NOT_FOUND);
  });

  it("deleting a missing secret is NOT_FOUND", async () => {
    expect(await codeOf(client.deleteSecret({ name: `${project}/secrets/ghost` }))).toBe(
      grpc.status.NOT_FOUND,
    );
  });
});

describe("IAM policy on a secret", () => {
  it("GetIamPolicy returns an empty policy until SetIamPolicy stores one", async () => {
    const created = await createSecret();
    const [empty] = await client.getIamPolicy({ resource: created.name });
    expect(empty.bindings).toEqual([]);
    const binding = { role: "roles/secretmanager.secretAccessor", members: ["user:someone@example.com"] };
    await client.setIamPolicy({ resource: created.name, policy: { bindings: [binding] } });
    const [policy] = await client.getIamPolicy({ resource: created.name });
    expect(policy.bindings?.[0]?.role).toBe(binding.role);
    expect(policy.bindings?.[0]?.members).toEqual(binding.members);
  });

  it("TestIamPermissions on a missing secret returns no permissions rather than NOT_FOUND", async () => {
    const permissions = ["secretmanager.versions.access"];
    const [missing] = await client.testIamPermissions({ resource: `${project}/secrets/ghost`, permissions });
    expect(missing.permissions).toEqual([]);
    const created = await createSecret();
    const [present] = await client.testIamPermissions({ resource: created.name, permissions });
    expect(present.permissions).toEqual(permissions);
  });
});
