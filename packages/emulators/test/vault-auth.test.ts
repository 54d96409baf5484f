import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { VaultEmulator } from "../src/vault/index.js";
import {
  apiFailure,
  call,
  clientFor,
  manualClock,
  startWithClient,
  type VaultClient,
} from "./vault-helpers.js";

const clock = manualClock();
let emulator: VaultEmulator;
let vault: VaultClient;

beforeAll(async () => {
  ({ emulator, vault } = await startWithClient({ clock: clock.now, rootToken: "not-a-real-root-token" }));
});
afterAll(() => emulator.stop());
beforeEach(() => {
  emulator.reset();
  // node-vault adopts the token of any token-issuing response, so each test starts a fresh client.
  vault = clientFor(emulator);
});

describe("token authentication", () => {
  it("a request without X-Vault-Token is 403 permission denied", async () => {
    const reply = await call(emulator, "GET", "secret/data/x", { token: null });
    expect(reply).toMatchObject({ status: 403, body: { errors: ["permission denied"] } });
  });

  it("an unknown token is 403 permission denied", async () => {
    const error = await apiFailure(() => clientFor(emulator, "not-a-real-token").read("secret/data/x"));
    expect(error.response).toEqual({ statusCode: 403, body: { errors: ["permission denied"] } });
  });

  it("Authorization: Bearer <token> is accepted like X-Vault-Token", async () => {
    const reply = await call(emulator, "GET", "auth/token/lookup-self", {
      token: null,
      headers: { authorization: `Bearer ${emulator.rootToken}` },
    });
    expect(reply.status).toBe(200);
  });

  it("lookup-self describes the root token: policy root, ttl 0, no expire_time, not renewable", async () => {
    const self = (await vault.tokenLookupSelf()).data;
    expect(self).toMatchObject({
      id: "not-a-real-root-token",
      policies: ["root"],
      ttl: 0,
      expire_time: null,
      renewable: false,
      path: "auth/token/root",
      type: "service",
    });
  });

  it("a token is valid until its TTL runs out, then every request is 403 permission denied", async () => {
    const token = emulator.createToken({ ttl: "1m" });
    const client = clientFor(emulator, token);
    expect((await client.tokenLookupSelf()).data).toMatchObject({
      ttl: 60,
      creation_ttl: 60,
      renewable: true,
    });
    clock.advance(59_000);
    expect((await client.tokenLookupSelf()).data.ttl).toBe(1);
    clock.advance(1_000);
    const error = await apiFailure(() => client.tokenLookupSelf());
    expect(error.response).toEqual({ statusCode: 403, body: { errors: ["permission denied"] } });
  });

  it("renew-self extends the TTL by the increment from now, capped at the max TTL with a warning", async () => {
    const token = emulator.createToken({ ttl: 60, maxTtl: 300 });
    const client = clientFor(emulator, token);
    clock.advance(50_000);
    const renewed = await client.tokenRenewSelf({ increment: 120 });
    expect(renewed.auth).toMatchObject({ client_token: token, lease_duration: 120, renewable: true });
    clock.advance(110_000);
    expect((await client.tokenLookupSelf()).data.ttl).toBe(10);
    const capped = await client.tokenRenewSelf({ increment: "1h" });
    expect(capped.auth.lease_duration).toBe(140); // 300 s after creation, 160 s have passed
    expect(capped.warnings?.[0]).toContain("max_ttl");
    clock.advance(140_000);
    expect((await apiFailure(() => client.tokenLookupSelf())).response.statusCode).toBe(403);
  });

  it("renew-self without an increment renews by the token's creation TTL", async () => {
    const client = clientFor(emulator, emulator.createToken({ ttl: 30 }));
    clock.advance(20_000);
    expect((await client.tokenRenewSelf()).auth.lease_duration).toBe(30);
  });

  it("renew-self on a token that is not renewable is 400 lease is not renewable", async () => {
    const error = await apiFailure(() => vault.tokenRenewSelf());
    expect(error.response).toEqual({ statusCode: 400, body: { errors: ["lease is not renewable"] } });
    const fixed = clientFor(emulator, emulator.createToken({ renewable: false }));
    expect((await apiFailure(() => fixed.tokenRenewSelf())).response.statusCode).toBe(400);
  });

  it("revoke-self makes the token unusable", async () => {
    const token = emulator.createToken();
    const revoked = await call(emulator, "POST", "auth/token/revoke-self", { token });
    expect(revoked.status).toBe(204);
    expect((await call(emulator, "GET", "auth/token/lookup-self", { token })).status).toBe(403);
  });

  it("auth/token/create with the root token issues a token with the requested ttl and policies", async () => {
    const reply = await call(emulator, "POST", "auth/token/create", {
      body: { ttl: "10m", policies: ["app"] },
    });
    expect(reply.status).toBe(200);
    const auth = reply.body.auth as { client_token: string; lease_duration: number; policies: string[] };
    expect(auth.lease_duration).toBe(600);
    expect(auth.policies).toEqual(["app", "default"]);
    expect(auth.client_token).toMatch(/^hvs\./);
    const viaClient = await vault.tokenCreate({ id: "fake-child-token-0001", policies: ["app"] });
    expect(viaClient.auth.client_token).toBe("fake-child-token-0001");
  });

  it("tokens without the root policy can use KV but are refused administration (403)", async () => {
    const client = clientFor(emulator, emulator.createToken({ policies: ["app"] }));
    await client.write("secret/data/app", { data: { a: "1" } });
    expect((await client.read("secret/data/app")).data.data).toEqual({ a: "1" });
    for (const attempt of [
      () => client.write("auth/token/create", {}),
      () => client.write("sys/mounts/new", { type: "kv-v2" }),
      () => client.write("auth/approle/role/r", {}),
    ]) {
      expect((await apiFailure(attempt)).response.statusCode).toBe(403);
    }
  });
});

