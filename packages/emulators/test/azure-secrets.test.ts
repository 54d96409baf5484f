// Azure Key Vault emulator, secrets: driven by the official @azure/keyvault-secrets client over HTTPS.
import { request as httpRequest } from "node:http";
import { request } from "node:https";
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";
import { SecretClient, type SecretClientOptions } from "@azure/keyvault-secrets";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AzureEmulator, startAzureEmulator } from "../src/azure/index.js";

/** A hand-written credential: never the default Azure chain, which probes the metadata service. */
class FakeCredential implements TokenCredential {
  readonly calls: Array<{ scopes: string | string[]; options: GetTokenOptions | undefined }> = [];
  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken> {
    this.calls.push({ scopes, options });
    return { token: "not-a-real-token", expiresOnTimestamp: Date.now() + 3_600_000 };
  }
}

let emulator: AzureEmulator;
let client: SecretClient;
let counter = 0;
const uniqueName = (prefix = "s") => `${prefix}-${Date.now().toString(36)}-${++counter}`;
const poll = { intervalInMs: 10 };

function clientFor(
  target: AzureEmulator,
  extra: SecretClientOptions = {},
  credential = new FakeCredential(),
) {
  return new SecretClient(target.url, credential, {
    disableChallengeResourceVerification: true,
    tlsOptions: { ca: target.certificatePem },
    retryOptions: { maxRetries: 0 },
    ...extra,
  });
}

interface RestFailure {
  statusCode?: number;
  code?: string;
  message: string;
  details?: { error?: { innerError?: { code?: string } } };
}

async function failure(call: Promise<unknown>): Promise<RestFailure> {
  try {
    await call;
  } catch (error) {
    return error as RestFailure;
  }
  throw new Error("expected the call to fail");
}

/** A raw HTTPS request, for what the SDK never sends (no token, no api-version). */
function raw(path: string, headers: Record<string, string> = {}) {
  return rawOn(emulator, path, headers);
}

function rawOn(target: AzureEmulator, path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = request(`${target.url}${path}`, { ca: target.certificatePem, headers }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          body += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on("error", reject);
      req.end();
    },
  );
}

beforeAll(async () => {
  emulator = await startAzureEmulator();
  client = clientFor(emulator);
});

afterAll(async () => {
  await emulator?.stop();
});

describe("authentication", () => {
  it("answers a request without a token with 401 and the bearer challenge", async () => {
    const res = await raw("/secrets?api-version=7.5");
    expect(res.status).toBe(401);
    expect(res.headers["www-authenticate"]).toBe(
      'Bearer authorization="https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000", resource="https://vault.azure.net"',
    );
    expect(JSON.parse(res.body).error.code).toBe("Unauthorized");
  });

  it("the client answers the challenge by asking the credential for the vault scope and tenant", async () => {
    const credential = new FakeCredential();
    const fresh = clientFor(emulator, {}, credential);
    const name = uniqueName();
    await fresh.setSecret(name, "fake-password-1");
    expect(credential.calls[0]?.scopes).toEqual(["https://vault.azure.net/.default"]);
    expect(credential.calls[0]?.options?.tenantId).toBe("00000000-0000-0000-0000-000000000000");
    expect((await fresh.getSecret(name)).value).toBe("fake-password-1");
  });
});

describe("api-version", () => {
  it("a request without api-version is 400 BadParameter", async () => {
    const res = await raw("/secrets", { authorization: "Bearer not-a-real-token" });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).error.code).toBe("BadParameter");
  });

  it("an unknown api-version is 400 BadParameter", async () => {
    const res = await raw("/secrets?api-version=1999-01-01", { authorization: "Bearer not-a-real-token" });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).error.message).toContain("1999-01-01");
  });

  it("older service versions the client supports work too", async () => {
    const old = clientFor(emulator, { serviceVersion: "7.4" });
    const name = uniqueName();
    await old.setSecret(name, "fake-password-1");
    expect((await old.getSecret(name)).value).toBe("fake-password-1");
  });
});

