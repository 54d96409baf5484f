// The GCP Cloud KMS emulator through the official client (@google-cloud/kms) over gRPC on a
// socket: key rings, keys and versions, Encrypt/Decrypt with AAD and the CRC32C integrity fields,
// rotation, and the errors Cloud KMS gives for each mistake.
import { KeyManagementServiceClient } from "@google-cloud/kms";
import { googleAuthLibrary, grpc } from "google-gax";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { crc32c } from "../src/gcp/crc32c.js";
import { type GcpKmsEmulator, startGcpKmsEmulator } from "../src/gcp-kms/index.js";
import { noRetry } from "./gcp-helpers.js";

process.env.METADATA_SERVER_DETECTION = "none";

function clientFor(port: number): KeyManagementServiceClient {
  return new KeyManagementServiceClient({
    apiEndpoint: "127.0.0.1",
    port,
    sslCreds: grpc.credentials.createInsecure(),
    authClient: new googleAuthLibrary.PassThroughClient(),
  });
}

const location = "projects/emu-kms/locations/global";
let emulator: GcpKmsEmulator;
let kms: KeyManagementServiceClient;
let counter = 0;
const uniqueId = (prefix = "k") => `${prefix}-${Date.now().toString(36)}-${++counter}`;

beforeAll(async () => {
  emulator = await startGcpKmsEmulator();
  kms = clientFor(emulator.port);
});
afterAll(async () => {
  await kms.close();
  await emulator.stop();
});

/** The gRPC status a rejected call carries, and its text. */
async function rejection(call: Promise<unknown>): Promise<{ code: number; details: string }> {
  try {
    await call;
  } catch (error) {
    const { code, details } = error as { code: number; details: string };
    return { code, details };
  }
  throw new Error("expected the call to fail");
}

async function newKey(ring?: string): Promise<string> {
  const keyRing =
    ring ?? (await kms.createKeyRing({ parent: location, keyRingId: uniqueId("r"), keyRing: {} }))[0].name!;
  const [key] = await kms.createCryptoKey({
    parent: keyRing,
    cryptoKeyId: uniqueId(),
    cryptoKey: { purpose: "ENCRYPT_DECRYPT" },
  });
  return key.name!;
}

const crc = (data: Uint8Array) => ({ value: crc32c(data) });
const aad = Buffer.from("coffer:deployment=d1");

