// Azure Key Vault emulator, keys: driven by the official @azure/keyvault-keys KeyClient and
// CryptographyClient over HTTPS (the emulator's own certificate, 127.0.0.1, a hand-written
// TokenCredential). `emulator.calls` counts what reached the vault, so each test shows which client
// calls ran in the SDK (local RSA-OAEP wrap with the public key) and which went to the service.
import { constants, createPublicKey, publicEncrypt } from "node:crypto";
import { request } from "node:https";
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { CryptographyClient, KeyClient, type KeyVaultKey } from "@azure/keyvault-keys";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AzureKeysEmulator, startAzureKeysEmulator } from "../src/azure-keys/index.js";

/** A hand-written credential: never the default Azure chain, which probes the metadata service. */
class FakeCredential implements TokenCredential {
  async getToken(): Promise<AccessToken> {
    return { token: "not-a-real-token", expiresOnTimestamp: Date.now() + 3_600_000 };
  }
}

let emulator: AzureKeysEmulator;
let keys: KeyClient;
let counter = 0;
const uniqueName = (prefix = "k") => `${prefix}-${Date.now().toString(36)}-${++counter}`;
const poll = { intervalInMs: 10 };

function clientOptions(target: AzureKeysEmulator) {
  return {
    disableChallengeResourceVerification: true,
    tlsOptions: { ca: target.certificatePem },
    retryOptions: { maxRetries: 0 },
  };
}

function crypto(key: string | KeyVaultKey): CryptographyClient {
  return new CryptographyClient(key, new FakeCredential(), clientOptions(emulator));
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

/** How many requests of each operation `work` sent to the emulator. */
async function counted(work: () => Promise<unknown>): Promise<Record<string, number>> {
  const before = { ...emulator.calls };
  await work();
  const delta: Record<string, number> = {};
  for (const [operation, n] of Object.entries(emulator.calls)) {
    if (n !== (before[operation] ?? 0)) delta[operation] = n - (before[operation] ?? 0);
  }
  return delta;
}

function raw(path: string, headers: Record<string, string> = {}, method = "GET", body?: string) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = request(
        `${emulator.url}${path}`,
        { ca: emulator.certificatePem, headers, method },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => {
            text += chunk;
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
        },
      );
      req.on("error", reject);
      req.end(body);
    },
  );
}

const DATA_KEY = Buffer.alloc(32, 7);

beforeAll(async () => {
  emulator = await startAzureKeysEmulator();
  keys = new KeyClient(emulator.url, new FakeCredential(), clientOptions(emulator));
});

afterAll(async () => {
  await emulator?.stop();
});

describe("the wire: challenge, api-version, errors", () => {
  it("answers a request without a token with 401 and the bearer challenge, counting nothing", async () => {
    const res = await raw("/keys/x?api-version=7.6");
    expect(res.status).toBe(401);
    expect(String(res.headers["www-authenticate"])).toMatch(/^Bearer authorization="https:\/\/login/);
    expect(JSON.parse(res.body).error.code).toBe("Unauthorized");
  });

  it("needs a known api-version: 400 BadParameter otherwise", async () => {
    const auth = { authorization: "Bearer not-a-real-token" };
    for (const query of ["", "?api-version=1999-01-01"]) {
      const res = await raw(`/keys/x${query}`, auth);
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body).error.code).toBe("BadParameter");
    }
  });

  it("an unknown key or version is 404 KeyNotFound in Key Vault's error shape", async () => {
    const missing = await failure(keys.getKey(uniqueName("missing")));
    expect(missing).toMatchObject({ statusCode: 404, code: "KeyNotFound" });
    expect(missing.message).toMatch(/^A key with \(name\/id\) missing-.* was not found in this key vault/);
    const name = uniqueName();
    await keys.createRsaKey(name);
    const version = await failure(keys.getKey(name, { version: "0".repeat(32) }));
    expect(version).toMatchObject({ statusCode: 404, code: "KeyNotFound" });
  });

  it("creating anything but an RSA key of 2048+ bits is 400 BadParameter", async () => {
    expect(await failure(keys.createKey(uniqueName(), "EC"))).toMatchObject({
      statusCode: 400,
      code: "BadParameter",
    });
    expect(await failure(keys.createRsaKey(uniqueName(), { keySize: 1024 }))).toMatchObject({
      statusCode: 400,
      code: "BadParameter",
    });
  });

  it("injected faults answer 503 (or 429 with Retry-After) once, then the vault answers again", async () => {
    const name = uniqueName();
    await keys.createRsaKey(name);
    emulator.failNext(1);
    expect(await failure(keys.getKey(name))).toMatchObject({ statusCode: 503 });
    emulator.failNext(1, { status: 429 });
    expect(await failure(keys.getKey(name))).toMatchObject({ statusCode: 429, code: "Throttled" });
    expect((await keys.getKey(name)).name).toBe(name);
  });
});

