/**
 * Test wiring: the in-process AWS emulator by default, or the endpoint in COFFER_TEST_AWS_ENDPOINT
 * (LocalStack, a container) when set. Credentials are always static fakes: the SDK's default chain
 * would probe the EC2 metadata address, which tests must never do.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { ServiceUnderTest } from "@coffer/conformance";
import { type Logger, type SecretsStore, type StoreContext, silentLogger } from "@coffer/core";
import { type AwsEmulator, type AwsEmulatorOptions, startAwsEmulator } from "@coffer/emulators";
import { createService, type SecretsService, type ServiceParts } from "@coffer/service";
import { AwsSecretsStore, type AwsStoreOptions, awsStoreOptions } from "../src/index.js";

process.env.AWS_EC2_METADATA_DISABLED = "true";

export const FAKE_CREDENTIALS = {
  accessKeyId: "AKIAFAKEFAKEFAKE0000",
  secretAccessKey: "not-a-real-secret-key",
} as const;

export const REGION = "us-east-1";

/** A running backend: the emulator (with its fault hooks), or an external endpoint. */
export interface AwsBackend {
  endpoint: string;
  emulator: AwsEmulator | undefined;
  stop(): Promise<void>;
}

export const externalEndpoint = process.env.COFFER_TEST_AWS_ENDPOINT;

export async function startBackend(options: AwsEmulatorOptions = {}): Promise<AwsBackend> {
  if (externalEndpoint) return { endpoint: externalEndpoint, emulator: undefined, stop: async () => {} };
  const emulator = await startAwsEmulator({ region: REGION, ...options });
  return { endpoint: emulator.url, emulator, stop: () => emulator.stop() };
}

export function context(deploymentId: string, logger: Logger = silentLogger): StoreContext {
  return { deploymentId, dataDir: "/nonexistent", databaseUrl: "", logger };
}

/** Options for a store against `endpoint`: fake keys, one attempt (no backoff in tests). */
export function storeOptions(endpoint: string, extra: Partial<AwsStoreOptions> = {}): AwsStoreOptions {
  return {
    region: REGION,
    endpoint,
    accessKeyId: FAKE_CREDENTIALS.accessKeyId,
    secretAccessKey: FAKE_CREDENTIALS.secretAccessKey,
    namePrefix: "coffer-test",
    maxAttempts: 1,
    ...extra,
  };
}

export function newStore(
  endpoint: string,
  deploymentId: string,
  extra: Partial<AwsStoreOptions> = {},
  logger?: Logger,
): AwsSecretsStore {
  return new AwsSecretsStore(
    awsStoreOptions.parse(storeOptions(endpoint, extra)),
    context(deploymentId, logger),
  );
}

/** The official client, for looking at (and tampering with) what the store wrote. */
export function rawClient(endpoint: string): SecretsManagerClient {
  // A copy: the SDK marks the credentials object it is given (it adds a `$source` member).
  return new SecretsManagerClient({
    endpoint,
    region: REGION,
    credentials: { ...FAKE_CREDENTIALS },
    maxAttempts: 1,
  });
}

/** A loopback port with nothing listening on it. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address !== "object") throw new Error("no port");
  return address.port;
}

/** A deployment id unique to this run, so runs against a shared endpoint never see each other. */
export function uniqueDeployment(label: string): string {
  return `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * A SecretsService over SQLite metadata (in a fresh temporary directory) and an `aws` store at
 * `endpoint`. The store is returned too, for its call counters. `close` also removes the directory.
 */
export async function serviceOver(
  endpoint: string,
  extra: Partial<AwsStoreOptions> = {},
  parts: Partial<ServiceParts> = {},
): Promise<{ service: SecretsService; store: AwsSecretsStore; close(): Promise<void> }> {
  const dir = mkdtempSync(path.join(tmpdir(), "coffer-aws-service-"));
  let store: AwsSecretsStore | undefined;
  const service = await createService({
    databaseUrl: `sqlite://${path.join(dir, "coffer.db")}`,
    dataDir: dir,
    logger: silentLogger,
    store: (storeContext) => {
      store = new AwsSecretsStore(awsStoreOptions.parse(storeOptions(endpoint, extra)), storeContext);
      return store;
    },
    ...parts,
  });
  return {
    service,
    store: store!,
    async close() {
      await service.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** What the service suite drives: a service over `endpoint`, its limit the store's. */
export async function serviceUnderTest(
  endpoint: string,
  extra: Partial<AwsStoreOptions> = {},
): Promise<ServiceUnderTest> {
  const { service, store, close } = await serviceOver(endpoint, extra);
  return {
    session: (user) => service.as({ id: user }),
    maxValueBytes: store.capabilities().maxValueBytes,
    close,
  };
}

/**
 * The store for a conformance suite inside `describeWith`: built on the running container, or a
 * stand-in while it is not running. The harness creates and initialises its store in beforeAll,
 * which vitest runs even when describeWith skips every test (no Docker here); the stand-in is
 * opened and closed then, and never used. When the container failed to start, describeWith fails
 * every test with that error, so the stand-in cannot hide a failure.
 */
export function storeOnContainer<T>(running: () => T, build: (container: T) => SecretsStore): SecretsStore {
  let container: T;
  try {
    container = running();
  } catch {
    return NOT_STARTED;
  }
  return build(container);
}

const NOT_STARTED = {
  type: "not-started",
  init: async () => {},
  close: async () => {},
} as unknown as SecretsStore;