describe("setSecret and getSecret", () => {
  it("setSecret creates a version; getSecret returns the latest, or a given version", async () => {
    const name = uniqueName();
    const first = await client.setSecret(name, "fake-password-1", {
      contentType: "text/plain",
      tags: { env: "test" },
    });
    const second = await client.setSecret(name, "fake-password-2");
    expect(first.properties.version).toMatch(/^[0-9a-f]{32}$/);
    expect(second.properties.version).not.toBe(first.properties.version);
    expect(first.properties.vaultUrl).toBe(emulator.url);
    expect(first.properties.enabled).toBe(true);
    expect(first.properties.createdOn).toBeInstanceOf(Date);
    expect(first.properties.recoveryLevel).toBe("Recoverable+Purgeable");
    expect(first.properties.recoverableDays).toBe(90);

    const latest = await client.getSecret(name);
    expect(latest.value).toBe("fake-password-2");
    expect(latest.properties.version).toBe(second.properties.version);

    const older = await client.getSecret(name, { version: first.properties.version! });
    expect(older.value).toBe("fake-password-1");
    expect(older.properties.contentType).toBe("text/plain");
    expect(older.properties.tags).toEqual({ env: "test" });
  });

  it("names are case-insensitive", async () => {
    const name = uniqueName("MixedCase");
    await client.setSecret(name, "fake-password-1");
    expect((await client.getSecret(name.toLowerCase())).value).toBe("fake-password-1");
  });

  it("a missing secret is 404 SecretNotFound", async () => {
    const error = await failure(client.getSecret("does-not-exist"));
    expect(error.statusCode).toBe(404);
    expect(error.code).toBe("SecretNotFound");
  });

  it("a missing version is 404 SecretNotFound", async () => {
    const name = uniqueName();
    await client.setSecret(name, "fake-password-1");
    const error = await failure(client.getSecret(name, { version: "0".repeat(32) }));
    expect(error.statusCode).toBe(404);
    expect(error.code).toBe("SecretNotFound");
  });

  it("a name outside 1-127 letters, digits and dashes is 400 BadParameter", async () => {
    for (const bad of ["has_underscore", "has.dot", "x".repeat(128)]) {
      const error = await failure(client.setSecret(bad, "fake-password-1"));
      expect(error.statusCode).toBe(400);
      expect(error.code).toBe("BadParameter");
    }
    await client.setSecret(`0-starts-with-digit-${"x".repeat(100)}`, "fake-password-1");
    await client.setSecret("y".repeat(127), "fake-password-1");
  });

  it("a value of 25,600 bytes is accepted and one byte more is 400 BadParameter", async () => {
    const name = uniqueName();
    await client.setSecret(name, "a".repeat(25_600));
    const error = await failure(client.setSecret(name, "a".repeat(25_601)));
    expect(error.statusCode).toBe(400);
    expect(error.code).toBe("BadParameter");
    // The limit counts UTF-8 bytes, not characters: 12,801 two-byte characters are 25,602 bytes.
    expect((await failure(client.setSecret(name, "é".repeat(12_801)))).statusCode).toBe(400);
    expect(error.message).not.toContain("aaaa");
  });

  it("more than 15 tags is 400 BadParameter", async () => {
    const tags = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`t${i}`, "v"]));
    expect((await failure(client.setSecret(uniqueName(), "fake-password-1", { tags }))).statusCode).toBe(400);
    delete tags.t15;
    const ok = await client.setSecret(uniqueName(), "fake-password-1", { tags });
    expect(Object.keys(ok.properties.tags ?? {})).toHaveLength(15);
  });

  it("getting a disabled secret is 403 Forbidden with inner code SecretDisabled", async () => {
    const name = uniqueName();
    await client.setSecret(name, "fake-password-1", { enabled: false });
    const error = await failure(client.getSecret(name));
    expect(error.statusCode).toBe(403);
    expect(error.code).toBe("Forbidden");
    expect(error.message).toBe("Operation get is not allowed on a disabled secret.");
    expect(error.details?.error?.innerError?.code).toBe("SecretDisabled");
  });

  it("latest is the newest version even when it is disabled and an older one is enabled", async () => {
    const name = uniqueName();
    await client.setSecret(name, "fake-password-1");
    await client.setSecret(name, "fake-password-2", { enabled: false });
    expect((await failure(client.getSecret(name))).statusCode).toBe(403);
  });

  it("a secret with nbf and exp reports them as dates", async () => {
    const name = uniqueName();
    const notBefore = new Date(Math.floor(Date.now() / 1000) * 1000);
    const expiresOn = new Date(notBefore.getTime() + 86_400_000);
    const set = await client.setSecret(name, "fake-password-1", { notBefore, expiresOn });
    expect(set.properties.notBefore).toEqual(notBefore);
    expect(set.properties.expiresOn).toEqual(expiresOn);
  });
});