describe("keys: create, get, rotate", () => {
  it("creates an RSA key whose kid is https://{vault}/keys/{name}/{version}, public material only", async () => {
    const name = uniqueName();
    const created = await keys.createRsaKey(name, { keySize: 3072, hsm: true });
    expect(created.id).toMatch(new RegExp(`^${emulator.url}/keys/${name}/[0-9a-f]{32}$`));
    expect(created.keyType).toBe("RSA-HSM");
    expect(created.key?.n).toHaveLength(384);
    expect(created.key?.d).toBeUndefined();
    expect(created.keyOperations).toEqual(["encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey"]);
    expect(created.properties.enabled).toBe(true);
    expect(created.properties.recoveryLevel).toBe("Recoverable+Purgeable");
    const latest = await keys.getKey(name);
    expect(latest.id).toBe(created.id);
    expect((await keys.getKey(name, { version: created.properties.version! })).id).toBe(created.id);
  });

  it("rotate makes a new current version; every old version still unwraps what it wrapped", async () => {
    const name = uniqueName();
    const first = await keys.createRsaKey(name);
    const wrappedByFirst = await crypto(first.id!).wrapKey("RSA-OAEP-256", DATA_KEY);
    const second = await keys.rotateKey(name);
    expect(second.properties.version).not.toBe(first.properties.version);
    expect((await keys.getKey(name)).id).toBe(second.id);
    expect(second.key?.n).not.toEqual(first.key?.n);
    const versions: string[] = [];
    for await (const item of keys.listPropertiesOfKeyVersions(name)) versions.push(item.version!);
    expect(versions.sort()).toEqual([first.properties.version, second.properties.version].sort());

    const unwrapped = await crypto(first.id!).unwrapKey("RSA-OAEP-256", wrappedByFirst.result);
    expect(Buffer.from(unwrapped.result)).toEqual(DATA_KEY);
    expect(unwrapped.keyID).toBe(first.id);
    // The new version cannot open what the old one wrapped.
    const wrong = await failure(crypto(second.id!).unwrapKey("RSA-OAEP-256", wrappedByFirst.result));
    expect(wrong).toMatchObject({ statusCode: 400, code: "BadParameter" });
  });
});

describe("wrapkey and unwrapkey: real RSA-OAEP, local and remote", () => {
  it("RSA-OAEP-256: the SDK reads the key once, then wrap and unwrap both run in the vault", async () => {
    const key = await keys.createRsaKey(uniqueName());
    const client = crypto(key.id!);
    let wrapped = Buffer.alloc(0);
    expect(
      await counted(async () => {
        wrapped = Buffer.from((await client.wrapKey("RSA-OAEP-256", DATA_KEY)).result);
      }),
    ).toEqual({ getKey: 1, wrapKey: 1 });
    expect(wrapped).toHaveLength(256);
    let unwrapped = Buffer.alloc(0);
    expect(
      await counted(async () => {
        unwrapped = Buffer.from((await client.unwrapKey("RSA-OAEP-256", wrapped)).result);
      }),
    ).toEqual({ unwrapKey: 1 });
    expect(unwrapped).toEqual(DATA_KEY);
    // OAEP is randomised: the same key wraps differently each time.
    const again = Buffer.from((await client.wrapKey("RSA-OAEP-256", DATA_KEY)).result);
    expect(again.equals(wrapped)).toBe(false);
  });

  it("RSA-OAEP: the SDK wraps locally with the public key (no wrapkey call); unwrap always goes to the vault", async () => {
    const key = await keys.createRsaKey(uniqueName());
    const client = crypto(key.id!);
    let wrapped = Buffer.alloc(0);
    expect(
      await counted(async () => {
        wrapped = Buffer.from((await client.wrapKey("RSA-OAEP", DATA_KEY)).result);
      }),
    ).toEqual({ getKey: 1 });
    let unwrapped = Buffer.alloc(0);
    expect(
      await counted(async () => {
        unwrapped = Buffer.from((await client.unwrapKey("RSA-OAEP", wrapped)).result);
      }),
    ).toEqual({ unwrapKey: 1 });
    expect(unwrapped).toEqual(DATA_KEY);
  });

  it("unwraps what node:crypto wrapped with OAEP-SHA-256 and the published n and e (standard RSA-OAEP-256)", async () => {
    const key = await keys.createRsaKey(uniqueName());
    const publicKey = createPublicKey({
      key: {
        kty: "RSA",
        n: Buffer.from(key.key!.n!).toString("base64url"),
        e: Buffer.from(key.key!.e!).toString("base64url"),
      },
      format: "jwk",
    });
    const wrapped = publicEncrypt(
      { key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" },
      DATA_KEY,
    );
    expect(Buffer.from((await crypto(key.id!).unwrapKey("RSA-OAEP-256", wrapped)).result)).toEqual(DATA_KEY);
    // The same bytes under the SHA-1 variant do not decrypt: the hash is part of the algorithm.
    expect(await failure(crypto(key.id!).unwrapKey("RSA-OAEP", wrapped))).toMatchObject({
      statusCode: 400,
      code: "BadParameter",
    });
  });

  it("refuses altered ciphertext, empty or oversized keys, and unsupported algorithms with 400 BadParameter", async () => {
    const key = await keys.createRsaKey(uniqueName());
    const client = crypto(key.id!);
    const wrapped = Buffer.from((await client.wrapKey("RSA-OAEP-256", DATA_KEY)).result);
    wrapped[100]! ^= 1;
    expect(await failure(client.unwrapKey("RSA-OAEP-256", wrapped))).toMatchObject({
      statusCode: 400,
      code: "BadParameter",
    });
    expect(await failure(client.wrapKey("RSA-OAEP-256", Buffer.alloc(191)))).toMatchObject({
      statusCode: 400,
    });
    expect(await failure(client.unwrapKey("RSA1_5", wrapped))).toMatchObject({
      statusCode: 400,
      code: "BadParameter",
    });
    const res = await raw(
      `/keys/${key.name}/${key.properties.version}/wrapkey?api-version=7.6`,
      { authorization: "Bearer not-a-real-token", "content-type": "application/json" },
      "POST",
      JSON.stringify({ alg: "RSA-OAEP-256", value: "not base64url!" }),
    );
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).error.code).toBe("BadParameter");
  });
});

