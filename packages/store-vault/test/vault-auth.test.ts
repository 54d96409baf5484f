// Token lifetimes and outages. The emulator and the store share a clock that the tests move, so
// hour-long TTLs pass in microseconds; the fault hooks need the emulator itself.
import {
  BackendAccessDeniedError,
  BackendUnavailableError,
  newSecretId,
  type SecretsStore,
} from "@coffer/core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { VaultStore } from "../src/index.js";
import { externalAddress, manualClock, startBackend, storeFor, type VaultBackend } from "./helpers.js";

describe.skipIf(externalAddress)("token lifetimes", () => {
  const clock = manualClock();
  let backend: VaultBackend;
  const opened: SecretsStore[] = [];
  beforeAll(async () => {
    backend = await startBackend({ clock: clock.now });
  });
  afterAll(() => backend.stop());
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
  });

  function appRoleStore(role: { roleId: string; secretId: string }, deployment: string): VaultStore {
    const store = storeFor(backend, deployment, role, { clock: clock.now });
    opened.push(store);
    return store;
  }

  it("AppRole: logs in, renews at two thirds of the TTL, and logs in again once renewal stops extending", async () => {
    const role = backend.emulator!.createAppRole("renewing", { tokenTtl: 60, tokenMaxTtl: 100 });
    const store = appRoleStore(role, "approle-renew");
    await store.init();
    const id = newSecretId();
    await store.create(id, { k: "fake" });
    expect(store.authStats).toEqual({ logins: 1, renewals: 0, failedRenewals: 0 });

    clock.advance(30); // t=30 of a 60 s token: nothing to do yet
    expect(await store.get(id)).toEqual({ k: "fake" });
    expect(store.authStats.renewals).toBe(0);

    clock.advance(11); // t=41: past 2/3, renewed up to the 100 s max TTL
    expect(await store.get(id)).toEqual({ k: "fake" });
    expect(store.authStats).toEqual({ logins: 1, renewals: 1, failedRenewals: 0 });

    clock.advance(40); // t=81: renewal cannot extend past t=100, so a fresh login
    expect(await store.get(id)).toEqual({ k: "fake" });
    expect(store.authStats).toEqual({ logins: 2, renewals: 2, failedRenewals: 0 });

    clock.advance(40); // t=121: the first token is long dead; the second one serves
    expect(await store.get(id)).toEqual({ k: "fake" });
    await store.delete(id);
  });

  it("AppRole: logs in again when renewal fails", async () => {
    const role = backend.emulator!.createAppRole("flaky-renewal", { tokenTtl: 60 });
    const store = appRoleStore(role, "approle-flaky");
    await store.init();
    clock.advance(41);
    backend.emulator!.failNext(1, "internal"); // the renew-self call
    await store.init();
    expect(store.authStats).toEqual({ logins: 2, renewals: 0, failedRenewals: 1 });
  });

  it("AppRole: after a long idle spell (token expired) logs in straight away", async () => {
    const role = backend.emulator!.createAppRole("idle", { tokenTtl: 60 });
    const store = appRoleStore(role, "approle-idle");
    await store.init();
    clock.advance(3600);
    await store.init();
    expect(store.authStats).toEqual({ logins: 2, renewals: 0, failedRenewals: 0 });
  });

  it("AppRole: a request denied because the token went bad early logs in again and is retried once", async () => {
    const role = backend.emulator!.createAppRole("revoked", { tokenTtl: 60 });
    // The store's own clock stands still while Vault's moves on: the token expires in Vault
    // without the store expecting it, as after a revocation.
    let frozen = clock.now();
    const store = storeFor(backend, "approle-revoked", role, { clock: () => frozen });
    opened.push(store);
    const id = newSecretId();
    await store.create(id, { k: "fake" });
    clock.advance(120);
    expect(await store.get(id)).toEqual({ k: "fake" });
    expect(store.authStats.logins).toBe(2);
    frozen = clock.now();
    await store.delete(id);
  });

  it("AppRole: wrong credentials are BackendAccessDeniedError at init", async () => {
    const role = backend.emulator!.createAppRole("wrong", { tokenTtl: 60 });
    const store = appRoleStore({ roleId: role.roleId, secretId: "not-a-real-secret-id" }, "approle-wrong");
    const error = await store.init().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BackendAccessDeniedError);
    expect(JSON.stringify((error as BackendAccessDeniedError).toJSON())).not.toContain(
      "not-a-real-secret-id",
    );
  });

  it("token: a renewable token is renewed at two thirds of its TTL", async () => {
    const token = backend.emulator!.createToken({ ttl: 60, renewable: true });
    const store = storeFor(backend, "token-renew", { token }, { clock: clock.now });
    opened.push(store);
    await store.init();
    clock.advance(41);
    await store.init();
    expect(store.authStats).toEqual({ logins: 0, renewals: 1, failedRenewals: 0 });
    clock.advance(41); // t=82: alive only thanks to the renewal
    await store.init();
  });

  it("token: a token that is not renewable is used until it expires, then access is denied", async () => {
    const token = backend.emulator!.createToken({ ttl: 60, renewable: false });
    const store = storeFor(backend, "token-fixed", { token }, { clock: clock.now });
    opened.push(store);
    await store.init();
    clock.advance(59);
    await store.init();
    expect(store.authStats.renewals).toBe(0);
    clock.advance(2);
    await expect(store.init()).rejects.toBeInstanceOf(BackendAccessDeniedError);
  });

  it("token: an unknown token is BackendAccessDeniedError at init, and never shows up in the error", async () => {
    const store = storeFor(backend, "token-bad", { token: "not-a-real-token" }, { clock: clock.now });
    opened.push(store);
    const error = await store.init().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BackendAccessDeniedError);
    expect(JSON.stringify((error as BackendAccessDeniedError).toJSON())).not.toContain("not-a-real-token");
  });
});

describe.skipIf(externalAddress)("outages", () => {
  let backend: VaultBackend;
  beforeAll(async () => {
    backend = await startBackend();
  });
  afterAll(() => backend.stop());

  it("an outage is a quick, retryable BackendUnavailableError, and the same store recovers", async () => {
    const store = storeFor(backend, "outage");
    const id = newSecretId();
    await store.create(id, { k: "fake" });
    await backend.emulator!.suspend();
    try {
      const started = performance.now();
      const error = await store.get(id).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(BackendUnavailableError);
      expect((error as BackendUnavailableError).retryable).toBe(true);
      expect(performance.now() - started).toBeLessThan(5_000);
      await expect(store.update(id, { k: "x" })).rejects.toBeInstanceOf(BackendUnavailableError);
      expect(await store.health()).toMatchObject({ status: "error", errorCode: "BACKEND_UNAVAILABLE" });
    } finally {
      await backend.emulator!.resume();
    }
    expect(await store.get(id)).toEqual({ k: "fake" });
    expect((await store.health()).status).toBe("ready");
    await store.delete(id);
    await store.close();
  });

  it.each(["sealed", "internal", "rate-limited"] as const)(
    "a %s Vault is a retryable BackendUnavailableError that names neither values nor token",
    async (kind) => {
      const store = storeFor(backend, "faults");
      await store.init();
      const id = newSecretId();
      backend.emulator!.failNext(1, kind);
      const error = await store
        .create(id, { password: "fake-password-1" })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(BackendUnavailableError);
      const text = JSON.stringify((error as BackendUnavailableError).toJSON());
      expect(text).not.toContain("fake-password-1");
      expect(text).not.toContain(backend.token);
      if (kind === "sealed") expect((error as BackendUnavailableError).message).toMatch(/sealed/);
      await store.close();
    },
  );
});