describe("updateSecretProperties", () => {
  it("changes contentType, tags and enabled on one version and leaves the value alone", async () => {
    const name = uniqueName();
    const set = await client.setSecret(name, "fake-password-1", { tags: { a: "1" } });
    const version = set.properties.version!;
    const updated = await client.updateSecretProperties(name, version, {
      contentType: "application/json",
      tags: { b: "2" },
      enabled: false,
    });
    expect(updated.contentType).toBe("application/json");
    expect(updated.tags).toEqual({ b: "2" });
    expect(updated.enabled).toBe(false);
    expect((await failure(client.getSecret(name))).statusCode).toBe(403);
    await client.updateSecretProperties(name, version, { enabled: true });
    const got = await client.getSecret(name);
    expect(got.value).toBe("fake-password-1");
    expect(got.properties.contentType).toBe("application/json");
  });

  it("updating a missing secret is 404", async () => {
    const error = await failure(
      client.updateSecretProperties("nope-nope", "0".repeat(32), { enabled: true }),
    );
    expect(error.statusCode).toBe(404);
  });
});

describe("listing", () => {
  let vault: AzureEmulator;
  let lister: SecretClient;

  beforeAll(async () => {
    vault = await startAzureEmulator();
    lister = clientFor(vault);
    for (const name of ["alpha", "bravo", "charlie", "delta", "echo"])
      await lister.setSecret(name, `fake-${name}`);
    await lister.setSecret("alpha", "fake-alpha-2");
  });

  afterAll(async () => {
    await vault?.stop();
  });

  it("listPropertiesOfSecrets pages with maxresults and nextLink, each secret once, without values", async () => {
    const pages: string[][] = [];
    for await (const page of lister.listPropertiesOfSecrets().byPage({ maxPageSize: 2 })) {
      pages.push(page.map((p) => p.name));
      expect(page.every((p) => !("value" in p))).toBe(true);
    }
    expect(pages).toEqual([["alpha", "bravo"], ["charlie", "delta"], ["echo"]]);
  });

  it("maxresults above 25 is 400 BadParameter", async () => {
    const error = await failure(lister.listPropertiesOfSecrets().byPage({ maxPageSize: 26 }).next());
    expect(error.statusCode).toBe(400);
    expect(error.code).toBe("BadParameter");
  });

  it("listPropertiesOfSecretVersions lists every version of one secret", async () => {
    const versions: string[] = [];
    for await (const props of lister.listPropertiesOfSecretVersions("alpha")) versions.push(props.version!);
    expect(versions).toHaveLength(2);
    const values = await Promise.all(
      versions.map(async (version) => (await lister.getSecret("alpha", { version })).value),
    );
    expect(values.sort()).toEqual(["fake-alpha", "fake-alpha-2"]);
  });

  it("listing the versions of a secret that never existed is an empty page (200), not 404", async () => {
    const versions: string[] = [];
    for await (const props of lister.listPropertiesOfSecretVersions("zulu")) versions.push(props.version!);
    expect(versions).toEqual([]);
    const reply = await rawOn(vault, "/secrets/zulu/versions?api-version=7.6", {
      authorization: "Bearer not-a-real-token",
    });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toEqual({ value: [], nextLink: null });
  });
});