describe("GCP KMS emulator: key rings and keys", () => {
  it("CreateKeyRing, CreateCryptoKey and GetCryptoKey give full names, create times and version 1 as primary", async () => {
    const ringId = uniqueId("r");
    const before = Date.now();
    const [ring] = await kms.createKeyRing({ parent: location, keyRingId: ringId, keyRing: {} });
    expect(ring.name).toBe(`${location}/keyRings/${ringId}`);
    expect(Number(ring.createTime?.seconds) * 1000).toBeGreaterThanOrEqual(before - 1000);
    const [created] = await kms.createCryptoKey({
      parent: ring.name!,
      cryptoKeyId: "coffer",
      cryptoKey: { purpose: "ENCRYPT_DECRYPT", labels: { team: "core" } },
    });
    expect(created.name).toBe(`${location}/keyRings/${ringId}/cryptoKeys/coffer`);
    const [key] = await kms.getCryptoKey({ name: created.name! });
    expect(key).toMatchObject({ name: created.name, purpose: "ENCRYPT_DECRYPT", labels: { team: "core" } });
    expect(key.primary).toMatchObject({
      name: `${created.name}/cryptoKeyVersions/1`,
      state: "ENABLED",
      algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION",
      protectionLevel: "SOFTWARE",
    });
    const [ringAgain] = await kms.getKeyRing({ name: ring.name! });
    expect(ringAgain.name).toBe(ring.name);
  });

  it("skip_initial_version_creation leaves the key without a primary: Encrypt is FAILED_PRECONDITION", async () => {
    const ring = (await kms.createKeyRing({ parent: location, keyRingId: uniqueId("r"), keyRing: {} }))[0]
      .name!;
    const [key] = await kms.createCryptoKey({
      parent: ring,
      cryptoKeyId: "empty",
      cryptoKey: { purpose: "ENCRYPT_DECRYPT" },
      skipInitialVersionCreation: true,
    });
    expect(key.primary).toBeNull();
    const refused = await rejection(kms.encrypt({ name: key.name!, plaintext: Buffer.from("x") }));
    expect(refused.code).toBe(grpc.status.FAILED_PRECONDITION);
  });

  it("an existing id is ALREADY_EXISTS; a bad id or no purpose is INVALID_ARGUMENT; a missing parent or key is NOT_FOUND", async () => {
    const ringId = uniqueId("r");
    await kms.createKeyRing({ parent: location, keyRingId: ringId, keyRing: {} });
    const ring = `${location}/keyRings/${ringId}`;
    expect(
      (await rejection(kms.createKeyRing({ parent: location, keyRingId: ringId, keyRing: {} }))).code,
    ).toBe(grpc.status.ALREADY_EXISTS);
    await kms.createCryptoKey({ parent: ring, cryptoKeyId: "k", cryptoKey: { purpose: "ENCRYPT_DECRYPT" } });
    const again = kms.createCryptoKey({
      parent: ring,
      cryptoKeyId: "k",
      cryptoKey: { purpose: "ENCRYPT_DECRYPT" },
    });
    expect((await rejection(again)).code).toBe(grpc.status.ALREADY_EXISTS);
    for (const keyRingId of ["has.dot", "a".repeat(64), ""]) {
      const bad = kms.createKeyRing({ parent: location, keyRingId, keyRing: {} });
      expect((await rejection(bad)).code, keyRingId).toBe(grpc.status.INVALID_ARGUMENT);
    }
    const noPurpose = kms.createCryptoKey({ parent: ring, cryptoKeyId: "p", cryptoKey: {} });
    expect((await rejection(noPurpose)).code).toBe(grpc.status.INVALID_ARGUMENT);
    const badParent = kms.createKeyRing({ parent: "projects/emu-kms", keyRingId: "r", keyRing: {} });
    expect((await rejection(badParent)).code).toBe(grpc.status.INVALID_ARGUMENT);
    const noRing = kms.createCryptoKey({
      parent: `${location}/keyRings/absent`,
      cryptoKeyId: "k",
      cryptoKey: { purpose: "ENCRYPT_DECRYPT" },
    });
    expect((await rejection(noRing)).code).toBe(grpc.status.NOT_FOUND);
    const missing = await rejection(kms.getCryptoKey({ name: `${ring}/cryptoKeys/absent` }));
    expect(missing.code).toBe(grpc.status.NOT_FOUND);
    const encryptMissing = kms.encrypt({ name: `${ring}/cryptoKeys/absent`, plaintext: Buffer.from("x") });
    expect((await rejection(encryptMissing)).code).toBe(grpc.status.NOT_FOUND);
  });

  it("methods it does not emulate answer UNIMPLEMENTED", async () => {
    const refused = await rejection(kms.listKeyRings({ parent: location }, { autoPaginate: false }));
    expect(refused.code).toBe(grpc.status.UNIMPLEMENTED);
    expect(refused.details).toContain("ListKeyRings");
  });
});

