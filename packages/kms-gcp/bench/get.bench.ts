// The sql store's get latency with its keys from GCP Cloud KMS (the data key cached) side by side
// with the keyring file (see store-sql/bench/key-source-get.ts); the cache-miss row is one Cloud
// KMS Decrypt over gRPC on the in-process emulator.
import { startGcpKmsEmulator } from "@coffer/emulators";
import { GcpKmsKek, gcpKmsKeySource, gcpKmsOptions } from "@coffer/kms-gcp";
import { sqlStoreWithKeySources, wrapContext } from "@coffer/store-sql";
import { KeyManagementServiceClient } from "@google-cloud/kms";
import { googleAuthLibrary, grpc } from "google-gax";
import { benchKeySourceGet } from "../../store-sql/bench/key-source-get.ts";

process.env.METADATA_SERVER_DETECTION = "none";

const emulator = await startGcpKmsEmulator();
const operator = new KeyManagementServiceClient({
  apiEndpoint: "127.0.0.1",
  port: emulator.port,
  sslCreds: grpc.credentials.createInsecure(),
  authClient: new googleAuthLibrary.PassThroughClient(),
});
const [ring] = await operator.createKeyRing({
  parent: "projects/bench/locations/global",
  keyRingId: "coffer",
  keyRing: {},
});
const [key] = await operator.createCryptoKey({
  parent: ring.name!,
  cryptoKeyId: "coffer",
  cryptoKey: { purpose: "ENCRYPT_DECRYPT" },
});
await operator.close();
const kmsOptions = { keyName: key.name!, apiEndpoint: "127.0.0.1", port: emulator.port, insecure: true };

// A cache miss: the same Decrypt the store makes, on a data key wrapped like the store's.
const kek = new GcpKmsKek(gcpKmsOptions.parse(kmsOptions));
const missContext = wrapContext("bench", "k-miss");
const { wrapped } = await kek.wrap(Buffer.alloc(32, 7), missContext);

await benchKeySourceGet({
  keySource: "gcp-kms",
  registration: sqlStoreWithKeySources({ "gcp-kms": async () => gcpKmsKeySource }),
  kmsOptions,
  miss: {
    label: "Cloud KMS Decrypt",
    unwrap: () => kek.unwrap(wrapped, missContext),
    warmup: 100,
    iterations: 1000,
  },
  unwraps: { noun: "Cloud KMS Decrypts", count: () => emulator.calls.Decrypt ?? 0 },
  close: async () => {
    await kek.close();
    await emulator.stop();
  },
});
