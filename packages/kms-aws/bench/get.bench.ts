// The sql store's get latency with its keys from AWS KMS (the data key cached) side by side with
// the keyring file (see store-sql/bench/key-source-get.ts); the cache-miss row is one KMS Decrypt
// on the in-process emulator.
import { CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { startAwsKmsEmulator } from "@coffer/emulators";
import { AwsKmsKek, awsKmsKeySource } from "@coffer/kms-aws";
import { sqlStoreWithKeySources, wrapContext } from "@coffer/store-sql";
import { benchKeySourceGet } from "../../store-sql/bench/key-source-get.ts";

const credentials = { accessKeyId: "AKIAFAKEFAKEFAKE0000", secretAccessKey: "not-a-real-secret-key" };
const region = "us-east-1";

const emulator = await startAwsKmsEmulator({ region });
const kms = new KMSClient({
  endpoint: emulator.url,
  region,
  credentials: { ...credentials },
  maxAttempts: 1,
});
const keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
kms.destroy();
const kmsOptions = { keyId, region, endpoint: emulator.url, ...credentials };

// A cache miss: the same Decrypt the store makes, on a data key wrapped like the store's.
const kek = new AwsKmsKek({ ...kmsOptions, timeoutMs: 10_000, maxAttempts: 3 });
const missContext = wrapContext("bench", "k-miss");
const { wrapped } = await kek.generate(missContext);

await benchKeySourceGet({
  keySource: "aws-kms",
  registration: sqlStoreWithKeySources({ "aws-kms": async () => awsKmsKeySource }),
  kmsOptions,
  miss: {
    label: "KMS Decrypt",
    unwrap: () => kek.unwrap(wrapped, missContext),
    warmup: 100,
    iterations: 1000,
  },
  unwraps: { noun: "KMS Decrypts", count: () => emulator.calls.Decrypt ?? 0 },
  close: async () => {
    await kek.close();
    await emulator.stop();
  },
});