describe("GCP KMS emulator: Encrypt and Decrypt", () => {
  it("round-trips with AAD; each response carries the CRC32C of its bytes and says which request checksums it verified", async () => {
    const name = await newKey();
    const plaintext = Buffer.from("a 32-byte data key, or any bytes");
    const [encrypted] = await kms.encrypt({
      name,
      plaintext,
      additionalAuthenticatedData: aad,
      plaintextCrc32c: crc(plaintext),
      additionalAuthenticatedDataCrc32c: crc(aad),
    });
    expect(encrypted.name).toBe(`${name}/cryptoKeyVersions/1`);
    expect(encrypted.verifiedPlaintextCrc32c).toBe(true);
    expect(encrypted.verifiedAdditionalAuthenticatedDataCrc32c).toBe(true);
    const ciphertext = Buffer.from(encrypted.ciphertext as Uint8Array);
    expect(ciphertext.includes(plaintext)).toBe(false);
    expect(Number(encrypted.ciphertextCrc32c?.value)).toBe(crc32c(ciphertext));
    const [decrypted] = await kms.decrypt({
      name,
      ciphertext,
      additionalAuthenticatedData: aad,
      ciphertextCrc32c: crc(ciphertext),
      additionalAuthenticatedDataCrc32c: crc(aad),
    });
    expect(Buffer.from(decrypted.plaintext as Uint8Array)).toEqual(plaintext);
    expect(Number(decrypted.plaintextCrc32c?.value)).toBe(crc32c(plaintext));
    expect(decrypted.usedPrimary).toBe(true);
    // Without request checksums the service verifies nothing and says so.
    const [unchecked] = await kms.encrypt({ name, plaintext });
    expect(unchecked.verifiedPlaintextCrc32c).toBe(false);
    expect(unchecked.verifiedAdditionalAuthenticatedDataCrc32c).toBe(false);
  });

  it("CRC32C is Castagnoli's (the check value of '123456789' is 0xE3069283)", () => {
    expect(crc32c(Buffer.from("123456789"))).toBe(0xe3069283);
  });

  it("a request checksum that does not match its field is INVALID_ARGUMENT, and nothing is encrypted or decrypted", async () => {
    const name = await newKey();
    const plaintext = Buffer.from("data");
    const wrongPlaintext = await rejection(
      kms.encrypt({ name, plaintext, plaintextCrc32c: { value: crc32c(plaintext) ^ 1 } }),
    );
    expect(wrongPlaintext.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(wrongPlaintext.details).toMatch(/plaintext_crc32c/);
    const wrongAad = await rejection(
      kms.encrypt({
        name,
        plaintext,
        additionalAuthenticatedData: aad,
        additionalAuthenticatedDataCrc32c: { value: 7 },
      }),
    );
    expect(wrongAad.details).toMatch(/additional_authenticated_data_crc32c/);
    const [encrypted] = await kms.encrypt({ name, plaintext });
    const ciphertext = Buffer.from(encrypted.ciphertext as Uint8Array);
    const wrongCiphertext = await rejection(
      kms.decrypt({ name, ciphertext, ciphertextCrc32c: { value: crc32c(ciphertext) ^ 1 } }),
    );
    expect(wrongCiphertext.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(wrongCiphertext.details).toMatch(/ciphertext_crc32c/);
  });

  it("another AAD, an altered ciphertext or a ciphertext of another key is INVALID_ARGUMENT", async () => {
    const name = await newKey();
    const other = await newKey();
    const [encrypted] = await kms.encrypt({
      name,
      plaintext: Buffer.from("data"),
      additionalAuthenticatedData: aad,
    });
    const ciphertext = Buffer.from(encrypted.ciphertext as Uint8Array);
    const otherAad = await rejection(
      kms.decrypt({ name, ciphertext, additionalAuthenticatedData: Buffer.from("x") }),
    );
    expect(otherAad.code).toBe(grpc.status.INVALID_ARGUMENT);
    const altered = Buffer.from(ciphertext);
    altered[altered.length - 1]! ^= 1;
    const alteredRefused = await rejection(
      kms.decrypt({ name, ciphertext: altered, additionalAuthenticatedData: aad }),
    );
    expect(alteredRefused.code).toBe(grpc.status.INVALID_ARGUMENT);
    const foreign = await rejection(
      kms.decrypt({ name: other, ciphertext, additionalAuthenticatedData: aad }),
    );
    expect(foreign).toEqual({
      code: grpc.status.INVALID_ARGUMENT,
      details: "Decryption failed: verify that 'name' refers to the correct CryptoKey.",
    });
    // A key of the same name in another emulator is another key too.
    const elsewhere = await startGcpKmsEmulator();
    const client = clientFor(elsewhere.port);
    try {
      const ring = name.slice(0, name.indexOf("/cryptoKeys/"));
      await client.createKeyRing({ parent: location, keyRingId: ring.split("/").pop()!, keyRing: {} });
      await client.createCryptoKey({
        parent: ring,
        cryptoKeyId: name.split("/").pop()!,
        cryptoKey: { purpose: "ENCRYPT_DECRYPT" },
      });
      const twin = await rejection(client.decrypt({ name, ciphertext, additionalAuthenticatedData: aad }));
      expect(twin.code).toBe(grpc.status.INVALID_ARGUMENT);
    } finally {
      await client.close();
      await elsewhere.stop();
    }
  });

  it("plaintext over 64 KiB or none at all is INVALID_ARGUMENT", async () => {
    const name = await newKey();
    expect((await rejection(kms.encrypt({ name, plaintext: Buffer.alloc(64 * 1024 + 1) }))).code).toBe(
      grpc.status.INVALID_ARGUMENT,
    );
    expect((await rejection(kms.encrypt({ name, plaintext: Buffer.alloc(0) }))).code).toBe(
      grpc.status.INVALID_ARGUMENT,
    );
    const [max] = await kms.encrypt({ name, plaintext: Buffer.alloc(64 * 1024, 1) });
    expect(max.ciphertext?.length).toBeGreaterThan(64 * 1024);
  });
});

describe("GCP KMS emulator: rotation and version states", () => {
  it("a new version is not primary until UpdateCryptoKeyPrimaryVersion; old versions still decrypt; the ciphertext names its version", async () => {
    const name = await newKey();
    const [v1Cipher] = await kms.encrypt({
      name,
      plaintext: Buffer.from("one"),
      additionalAuthenticatedData: aad,
    });
    const [v2] = await kms.createCryptoKeyVersion({ parent: name, cryptoKeyVersion: {} });
    expect(v2).toMatchObject({ name: `${name}/cryptoKeyVersions/2`, state: "ENABLED" });
    const [stillV1] = await kms.encrypt({ name, plaintext: Buffer.from("x") });
    expect(stillV1.name).toBe(`${name}/cryptoKeyVersions/1`);
    const [updated] = await kms.updateCryptoKeyPrimaryVersion({ name, cryptoKeyVersionId: "2" });
    expect(updated.primary?.name).toBe(`${name}/cryptoKeyVersions/2`);
    const [v2Cipher] = await kms.encrypt({
      name,
      plaintext: Buffer.from("two"),
      additionalAuthenticatedData: aad,
    });
    expect(v2Cipher.name).toBe(`${name}/cryptoKeyVersions/2`);
    expect(emulator.inspectCiphertext(v1Cipher.ciphertext as Uint8Array)).toEqual({ version: 1 });
    expect(emulator.inspectCiphertext(v2Cipher.ciphertext as Uint8Array)).toEqual({ version: 2 });
    const [old] = await kms.decrypt({
      name,
      ciphertext: v1Cipher.ciphertext,
      additionalAuthenticatedData: aad,
    });
    expect(Buffer.from(old.plaintext as Uint8Array).toString()).toBe("one");
    expect(old.usedPrimary).toBe(false);
    const [current] = await kms.decrypt({
      name,
      ciphertext: v2Cipher.ciphertext,
      additionalAuthenticatedData: aad,
    });
    expect(current.usedPrimary).toBe(true);
    // Encrypt may name a version explicitly.
    const [explicit] = await kms.encrypt({
      name: `${name}/cryptoKeyVersions/1`,
      plaintext: Buffer.from("x"),
    });
    expect(explicit.name).toBe(`${name}/cryptoKeyVersions/1`);
    expect((await rejection(kms.updateCryptoKeyPrimaryVersion({ name, cryptoKeyVersionId: "9" }))).code).toBe(
      grpc.status.NOT_FOUND,
    );
  });

  it("a disabled or destroyed version neither encrypts nor decrypts (FAILED_PRECONDITION); enabled again, it does", async () => {
    const name = await newKey();
    const [sealed] = await kms.encrypt({ name, plaintext: Buffer.from("data") });
    const v1 = `${name}/cryptoKeyVersions/1`;
    const [disabled] = await kms.updateCryptoKeyVersion({
      cryptoKeyVersion: { name: v1, state: "DISABLED" },
      updateMask: { paths: ["state"] },
    });
    expect(disabled.state).toBe("DISABLED");
    const decryptRefused = await rejection(kms.decrypt({ name, ciphertext: sealed.ciphertext }));
    expect(decryptRefused).toEqual({
      code: grpc.status.FAILED_PRECONDITION,
      details: `${v1} is not enabled, current state is: DISABLED.`,
    });
    expect((await rejection(kms.encrypt({ name, plaintext: Buffer.from("x") }))).code).toBe(
      grpc.status.FAILED_PRECONDITION,
    );
    await kms.createCryptoKeyVersion({ parent: name, cryptoKeyVersion: {} });
    expect((await rejection(kms.updateCryptoKeyPrimaryVersion({ name, cryptoKeyVersionId: "1" }))).code).toBe(
      grpc.status.FAILED_PRECONDITION,
    );
    await kms.updateCryptoKeyVersion({
      cryptoKeyVersion: { name: v1, state: "ENABLED" },
      updateMask: { paths: ["state"] },
    });
    await kms.decrypt({ name, ciphertext: sealed.ciphertext });
    const [destroyed] = await kms.destroyCryptoKeyVersion({ name: v1 });
    expect(destroyed.state).toBe("DESTROY_SCHEDULED");
    expect(Number(destroyed.destroyTime?.seconds)).toBeGreaterThan(Date.now() / 1000);
    expect((await rejection(kms.decrypt({ name, ciphertext: sealed.ciphertext }))).code).toBe(
      grpc.status.FAILED_PRECONDITION,
    );
    const reenable = kms.updateCryptoKeyVersion({
      cryptoKeyVersion: { name: v1, state: "ENABLED" },
      updateMask: { paths: ["state"] },
    });
    expect((await rejection(reenable)).code).toBe(grpc.status.FAILED_PRECONDITION);
  });
});

describe("GCP KMS emulator: projects, faults and outages", () => {
  it("pinned to a project, it refuses every other with PERMISSION_DENIED naming the permission", async () => {
    const pinned = await startGcpKmsEmulator({ projectId: "only-this" });
    const client = clientFor(pinned.port);
    try {
      await client.createKeyRing({
        parent: "projects/only-this/locations/global",
        keyRingId: "r",
        keyRing: {},
      });
      const refused = await rejection(
        client.encrypt({
          name: "projects/another/locations/global/keyRings/r/cryptoKeys/k",
          plaintext: Buffer.from("x"),
        }),
      );
      expect(refused.code).toBe(grpc.status.PERMISSION_DENIED);
      expect(refused.details).toContain("cloudkms.cryptoKeyVersions.useToEncrypt");
      const ring = await rejection(
        client.createKeyRing({ parent: "projects/another/locations/global", keyRingId: "r", keyRing: {} }),
      );
      expect(ring.code).toBe(grpc.status.PERMISSION_DENIED);
    } finally {
      await client.close();
      await pinned.stop();
    }
  });

  it("failNext gives UNAVAILABLE or RESOURCE_EXHAUSTED; suspend drops connections (UNAVAILABLE); resume serves the same keys", async () => {
    const name = await newKey();
    emulator.failNext(1, { methods: ["Encrypt"] });
    const failed = await rejection(kms.encrypt({ name, plaintext: Buffer.from("x") }, noRetry));
    expect(failed.code).toBe(grpc.status.UNAVAILABLE);
    emulator.failNext(1, { code: "RESOURCE_EXHAUSTED" });
    expect((await rejection(kms.getCryptoKey({ name }, noRetry))).code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    const [sealed] = await kms.encrypt({ name, plaintext: Buffer.from("kept") });
    await emulator.suspend();
    try {
      expect((await rejection(kms.decrypt({ name, ciphertext: sealed.ciphertext }, noRetry))).code).toBe(
        grpc.status.UNAVAILABLE,
      );
    } finally {
      await emulator.resume();
    }
    const [opened] = await kms.decrypt({ name, ciphertext: sealed.ciphertext });
    expect(Buffer.from(opened.plaintext as Uint8Array).toString()).toBe("kept");
  });

  it("tamperNext damages answers as a faulty path would: a wrong response checksum, request checksums reported unverified, another key's version named", async () => {
    const name = await newKey();
    const plaintext = Buffer.from("data");
    emulator.tamperNext(1, "response-crc32c");
    const [bad] = await kms.encrypt({ name, plaintext });
    expect(Number(bad.ciphertextCrc32c?.value)).not.toBe(crc32c(bad.ciphertext as Uint8Array));
    emulator.tamperNext(1, "unverified");
    const [unverified] = await kms.encrypt({ name, plaintext, plaintextCrc32c: crc(plaintext) });
    expect(unverified.verifiedPlaintextCrc32c).toBe(false);
    emulator.tamperNext(1, "other-version");
    const [misnamed] = await kms.encrypt({ name, plaintext });
    expect(misnamed.name).toBe(`${name}-other/cryptoKeyVersions/1`);
    const [good] = await kms.encrypt({ name, plaintext, plaintextCrc32c: crc(plaintext) });
    expect(good.name).toBe(`${name}/cryptoKeyVersions/1`);
    expect(good.verifiedPlaintextCrc32c).toBe(true);
    expect(Number(good.ciphertextCrc32c?.value)).toBe(crc32c(good.ciphertext as Uint8Array));
    const before = emulator.calls.Decrypt ?? 0;
    await kms.decrypt({ name, ciphertext: good.ciphertext });
    expect(emulator.calls.Decrypt).toBe(before + 1);
  });
});
