// GCP Secret Manager emulator, secret versions: driven by the official client over gRPC.
import type { SecretManagerServiceClient } from "@google-cloud/secret-manager";
import { grpc } from "google-gax";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { crc32c } from "../src/gcp/crc32c.js";
import type { GcpEmulator } from "../src/gcp/index.js";
import { noRetry, startEmulatorAndClient, stopEmulatorAndClient } from "./gcp-helpers.js";

let emulator: GcpEmulator;
let client: SecretManagerServiceClient;
const project = "projects/emu-test";
let counter = 0;

beforeAll(async () => {
  ({ emulator, client } = await startEmulatorAndClient());
});
afterAll(() => stopEmulatorAndClient(emulator, client));

async function newSecret(extra: Record<string, unknown> = {}): Promise<string> {
  const [secret] = await client.createSecret({
    parent: project,
    secretId: `v-${Date.now().toString(36)}-${++counter}`,
    secret: { replication: { automatic: {} }, ...extra },
  });
  return secret.name!;
}

async function addVersion(parent: string, text: string, dataCrc32c?: number) {
  const payload = { data: Buffer.from(text), ...(dataCrc32c === undefined ? {} : { dataCrc32c }) };
  const [version] = await client.addSecretVersion({ parent, payload });
  return version;
}

async function failure(call: Promise<unknown>): Promise<{ code?: number; details?: string }> {
  try {
    await call;
  } catch (error) {
    return error as { code?: number; details?: string };
  }
  throw new Error("expected the call to fail");
}

const access = (name: string) => client.accessSecretVersion({ name }, noRetry);

describe("CRC32C", () => {
  // RFC 3720 (iSCSI) appendix B.4 test vectors, plus the common "123456789" check value.
  it("matches the published CRC-32C check values", () => {
    expect(crc32c(Buffer.from("123456789"))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(32, 0x00))).toBe(0x8a9136aa);
    expect(crc32c(Buffer.alloc(32, 0xff))).toBe(0x62a8ab43);
    expect(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => i)))).toBe(0x46dd794e);
    expect(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => 31 - i)))).toBe(0x113fdb5c);
  });
});

describe("AddSecretVersion", () => {
  it("creates version 1, then 2, ENABLED, with an etag and create_time", async () => {
    const secret = await newSecret();
    const v1 = await addVersion(secret, "fake-password-1");
    const v2 = await addVersion(secret, "fake-password-2");
    expect(v1.name).toBe(`${secret}/versions/1`);
    expect(v2.name).toBe(`${secret}/versions/2`);
    expect(v1.state).toBe("ENABLED");
    expect(v1.etag).toMatch(/^".+"$/);
    expect(Number(v1.createTime?.seconds)).toBeGreaterThan(0);
    expect(v1.replicationStatus?.automatic).toBeTruthy();
  });

  it("client_specified_payload_checksum is true only when data_crc32c was sent", async () => {
    const secret = await newSecret();
    expect((await addVersion(secret, "fake-password-1")).clientSpecifiedPayloadChecksum).toBe(false);
    const checksum = crc32c(Buffer.from("fake-password-2"));
    expect((await addVersion(secret, "fake-password-2", checksum)).clientSpecifiedPayloadChecksum).toBe(true);
  });

  it("a data_crc32c that does not match the data is INVALID_ARGUMENT, and no version is added", async () => {
    const secret = await newSecret();
    const wrong = (crc32c(Buffer.from("fake-password-1")) + 1) >>> 0;
    const error = await failure(addVersion(secret, "fake-password-1", wrong));
    expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error.details).not.toContain("fake-password-1");
    const [versions] = await client.listSecretVersions({ parent: secret });
    expect(versions).toEqual([]);
  });

  it("accepts a 65,536-byte payload and rejects 65,537 bytes as INVALID_ARGUMENT", async () => {
    const secret = await newSecret();
    const [ok] = await client.addSecretVersion({
      parent: secret,
      payload: { data: Buffer.alloc(65_536, 0x61) },
    });
    expect(ok.name).toBe(`${secret}/versions/1`);
    const tooBig = client.addSecretVersion({ parent: secret, payload: { data: Buffer.alloc(65_537, 0x61) } });
    expect((await failure(tooBig)).code).toBe(grpc.status.INVALID_ARGUMENT);
  });

  it("an empty payload is INVALID_ARGUMENT", async () => {
    const secret = await newSecret();
    const empty = client.addSecretVersion({ parent: secret, payload: { data: Buffer.alloc(0) } });
    expect((await failure(empty)).code).toBe(grpc.status.INVALID_ARGUMENT);
  });

  it("adding a version to a missing secret is NOT_FOUND", async () => {
    const call = addVersion(`${project}/secrets/ghost`, "fake-password-1");
    expect((await failure(call)).code).toBe(grpc.status.NOT_FOUND);
  });
});