describe("soft delete, recovery and purge", () => {
  it("beginDeleteSecret returns a deleted secret with recoveryId, deletedOn and scheduledPurgeDate", async () => {
    const name = uniqueName();
    await client.setSecret(name, "fake-password-1");
    const poller = await client.beginDeleteSecret(name, poll);
    const deleted = await poller.pollUntilDone();
    expect(deleted.properties.recoveryId).toBe(`${emulator.url}/deletedsecrets/${name}`);
    const deletedOn = deleted.properties.deletedOn!.getTime();
    expect(Math.abs(deletedOn - Date.now())).toBeLessThan(5_000);
    expect(deleted.properties.scheduledPurgeDate!.getTime() - deletedOn).toBe(90 * 86_400_000);
    expect(deleted.value).toBeUndefined();
    expect((await failure(client.getSecret(name))).statusCode).toBe(404);
    expect((await client.getDeletedSecret(name)).properties.recoveryId).toBe(deleted.properties.recoveryId);
  });

  it("getDeletedSecret of a secret disabled before deletion is 403 Forbidden, SecretDisabled", async () => {
    const name = uniqueName();
    await client.setSecret(name, "fake-password-1", { enabled: false });
    // The SDK's delete poller reads a 403 from getDeletedSecret as "deleted, but not readable".
    await (await client.beginDeleteSecret(name, poll)).pollUntilDone();
    const error = await failure(client.getDeletedSecret(name));
    expect(error.statusCode).toBe(403);
    expect(error.code).toBe("Forbidden");
    expect(error.message).toBe("Operation get is not allowed on a disabled secret.");
    expect(error.details?.error?.innerError?.code).toBe("SecretDisabled");
    // It is still deleted, listed, and recoverable or purgeable.
    const names: string[] = [];
    for await (const deleted of client.listDeletedSecrets()) names.push(deleted.name);
    expect(names).toContain(name);
    await client.purgeDeletedSecret(name);
    expect((await failure(client.getDeletedSecret(name))).statusCode).toBe(404);
  });

  it("deleted secrets are listed by listDeletedSecrets", async () => {
    const name = uniqueName();
    await client.setSecret(name, "fake-password-1");
    await (await client.beginDeleteSecret(name, poll)).pollUntilDone();
    const names: string[] = [];
    for await (const deleted of client.listDeletedSecrets()) names.push(deleted.name);
    expect(names).toContain(name);
  });

  it("setting a name that is soft-deleted is 409 Conflict with inner code ObjectIsDeletedButRecoverable", async () => {
    const name = uniqueName();
    await client.setSecret(name, "fake-password-1");
    await (await client.beginDeleteSecret(name, poll)).pollUntilDone();
    const error = await failure(client.setSecret(name, "fake-password-2"));
    expect(error.statusCode).toBe(409);
    expect(error.code).toBe("Conflict");
    expect(error.details?.error?.innerError?.code).toBe("ObjectIsDeletedButRecoverable");
  });

  it("beginRecoverDeletedSecret brings back every version", async () => {
    const name = uniqueName();
    const first = await client.setSecret(name, "fake-password-1");
    await client.setSecret(name, "fake-password-2");
    await (await client.beginDeleteSecret(name, poll)).pollUntilDone();
    const recovered = await (await client.beginRecoverDeletedSecret(name, poll)).pollUntilDone();
    expect(recovered.name).toBe(name);
    expect((await client.getSecret(name)).value).toBe("fake-password-2");
    expect((await client.getSecret(name, { version: first.properties.version! })).value).toBe(
      "fake-password-1",
    );
    expect((await failure(client.getDeletedSecret(name))).statusCode).toBe(404);
  });

  it("purgeDeletedSecret removes it for good (204) and frees the name", async () => {
    const name = uniqueName();
    await client.setSecret(name, "fake-password-1");
    await (await client.beginDeleteSecret(name, poll)).pollUntilDone();
    await client.purgeDeletedSecret(name);
    expect((await failure(client.getDeletedSecret(name))).statusCode).toBe(404);
    await client.setSecret(name, "fake-password-2");
    expect((await client.getSecret(name)).value).toBe("fake-password-2");
  });

  it("deleting, recovering or purging what is not there is 404", async () => {
    expect((await failure(client.beginDeleteSecret("never-was", poll))).statusCode).toBe(404);
    expect((await failure(client.purgeDeletedSecret("never-was"))).statusCode).toBe(404);
    const error = await failure(
      client.beginRecoverDeletedSecret("never-was", poll).then((p) => p.pollUntilDone()),
    );
    expect(error.statusCode).toBe(404);
  });

  it("with softDeleteRetentionInDays the recovery level and purge date follow it", async () => {
    const short = await startAzureEmulator({ softDeleteRetentionInDays: 7 });
    try {
      const c = clientFor(short);
      const set = await c.setSecret("s", "fake-password-1");
      expect(set.properties.recoveryLevel).toBe("CustomizedRecoverable+Purgeable");
      expect(set.properties.recoverableDays).toBe(7);
      const deleted = await (await c.beginDeleteSecret("s", poll)).pollUntilDone();
      const span = deleted.properties.scheduledPurgeDate!.getTime() - deleted.properties.deletedOn!.getTime();
      expect(span).toBe(7 * 86_400_000);
    } finally {
      await short.stop();
    }
  });
});

