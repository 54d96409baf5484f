// The AWS KMS emulator through the official client (@aws-sdk/client-kms) over a real socket:
// envelope operations, key setup, rotation, and the errors KMS documents for each mistake.
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  KMSClient,
  RotateKeyOnDemandCommand,
} from "@aws-sdk/client-kms";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AwsKmsEmulator, startAwsKmsEmulator } from "../src/aws-kms/index.js";
import { connectOutcome, FAKE_SIGV4, failure } from "./aws-helpers.js";

let emulator: AwsKmsEmulator;
let kms: KMSClient;
beforeAll(async () => {
  emulator = await startAwsKmsEmulator();
  kms = new KMSClient({
    endpoint: emulator.url,
    region: "us-east-1",
    credentials: { accessKeyId: "AKIAFAKEFAKEFAKE0000", secretAccessKey: "not-a-real-secret-key" },
    maxAttempts: 1,
  });
});
afterAll(async () => {
  kms.destroy();
  await emulator.stop();
});

async function newKey(description = "test key"): Promise<string> {
  const created = await kms.send(new CreateKeyCommand({ Description: description }));
  return created.KeyMetadata!.KeyId!;
}

const context = { "coffer:deployment": "d1", "coffer:key-id": "k1" };

describe("AWS KMS emulator", () => {
  it("CreateKey and DescribeKey give the key's metadata, by id, ARN and alias", async () => {
    const created = await kms.send(new CreateKeyCommand({ Description: "described" }));
    const meta = created.KeyMetadata!;
    expect(meta.Arn).toBe(`arn:aws:kms:us-east-1:000000000000:key/${meta.KeyId}`);
    expect(meta).toMatchObject({
      Enabled: true,
      KeyState: "Enabled",
      KeyUsage: "ENCRYPT_DECRYPT",
      KeySpec: "SYMMETRIC_DEFAULT",
    });
    expect(meta.CreationDate).toBeInstanceOf(Date);
    await kms.send(new CreateAliasCommand({ AliasName: "alias/described", TargetKeyId: meta.KeyId! }));
    for (const id of [
      meta.KeyId!,
      meta.Arn!,
      "alias/described",
      "arn:aws:kms:us-east-1:000000000000:alias/described",
    ]) {
      const described = await kms.send(new DescribeKeyCommand({ KeyId: id }));
      expect(described.KeyMetadata!.KeyId).toBe(meta.KeyId);
    }
    const taken = await failure(() =>
      kms.send(new CreateAliasCommand({ AliasName: "alias/described", TargetKeyId: meta.KeyId! })),
    );
    expect(taken.name).toBe("AlreadyExistsException");
  });

  it("Encrypt then Decrypt returns the plaintext; the ciphertext holds no plaintext", async () => {
    const keyId = await newKey();
    const plaintext = Buffer.from("fake-data-key-bytes-0123456789ab");
    const encrypted = await kms.send(
      new EncryptCommand({ KeyId: keyId, Plaintext: plaintext, EncryptionContext: context }),
    );
    expect(encrypted.KeyId).toMatch(/^arn:aws:kms:us-east-1:000000000000:key\//);
    expect(Buffer.from(encrypted.CiphertextBlob!).includes(plaintext)).toBe(false);
    const decrypted = await kms.send(
      new DecryptCommand({
        CiphertextBlob: encrypted.CiphertextBlob,
        EncryptionContext: context,
        KeyId: keyId,
      }),
    );
    expect(Buffer.from(decrypted.Plaintext!)).toEqual(plaintext);
    expect(decrypted.KeyId).toBe(encrypted.KeyId);
  });

  it("a different encryption context, an altered blob or garbage fails with InvalidCiphertextException", async () => {
    const keyId = await newKey();
    const encrypted = await kms.send(
      new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("x"), EncryptionContext: context }),
    );
    const blob = Buffer.from(encrypted.CiphertextBlob!);
    const otherContext = await failure(() =>
      kms.send(
        new DecryptCommand({
          CiphertextBlob: blob,
          EncryptionContext: { ...context, "coffer:deployment": "d2" },
        }),
      ),
    );
    expect(otherContext.name).toBe("InvalidCiphertextException");
    const noContext = await failure(() => kms.send(new DecryptCommand({ CiphertextBlob: blob })));
    expect(noContext.name).toBe("InvalidCiphertextException");
    const altered = Buffer.from(blob);
    altered[altered.length - 1]! ^= 1;
    const tampered = await failure(() =>
      kms.send(new DecryptCommand({ CiphertextBlob: altered, EncryptionContext: context })),
    );
    expect(tampered.name).toBe("InvalidCiphertextException");
    const garbage = await failure(() =>
      kms.send(new DecryptCommand({ CiphertextBlob: Buffer.from("not a blob") })),
    );
    expect(garbage.name).toBe("InvalidCiphertextException");
  });

  it("Decrypt naming another key than the blob's fails with IncorrectKeyException", async () => {
    const first = await newKey();
    const second = await newKey();
    const encrypted = await kms.send(new EncryptCommand({ KeyId: first, Plaintext: Buffer.from("x") }));
    const error = await failure(() =>
      kms.send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob, KeyId: second })),
    );
    expect(error.name).toBe("IncorrectKeyException");
    expect(error.$metadata).toMatchObject({ httpStatusCode: 400 });
  });

  it("GenerateDataKey gives AES_256 (32 bytes) or NumberOfBytes, and a blob that Decrypt opens", async () => {
    const keyId = await newKey();
    const generated = await kms.send(
      new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: "AES_256", EncryptionContext: context }),
    );
    expect(generated.Plaintext).toHaveLength(32);
    const decrypted = await kms.send(
      new DecryptCommand({ CiphertextBlob: generated.CiphertextBlob, EncryptionContext: context }),
    );
    expect(Buffer.from(decrypted.Plaintext!)).toEqual(Buffer.from(generated.Plaintext!));
    const sized = await kms.send(new GenerateDataKeyCommand({ KeyId: keyId, NumberOfBytes: 64 }));
    expect(sized.Plaintext).toHaveLength(64);
    const both = await failure(() =>
      kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: "AES_256", NumberOfBytes: 32 })),
    );
    expect(both.name).toBe("ValidationException");
    const neither = await failure(() => kms.send(new GenerateDataKeyCommand({ KeyId: keyId })));
    expect(neither.name).toBe("ValidationException");
  });

  it("unknown keys and aliases fail with NotFoundException", async () => {
    const missing = await failure(() =>
      kms.send(new EncryptCommand({ KeyId: "alias/none", Plaintext: Buffer.from("x") })),
    );
    expect(missing.name).toBe("NotFoundException");
    const missingId = await failure(() =>
      kms.send(new DescribeKeyCommand({ KeyId: "00000000-0000-0000-0000-000000000000" })),
    );
    expect(missingId.name).toBe("NotFoundException");
  });

  it("a disabled key refuses Encrypt, Decrypt and GenerateDataKey with DisabledException, and works again when enabled", async () => {
    const keyId = await newKey();
    const encrypted = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("x") }));
    await kms.send(new DisableKeyCommand({ KeyId: keyId }));
    for (const call of [
      () => kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("x") })),
      () => kms.send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob })),
      () => kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: "AES_256" })),
    ]) {
      expect((await failure(call)).name).toBe("DisabledException");
    }
    await kms.send(new EnableKeyCommand({ KeyId: keyId }));
    await kms.send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob }));
  });

  it("RotateKeyOnDemand: new ciphertexts use the new material, old ones still decrypt", async () => {
    const keyId = await newKey();
    const before = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("before") }));
    await kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
    const after = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("after") }));
    const blob = (value: Uint8Array | undefined) => Buffer.from(value!).toString("base64");
    expect(emulator.inspectCiphertext(blob(before.CiphertextBlob)).materialVersion).toBe(0);
    expect(emulator.inspectCiphertext(blob(after.CiphertextBlob)).materialVersion).toBe(1);
    const old = await kms.send(new DecryptCommand({ CiphertextBlob: before.CiphertextBlob }));
    expect(Buffer.from(old.Plaintext!).toString()).toBe("before");
  });

  it("answers requests without a SigV4 Authorization header with 403, and unknown targets with UnknownOperationException", async () => {
    const call = (target: string, headers: Record<string, string>) =>
      fetch(`${emulator.url}/`, {
        method: "POST",
        headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": target, ...headers },
        body: "{}",
      });
    const unsigned = await call("TrentService.DescribeKey", {});
    expect(unsigned.status).toBe(403);
    expect(((await unsigned.json()) as { __type: string }).__type).toBe(
      "MissingAuthenticationTokenException",
    );
    const unknown = await call("TrentService.Nope", { authorization: FAKE_SIGV4 });
    expect(((await unknown.json()) as { __type: string }).__type).toBe("UnknownOperationException");
  });

  it("injected faults and outages reach the client as the service would send them", async () => {
    const keyId = await newKey();
    emulator.failNext(1, "ThrottlingException");
    expect((await failure(() => kms.send(new DescribeKeyCommand({ KeyId: keyId })))).name).toBe(
      "ThrottlingException",
    );
    emulator.failNext(1);
    const internal = await failure(() => kms.send(new DescribeKeyCommand({ KeyId: keyId })));
    expect(internal.name).toBe("KMSInternalException");
    expect(internal.$fault).toBe("server");
    await emulator.suspend();
    expect(await connectOutcome(emulator.port)).toBe("ECONNREFUSED");
    await emulator.resume();
    await kms.send(new DescribeKeyCommand({ KeyId: keyId }));
  });
});