describe("AppRole", () => {
  it("through the HTTP API: create a role, read its role-id, generate a secret-id, log in for a renewable token", async () => {
    await vault.addApproleRole({
      role_name: "app",
      policies: "app-read,app-write",
      token_ttl: 1200,
      token_max_ttl: 3600,
    });
    const roleId = (await vault.getApproleRoleId({ role_name: "app" })).data.role_id as string;
    const secretId = (await vault.getApproleRoleSecret({ role_name: "app" })).data.secret_id as string;
    const client = clientFor(emulator, "");
    const login = await client.approleLogin({ role_id: roleId, secret_id: secretId });
    expect(login.auth).toMatchObject({
      lease_duration: 1200,
      renewable: true,
      policies: ["app-read", "app-write", "default"],
      metadata: { role_name: "app" },
      token_type: "service",
    });
    // node-vault adopts the token from a login response.
    expect(client.token).toBe(login.auth.client_token);
    expect((await client.tokenLookupSelf()).data).toMatchObject({ path: "auth/approle/login", ttl: 1200 });
    await client.write("secret/data/x", { data: { a: "1" } });
  });

  it("the role can be read back and listed", async () => {
    await vault.addApproleRole({ role_name: "Reader", token_ttl: 60 });
    expect((await vault.getApproleRole({ role_name: "reader" })).data).toMatchObject({
      token_ttl: 60,
      bind_secret_id: true,
    });
    expect((await vault.list("auth/approle/role")).data.keys).toEqual(["reader"]);
  });

  it("login with a wrong secret_id or an unknown role_id is 400 invalid role or secret ID; a missing role_id is 400", async () => {
    const { roleId } = emulator.createAppRole("app");
    const client = clientFor(emulator, "");
    const wrongSecret = await apiFailure(() =>
      client.approleLogin({ role_id: roleId, secret_id: "not-a-real-secret-id" }),
    );
    expect(wrongSecret.response).toEqual({
      statusCode: 400,
      body: { errors: ["invalid role or secret ID"] },
    });
    const wrongRole = await apiFailure(() =>
      client.approleLogin({ role_id: "not-a-real-role-id", secret_id: "x" }),
    );
    expect(wrongRole.response.body).toEqual({ errors: ["invalid role or secret ID"] });
    const noRole = await call(emulator, "POST", "auth/approle/login", {
      token: null,
      body: { secret_id: "x" },
    });
    expect(noRole).toMatchObject({ status: 400, body: { errors: ["missing role_id"] } });
  });

  it("createAppRole credentials log in; a secret ID past its secret_id_ttl no longer does", async () => {
    const { roleId, secretId } = emulator.createAppRole("short", { secretIdTtl: "10m", tokenTtl: 30 });
    const login = await call(emulator, "POST", "auth/approle/login", {
      token: null,
      body: { role_id: roleId, secret_id: secretId },
    });
    expect((login.body.auth as { lease_duration: number }).lease_duration).toBe(30);
    clock.advance(600_000);
    const expired = await call(emulator, "POST", "auth/approle/login", {
      token: null,
      body: { role_id: roleId, secret_id: secretId },
    });
    expect(expired.status).toBe(400);
  });
});