describe("key_ops, disabled and deleted keys", () => {
  it("a key without wrapKey/unwrapKey in key_ops is refused: 403 Forbidden KeyOperationForbidden at the vault", async () => {
    const key = await keys.createRsaKey(uniqueName());
    const client = crypto(key.id!);
    const wrapped = (await client.wrapKey("RSA-OAEP-256", DATA_KEY)).result; // the client now holds the key
    await keys.updateKeyProperties(key.name, key.properties.version!, { keyOps: ["sign", "verify"] });
    for (const call of [
      client.wrapKey("RSA-OAEP-256", DATA_KEY),
      client.unwrapKey("RSA-OAEP-256", wrapped),
    ]) {
      const refused = await failure(call);
      expect(refused).toMatchObject({ statusCode: 403, code: "Forbidden" });
      expect(refused.message).toMatch(/^Operation (wrapKey|unwrapKey) is not permitted on this key\.$/);
      expect(refused.details?.error?.innerError?.code).toBe("KeyOperationForbidden");
    }
    // A fresh client reads key_ops first and refuses before calling the vault.
    const fresh = crypto(key.id!);
    const delta = await counted(async () => {
      expect((await failure(fresh.unwrapKey("RSA-OAEP-256", wrapped))).message).toMatch(
        /not supported on key/,
      );
    });
    expect(delta).toEqual({ getKey: 1 });
  });

  it("a disabled key can be read but not used: 403 Forbidden KeyDisabled; enabled again it unwraps", async () => {
    const key = await keys.createRsaKey(uniqueName());
    const client = crypto(key.id!);
    const wrapped = (await client.wrapKey("RSA-OAEP-256", DATA_KEY)).result;
    await keys.updateKeyProperties(key.name, key.properties.version!, { enabled: false });
    expect((await keys.getKey(key.name)).properties.enabled).toBe(false);
    const refused = await failure(client.unwrapKey("RSA-OAEP-256", wrapped));
    expect(refused).toMatchObject({ statusCode: 403, code: "Forbidden" });
    expect(refused.details?.error?.innerError?.code).toBe("KeyDisabled");
    await keys.updateKeyProperties(key.name, key.properties.version!, { enabled: true });
    expect(Buffer.from((await client.unwrapKey("RSA-OAEP-256", wrapped)).result)).toEqual(DATA_KEY);
  });

  it("a soft-deleted key unwraps nothing (404) until recovered; purged, it is gone for good", async () => {
    const name = uniqueName();
    const key = await keys.createRsaKey(name);
    const client = crypto(key.id!);
    const wrapped = (await client.wrapKey("RSA-OAEP-256", DATA_KEY)).result;
    const deleted = await (await keys.beginDeleteKey(name, poll)).pollUntilDone();
    expect(deleted.properties.recoveryId).toBe(`${emulator.url}/deletedkeys/${name}`);
    expect(deleted.properties.scheduledPurgeDate).toBeInstanceOf(Date);
    expect(await failure(client.unwrapKey("RSA-OAEP-256", wrapped))).toMatchObject({
      statusCode: 404,
      code: "KeyNotFound",
    });
    expect(await failure(keys.createRsaKey(name))).toMatchObject({ statusCode: 409, code: "Conflict" });
    await (await keys.beginRecoverDeletedKey(name, poll)).pollUntilDone();
    expect(Buffer.from((await client.unwrapKey("RSA-OAEP-256", wrapped)).result)).toEqual(DATA_KEY);

    await (await keys.beginDeleteKey(name, poll)).pollUntilDone();
    await keys.purgeDeletedKey(name);
    expect(await failure(keys.getDeletedKey(name))).toMatchObject({ statusCode: 404, code: "KeyNotFound" });
    expect(await failure(client.unwrapKey("RSA-OAEP-256", wrapped))).toMatchObject({ statusCode: 404 });
    // The name is free again; a new key under it is new material that cannot open the old ciphertext.
    const reborn = await keys.createRsaKey(name);
    expect(await failure(crypto(reborn.id!).unwrapKey("RSA-OAEP-256", wrapped))).toMatchObject({
      statusCode: 400,
    });
  });
});