describe("backup and restore", () => {
  it("a backup restores a purged secret with all its versions", async () => {
    const name = uniqueName();
    await client.setSecret(name, "fake-password-1");
    await client.setSecret(name, "fake-password-2");
    const backup = await client.backupSecret(name);
    expect(backup).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(backup!).toString("latin1")).not.toContain("fake-password");
    await (await client.beginDeleteSecret(name, poll)).pollUntilDone();
    await client.purgeDeletedSecret(name);
    const restored = await client.restoreSecretBackup(backup!);
    expect(restored.name).toBe(name);
    expect((await client.getSecret(name)).value).toBe("fake-password-2");
    const versions: string[] = [];
    for await (const p of client.listPropertiesOfSecretVersions(name)) versions.push(p.version!);
    expect(versions).toHaveLength(2);
  });

  it("restoring over an existing secret is 409 Conflict", async () => {
    const name = uniqueName();
    await client.setSecret(name, "fake-password-1");
    const backup = await client.backupSecret(name);
    expect((await failure(client.restoreSecretBackup(backup!))).statusCode).toBe(409);
  });

  it("a blob that is not a backup is 400 'Malformed backup blob'", async () => {
    const error = await failure(client.restoreSecretBackup(new Uint8Array([1, 2, 3, 4])));
    expect(error.statusCode).toBe(400);
    expect(error.code).toBe("Malformed backup blob");
    expect(error.message).toBe("Backup blob contains invalid or corrupt version.");
  });
});

describe("plain http", () => {
  // @azure/keyvault-common 2.1.1 (under @azure/keyvault-secrets 4.12) refuses to send a token over
  // anything but https ("The request URL must use HTTPS."), whatever allowInsecureConnection says;
  // so http mode serves other HTTP clients, and this test speaks raw HTTP.
  it("with http: true the same API is served over plain http, challenge included", async () => {
    const plain = await startAzureEmulator({ http: true });
    try {
      expect(plain.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(plain.certificatePem).toBeUndefined();
      const call = (method: string, path: string, auth: boolean, body?: object) =>
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          const headers: Record<string, string> = { "content-type": "application/json" };
          if (auth) headers.authorization = "Bearer not-a-real-token";
          const req = httpRequest(`${plain.url}${path}`, { method, headers }, (res) => {
            let text = "";
            res.setEncoding("utf8");
            res.on("data", (chunk: string) => {
              text += chunk;
            });
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
          });
          req.on("error", reject);
          req.end(body === undefined ? undefined : JSON.stringify(body));
        });
      expect((await call("GET", "/secrets/plain/?api-version=7.6", false)).status).toBe(401);
      expect(
        (await call("PUT", "/secrets/plain?api-version=7.6", true, { value: "fake-password-1" })).status,
      ).toBe(200);
      const got = await call("GET", "/secrets/plain/?api-version=7.6", true);
      expect(got.status).toBe(200);
      expect(JSON.parse(got.body).value).toBe("fake-password-1");
      expect(JSON.parse(got.body).id).toMatch(new RegExp(`^${plain.url}/secrets/plain/[0-9a-f]{32}$`));
    } finally {
      await plain.stop();
    }
  });
});
