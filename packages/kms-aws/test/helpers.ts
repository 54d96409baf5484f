// Fixtures: the AWS KMS emulator with a key, the sql store built through its registration with the
// aws-kms key source (options validated as in production), explicit fake credentials, one attempt.
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { instantiateStore, type StoreContext } from "@coffer/core";
import { type AwsKmsEmulator, startAwsKmsEmulator } from "@coffer/emulators";
import { type SqlStore, type SqlStoreOptions, sqlStoreWithKeySources } from "@coffer/store-sql";
import { sqliteStoreContext } from "@coffer/testkit";
import { awsKmsKeySource } from "../src/index.js";

// Belt and braces: no SDK in these tests may look for cloud credentials.
process.env.AWS_EC2_METADATA_DISABLED = "true";

export const registration = sqlStoreWithKeySources({ "aws-kms": async () => awsKmsKeySource });

export const FAKE_CREDENTIALS = {
  accessKeyId: "AKIAFAKEFAKEFAKE0000",
  secretAccessKey: "not-a-real-secret-key",
};

export function sqliteContext(deploymentId = "kms-deployment"): StoreContext {
  return sqliteStoreContext(deploymentId);
}

export function kmsClient(emulator: AwsKmsEmulator): KMSClient {
  return new KMSClient({
    endpoint: emulator.url,
    region: "us-east-1", // A copy: the SDK marks the credentials object it is given ($source).
    credentials: { ...FAKE_CREDENTIALS },
    maxAttempts: 1,
  });
}

/** A new KMS key on the emulator, with an alias; returns the alias. */
export async function newKmsKey(emulator: AwsKmsEmulator, alias: string): Promise<string> {
  const kms = kmsClient(emulator);
  try {
    const created = await kms.send(new CreateKeyCommand({ Description: alias }));
    await kms.send(
      new CreateAliasCommand({ AliasName: `alias/${alias}`, TargetKeyId: created.KeyMetadata!.KeyId! }),
    );
    return `alias/${alias}`;
  } finally {
    kms.destroy();
  }
}

export function kmsOptions(endpoint: string, keyId: string) {
  return { keyId, region: "us-east-1", endpoint, ...FAKE_CREDENTIALS, maxAttempts: 1, timeoutMs: 2_000 };
}

export function kmsStore(
  endpoint: string,
  keyId: string,
  context: StoreContext,
  extra: Partial<SqlStoreOptions> = {},
): SqlStore {
  return instantiateStore(
    registration,
    { keySource: "aws-kms", kms: kmsOptions(endpoint, keyId), ...extra },
    context,
  ) as SqlStore;
}

export async function startedKmsStore(
  endpoint: string,
  keyId: string,
  context: StoreContext,
  extra: Partial<SqlStoreOptions> = {},
): Promise<SqlStore> {
  const store = kmsStore(endpoint, keyId, context, extra);
  await store.init();
  return store;
}

export async function startKms(): Promise<{ emulator: AwsKmsEmulator; keyId: string }> {
  const emulator = await startAwsKmsEmulator();
  return { emulator, keyId: await newKmsKey(emulator, "coffer") };
}

export { failureOf as failure } from "@coffer/testkit";

/** A port where nothing listens: a started-and-stopped emulator's. */
export async function closedPort(): Promise<number> {
  const emulator = await startAwsKmsEmulator();
  const { port } = emulator;
  await emulator.stop();
  return port;
}
