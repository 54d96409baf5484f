// Fixtures: the Cloud KMS emulator with a key ring and a key made by the official client (as an
// operator's tooling would), and the sql store built through its registration with the gcp-kms key
// source (options validated as in production): insecure gRPC to 127.0.0.1, which sends no
// credentials and looks none up, and one attempt per call unless a test asks for more.
import { instantiateStore, type StoreContext } from "@coffer/core";
import { type GcpKmsEmulator, startGcpKmsEmulator } from "@coffer/emulators";
import { type SqlStore, type SqlStoreOptions, sqlStoreWithKeySources } from "@coffer/store-sql";
import { sqliteStoreContext } from "@coffer/testkit";
import { KeyManagementServiceClient } from "@google-cloud/kms";
import { googleAuthLibrary, grpc } from "google-gax";
import { GcpKmsKek, type GcpKmsOptions, gcpKmsKeySource } from "../src/index.js";

// Belt and braces: no client in these tests may probe the metadata server for credentials.
process.env.METADATA_SERVER_DETECTION = "none";

export const registration = sqlStoreWithKeySources({ "gcp-kms": async () => gcpKmsKeySource });

/**
 * The same key source with one client setting changed, for outage tests: after an outage grpc-js
 * waits 1 s and more before it reconnects; here it reconnects within ~100 ms.
 */
const quickReconnect = sqlStoreWithKeySources({
  "gcp-kms": async () => ({
    ...gcpKmsKeySource,
    create: (options: GcpKmsOptions) =>
      new GcpKmsKek(options, {
        clientOptions: { "grpc.initial_reconnect_backoff_ms": 50, "grpc.max_reconnect_backoff_ms": 100 },
      }),
  }),
});

export const LOCATION = "projects/coffer-test/locations/global";

export function sqliteContext(deploymentId = "gcp-kms-deployment"): StoreContext {
  return sqliteStoreContext(deploymentId);
}

/** The official client as an operator's tooling would use it, for creating and rotating keys. */
export function operator(emulator: GcpKmsEmulator): KeyManagementServiceClient {
  return new KeyManagementServiceClient({
    apiEndpoint: "127.0.0.1",
    port: emulator.port,
    sslCreds: grpc.credentials.createInsecure(),
    authClient: new googleAuthLibrary.PassThroughClient(),
  });
}

let rings = 0;
/** A new key ring with one ENCRYPT_DECRYPT key on the emulator; returns the key's name. */
export async function newCryptoKey(
  emulator: GcpKmsEmulator,
  keyRingId = `coffer-${++rings}`,
  location = LOCATION,
): Promise<string> {
  const kms = operator(emulator);
  try {
    const [ring] = await kms.createKeyRing({ parent: location, keyRingId, keyRing: {} });
    const [key] = await kms.createCryptoKey({
      parent: ring.name!,
      cryptoKeyId: "coffer",
      cryptoKey: { purpose: "ENCRYPT_DECRYPT" },
    });
    return key.name!;
  } finally {
    await kms.close();
  }
}

export function kmsOptions(port: number, keyName: string, extra: Record<string, unknown> = {}) {
  return {
    keyName,
    apiEndpoint: "127.0.0.1",
    port,
    insecure: true,
    maxAttempts: 1,
    timeoutMs: 2_000,
    ...extra,
  };
}

export interface KmsStoreOptions extends Partial<SqlStoreOptions> {
  /** Extra options of the key source (option `kms`). */
  kms?: Record<string, unknown>;
  /** Reconnect quickly after an outage (see quickReconnect). */
  quickReconnect?: boolean;
}

export function kmsStore(
  port: number,
  keyName: string,
  context: StoreContext,
  extra: KmsStoreOptions = {},
): SqlStore {
  const { kms, quickReconnect: quick, ...rest } = extra;
  return instantiateStore(
    quick ? quickReconnect : registration,
    { keySource: "gcp-kms", kms: kmsOptions(port, keyName, kms), ...rest },
    context,
  ) as SqlStore;
}

export async function startedKmsStore(
  port: number,
  keyName: string,
  context: StoreContext,
  extra: KmsStoreOptions = {},
): Promise<SqlStore> {
  const store = kmsStore(port, keyName, context, extra);
  await store.init();
  return store;
}

export async function startKms(): Promise<{ emulator: GcpKmsEmulator; keyName: string }> {
  const emulator = await startGcpKmsEmulator();
  return { emulator, keyName: await newCryptoKey(emulator) };
}

export { closedPort, failureOf as failure } from "@coffer/testkit";
