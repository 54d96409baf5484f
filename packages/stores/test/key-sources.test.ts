// Choosing a KMS key source for the sql store at deploy time, as an operator does: environment
// variables through the config loader and the built-in catalogue, against the AWS KMS emulator.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  InvalidConfigError,
  instantiateStore,
  newSecretId,
  type SecretsStore,
  silentLogger,
} from "@coffer/core";
import { loadConfig } from "@coffer/core/config";
import { type AwsKmsEmulator, startAwsKmsEmulator } from "@coffer/emulators";
import { afterAll, beforeAll, expect, it } from "vitest";
import { builtinStores } from "../src/index.js";

let emulator: AwsKmsEmulator;
let keyId: string;
beforeAll(async () => {
  emulator = await startAwsKmsEmulator();
  // CreateKey on the wire (this package has no KMS client of its own).
  const response = await fetch(`${emulator.url}/`, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": "TrentService.CreateKey",
      authorization:
        "AWS4-HMAC-SHA256 Credential=AKIAFAKEFAKEFAKE0000/20260115/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=0",
    },
    body: "{}",
  });
  keyId = ((await response.json()) as { KeyMetadata: { KeyId: string } }).KeyMetadata.KeyId;
});
afterAll(() => emulator.stop());

function envFor(dir: string, extra: Record<string, string>) {
  return {
    COFFER_DATA_DIR: dir,
    COFFER_STORE_TYPE: "sql",
    AWS_EC2_METADATA_DISABLED: "true",
    ...extra,
  };
}

const kmsJson = () =>
  JSON.stringify({
    keyId,
    region: "us-east-1",
    endpoint: emulator.url,
    accessKeyId: "AKIAFAKEFAKEFAKE0000",
    secretAccessKey: "not-a-real-secret-key",
    maxAttempts: 1,
  });

it("COFFER_STORE_KEY_SOURCE=aws-kms with COFFER_STORE_KMS gives a sql store whose data keys the KMS wraps", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "coffer-stores-kms-"));
  const registry = builtinStores();
  const config = await loadConfig({
    registry,
    env: envFor(dir, { COFFER_STORE_KEY_SOURCE: "aws-kms", COFFER_STORE_KMS: kmsJson() }),
  });
  expect(config.store.options).toMatchObject({ keySource: "aws-kms" });
  const context = {
    deploymentId: "env-deployment",
    dataDir: dir,
    databaseUrl: `sqlite://${path.join(dir, "coffer.db")}`,
    logger: silentLogger,
  };
  const store = instantiateStore(await registry.get("sql"), config.store.options, context) as SecretsStore & {
    keyStatus(): Promise<{ source: string }>;
  };
  await store.init();
  try {
    const id = newSecretId();
    await store.create(id, { password: "fake-env" });
    expect(await store.get(id)).toEqual({ password: "fake-env" });
    expect((await store.keyStatus()).source).toBe(`AWS KMS key ${keyId}`);
    expect(emulator.calls.GenerateDataKey).toBe(1);
  } finally {
    await store.close();
  }
});

it("a KMS key source without COFFER_STORE_KMS, or with a keyring option, fails at load naming the variable", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "coffer-stores-kms-"));
  const missing = await loadConfig({
    registry: builtinStores(),
    env: envFor(dir, { COFFER_STORE_KEY_SOURCE: "aws-kms" }),
  }).catch((error: unknown) => error);
  expect(missing).toBeInstanceOf(InvalidConfigError);
  expect((missing as Error).message).toContain("COFFER_STORE_KMS");
  const both = await loadConfig({
    registry: builtinStores(),
    env: envFor(dir, {
      COFFER_STORE_KEY_SOURCE: "aws-kms",
      COFFER_STORE_KMS: kmsJson(),
      COFFER_STORE_KEYRING_FILE: path.join(dir, "k.json"),
    }),
  }).catch((error: unknown) => error);
  expect(both).toBeInstanceOf(InvalidConfigError);
  expect((both as Error).message).toContain("COFFER_STORE_KEYRING_FILE");
});
