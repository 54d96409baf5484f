/**
 * Test wiring: the in-process AWS emulator by default, or the endpoint in COFFER_TEST_AWS_ENDPOINT
 * (LocalStack, a container) when set. Credentials are always static fakes: the SDK's default chain
 * would probe the EC2 metadata address, which tests must never do.
 */
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { Logger, StoreCapabilities } from "@coffer/core";
import { type AwsEmulator, type AwsEmulatorOptions, startAwsEmulator } from "@coffer/emulators";
import { createService, type ServiceParts } from "@coffer/service";
import { contextFor, serviceOverStore } from "@coffer/testkit";
import { AwsStore, type AwsStoreOptions, awsStoreOptions } from "../src/index.js";

export { closedPort, contextFor, uniqueDeployment } from "@coffer/testkit";

process.env.AWS_EC2_METADATA_DISABLED = "true";

export const FAKE_CREDENTIALS = {
  accessKeyId: "AKIAFAKEFAKEFAKE0000",
  secretAccessKey: "not-a-real-secret-key",
} as const;

export const REGION = "us-east-1";

/** What the store declares with its default delete policy (a recovery window). */
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

export function storeFor(
  endpoint: string,
  deploymentId: string,
  extra: Partial<AwsStoreOptions> = {},
  logger?: Logger,
): AwsStore {
  return new AwsStore(awsStoreOptions.parse(storeOptions(endpoint, extra)), contextFor(deploymentId, logger));
}

/** What a store with these options declares, read from one (constructing a store does no I/O). */
export function capabilitiesOf(extra: Partial<AwsStoreOptions> = {}): StoreCapabilities {
  return storeFor("http://127.0.0.1:1", "capabilities", extra).capabilities();
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

/**
 * A SecretsService over SQLite metadata (in a fresh temporary directory) and an `aws` store at
 * `endpoint`. The result also has the store (for its call counters) and is what the service suite
 * drives; `close` also removes the directory.
 */
export function serviceOver(
  endpoint: string,
  extra: Partial<AwsStoreOptions> = {},
  parts: Partial<ServiceParts> = {},
) {
  return serviceOverStore(
    createService,
    (context) => new AwsStore(awsStoreOptions.parse(storeOptions(endpoint, extra)), context),
    parts,
  );
}