describe("namespaces", () => {
  it("X-Vault-Namespace isolates data: the same path holds different values per namespace", async () => {
    const teamA = clientFor(emulator, emulator.rootToken, "team-a");
    const teamB = clientFor(emulator, emulator.rootToken, "team-b/");
    await teamA.write("secret/data/db", { data: { owner: "a" } });
    await teamB.write("secret/data/db", { data: { owner: "b" } });
    expect((await teamA.read("secret/data/db")).data.data).toEqual({ owner: "a" });
    expect((await teamB.read("secret/data/db")).data.data).toEqual({ owner: "b" });
    expect((await apiFailure(() => vault.read("secret/data/db"))).response.statusCode).toBe(404);
    expect((await teamA.list("secret/metadata/")).data.keys).toEqual(["db"]);
  });

  it("a token created in a namespace works there and in child namespaces, and is 403 elsewhere", async () => {
    const token = emulator.createToken({ namespace: "team-a" });
    await clientFor(emulator, token, "team-a").write("secret/data/x", { data: { a: "1" } });
    await clientFor(emulator, token, "team-a/sub").write("secret/data/x", { data: { a: "1" } });
    const elsewhere = await apiFailure(() => clientFor(emulator, token, "team-b").read("secret/data/x"));
    expect(elsewhere.response.statusCode).toBe(403);
    expect(
      (await apiFailure(() => clientFor(emulator, token).read("secret/data/x"))).response.statusCode,
    ).toBe(403);
  });

  it("AppRole roles are per namespace: login must name the role's namespace", async () => {
    const { roleId, secretId } = emulator.createAppRole("ns-role", { namespace: "team-a" });
    const body = { role_id: roleId, secret_id: secretId };
    const wrongNs = await call(emulator, "POST", "auth/approle/login", { token: null, body });
    expect(wrongNs.status).toBe(400);
    const rightNs = await call(emulator, "POST", "auth/approle/login", {
      token: null,
      body,
      headers: { "x-vault-namespace": "team-a" },
    });
    expect(rightNs.status).toBe(200);
  });
});

describe("sys endpoints", () => {
  it("sys/health needs no token and reports an initialized, unsealed, active node", async () => {
    const health = await clientFor(emulator, "").health();
    expect(health).toMatchObject({
      initialized: true,
      sealed: false,
      standby: false,
      version: expect.any(String),
    });
  });

  it("sys/seal-status needs no token and reports sealed: false", async () => {
    expect(await clientFor(emulator, "").status()).toMatchObject({
      sealed: false,
      initialized: true,
      type: "shamir",
    });
  });
});