describe("AccessSecretVersion", () => {
  it("latest is the most recently created version; the response names its number and carries data_crc32c", async () => {
    const secret = await newSecret();
    await addVersion(secret, "fake-password-1");
    await addVersion(secret, "fake-password-2");
    const [latest] = await access(`${secret}/versions/latest`);
    expect(latest.name).toBe(`${secret}/versions/2`);
    expect(Buffer.from(latest.payload?.data as Uint8Array).toString()).toBe("fake-password-2");
    expect(Number(latest.payload?.dataCrc32c)).toBe(crc32c(Buffer.from("fake-password-2")));
  });

  it("by number returns that version's data", async () => {
    const secret = await newSecret();
    await addVersion(secret, "fake-password-1");
    await addVersion(secret, "fake-password-2");
    const [first] = await access(`${secret}/versions/1`);
    expect(Buffer.from(first.payload?.data as Uint8Array).toString()).toBe("fake-password-1");
  });

  it("on a disabled version is FAILED_PRECONDITION", async () => {
    const secret = await newSecret();
    await addVersion(secret, "fake-password-1");
    await client.disableSecretVersion({ name: `${secret}/versions/1` });
    const error = await failure(access(`${secret}/versions/1`));
    expect(error.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(error.details).toBe(`Secret Version [${secret}/versions/1] is in DISABLED state.`);
  });

  it("on a destroyed version is FAILED_PRECONDITION", async () => {
    const secret = await newSecret();
    await addVersion(secret, "fake-password-1");
    await client.destroySecretVersion({ name: `${secret}/versions/1` });
    const error = await failure(access(`${secret}/versions/1`));
    expect(error.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(error.details).toContain("DESTROYED");
  });

  it("latest does not fall back to an older enabled version when the newest is disabled", async () => {
    const secret = await newSecret();
    await addVersion(secret, "fake-password-1");
    await addVersion(secret, "fake-password-2");
    await client.disableSecretVersion({ name: `${secret}/versions/2` });
    const error = await failure(access(`${secret}/versions/latest`));
    expect(error.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(error.details).toContain(`${secret}/versions/2`);
  });

  it("latest on a secret with no versions is NOT_FOUND", async () => {
    const secret = await newSecret();
    expect((await failure(access(`${secret}/versions/latest`))).code).toBe(grpc.status.NOT_FOUND);
  });

  it("a version number that does not exist is NOT_FOUND", async () => {
    const secret = await newSecret();
    await addVersion(secret, "fake-password-1");
    expect((await failure(access(`${secret}/versions/7`))).code).toBe(grpc.status.NOT_FOUND);
  });

  it("a version alias set through UpdateSecret resolves to its version", async () => {
    const secret = await newSecret();
    await addVersion(secret, "fake-password-1");
    await addVersion(secret, "fake-password-2");
    await client.updateSecret({
      secret: { name: secret, versionAliases: { stable: 1 } },
      updateMask: { paths: ["version_aliases"] },
    });
    const [byAlias] = await access(`${secret}/versions/stable`);
    expect(byAlias.name).toBe(`${secret}/versions/1`);
    const [got] = await client.getSecret({ name: secret });
    expect(got.versionAliases).toEqual({ stable: "1" });
  });

  it("an alias named latest, or pointing at a missing version, is INVALID_ARGUMENT", async () => {
    const secret = await newSecret();
    await addVersion(secret, "fake-password-1");
    const invalid: Array<Record<string, number>> = [{ latest: 1 }, { stable: 5 }, { "9lives": 1 }];
    for (const versionAliases of invalid) {
      const call = client.updateSecret({
        secret: { name: secret, versionAliases },
        updateMask: { paths: ["version_aliases"] },
      });
      expect((await failure(call)).code).toBe(grpc.status.INVALID_ARGUMENT);
    }
  });
});

describe("GetSecretVersion", () => {
  it("latest resolves to the newest version's metadata, disabled or not, without a payload", async () => {
    const secret = await newSecret();
    await addVersion(secret, "fake-password-1");
    await addVersion(secret, "fake-password-2");
    await client.disableSecretVersion({ name: `${secret}/versions/2` });
    const [latest] = await client.getSecretVersion({ name: `${secret}/versions/latest` });
    expect(latest.name).toBe(`${secret}/versions/2`);
    expect(latest.state).toBe("DISABLED");
    expect(JSON.stringify(latest)).not.toContain("fake-password");
  });
});

describe("ListSecretVersions", () => {
  it("lists newest first with total_size, and pages", async () => {
    const secret = await newSecret();
    for (let i = 1; i <= 5; i++) await addVersion(secret, `fake-password-${i}`);
    const [all, , response] = await client.listSecretVersions({ parent: secret }, { autoPaginate: false });
    expect(all.map((v) => v.name?.split("/").pop())).toEqual(["5", "4", "3", "2", "1"]);
    expect(response?.totalSize).toBe(5);
    const [page1, , r1] = await client.listSecretVersions(
      { parent: secret, pageSize: 3 },
      { autoPaginate: false },
    );
    const [page2, , r2] = await client.listSecretVersions(
      { parent: secret, pageSize: 3, pageToken: r1?.nextPageToken ?? "" },
      { autoPaginate: false },
    );
    expect([...page1, ...page2].map((v) => v.name?.split("/").pop())).toEqual(["5", "4", "3", "2", "1"]);
    expect(r2?.nextPageToken).toBe("");
  });

  it("filters on state", async () => {
    const secret = await newSecret();
    for (let i = 1; i <= 3; i++) await addVersion(secret, `fake-password-${i}`);
    await client.disableSecretVersion({ name: `${secret}/versions/1` });
    await client.destroySecretVersion({ name: `${secret}/versions/2` });
    const numbers = async (filter: string) =>
      (await client.listSecretVersions({ parent: secret, filter }))[0].map((v) => v.name?.split("/").pop());
    expect(await numbers("state:ENABLED")).toEqual(["3"]);
    expect(await numbers("state:(DISABLED OR DESTROYED)")).toEqual(["2", "1"]);
    expect(await numbers("NOT state:DESTROYED")).toEqual(["3", "1"]);
  });

  it("for a missing secret is NOT_FOUND", async () => {
    const call = client.listSecretVersions({ parent: `${project}/secrets/ghost` }, { autoPaginate: false });
    expect((await failure(call)).code).toBe(grpc.status.NOT_FOUND);
  });
});

describe("Disable, Enable and Destroy SecretVersion", () => {
  it("disable then enable makes a version accessible again", async () => {
    const secret = await newSecret();
    await addVersion(secret, "fake-password-1");
    const [disabled] = await client.disableSecretVersion({ name: `${secret}/versions/1` });
    expect(disabled.state).toBe("DISABLED");
    const [enabled] = await client.enableSecretVersion({ name: `${secret}/versions/1` });
    expect(enabled.state).toBe("ENABLED");
    const [accessed] = await access(`${secret}/versions/1`);
    expect(Buffer.from(accessed.payload?.data as Uint8Array).toString()).toBe("fake-password-1");
  });

  it("destroy sets DESTROYED and destroy_time, and clears the payload for good", async () => {
    const secret = await newSecret();
    await addVersion(secret, "fake-password-1");
    const [destroyed] = await client.destroySecretVersion({ name: `${secret}/versions/1` });
    expect(destroyed.state).toBe("DESTROYED");
    expect(Number(destroyed.destroyTime?.seconds)).toBeGreaterThan(0);
    for (const call of [
      client.enableSecretVersion({ name: `${secret}/versions/1` }),
      client.disableSecretVersion({ name: `${secret}/versions/1` }),
      client.destroySecretVersion({ name: `${secret}/versions/1` }),
    ]) {
      expect((await failure(call)).code).toBe(grpc.status.FAILED_PRECONDITION);
    }
    expect((await failure(access(`${secret}/versions/1`))).code).toBe(grpc.status.FAILED_PRECONDITION);
  });

  it("enabling an enabled version succeeds and renews its etag, so a stale etag then fails", async () => {
    const secret = await newSecret();
    const v1 = await addVersion(secret, "fake-password-1");
    const [again] = await client.enableSecretVersion({ name: v1.name, etag: v1.etag });
    expect(again.state).toBe("ENABLED");
    expect(again.etag).not.toBe(v1.etag);
    const stale = client.disableSecretVersion({ name: v1.name, etag: v1.etag });
    expect((await failure(stale)).code).toBe(grpc.status.FAILED_PRECONDITION);
    const [disabled] = await client.disableSecretVersion({ name: v1.name, etag: again.etag });
    expect(disabled.state).toBe("DISABLED");
  });

  it("transitions on a missing version are NOT_FOUND", async () => {
    const secret = await newSecret();
    const call = client.disableSecretVersion({ name: `${secret}/versions/3` });
    expect((await failure(call)).code).toBe(grpc.status.NOT_FOUND);
  });

  it("with version_destroy_ttl, destroy disables the version and schedules destruction; enabling cancels it", async () => {
    const secret = await newSecret({ versionDestroyTtl: { seconds: 86_400 } });
    await addVersion(secret, "fake-password-1");
    const before = Date.now();
    const [scheduled] = await client.destroySecretVersion({ name: `${secret}/versions/1` });
    expect(scheduled.state).toBe("DISABLED");
    const scheduledMs = Number(scheduled.scheduledDestroyTime?.seconds) * 1000;
    expect(scheduledMs).toBeGreaterThanOrEqual(before + 86_400_000 - 1000);
    const [restored] = await client.enableSecretVersion({ name: `${secret}/versions/1` });
    expect(restored.state).toBe("ENABLED");
    expect(restored.scheduledDestroyTime).toBeNull();
    const [accessed] = await access(`${secret}/versions/1`);
    expect(Buffer.from(accessed.payload?.data as Uint8Array).toString()).toBe("fake-password-1");
  });
});
