/**
 * What the GCP emulator's test files share: the emulator with the official client on it (over
 * insecure gRPC, with a pass-through auth client so that no credential chain is consulted), and
 * the call option that turns the client's own retries off.
 */
import { SecretManagerServiceClient } from "@google-cloud/secret-manager";
import { createBackoffSettings, createRetryOptions, googleAuthLibrary, grpc } from "google-gax";
import { type GcpEmulator, startGcpEmulator } from "../src/gcp/index.js";

process.env.METADATA_SERVER_DETECTION = "none";

// AccessSecretVersion retries UNAVAILABLE and RESOURCE_EXHAUSTED by default; tests that expect
// first answers turn retries off.
export const noRetry = { retry: createRetryOptions([], createBackoffSettings(1, 1, 1, 5000, 1, 5000, 5000)) };

/** A client of the emulator listening on `port`. */
export function clientFor(port: number): SecretManagerServiceClient {
  return new SecretManagerServiceClient({
    apiEndpoint: "127.0.0.1",
    port,
    sslCreds: grpc.credentials.createInsecure(),
    authClient: new googleAuthLibrary.PassThroughClient(),
  });
}

/** A started emulator and a client on it. */
export async function startEmulatorAndClient(): Promise<{
  emulator: GcpEmulator;
  client: SecretManagerServiceClient;
}> {
  const emulator = await startGcpEmulator();
  return { emulator, client: clientFor(emulator.port) };
}

/** Closes what startEmulatorAndClient opened (either may be missing if the start failed). */
export async function stopEmulatorAndClient(
  emulator: GcpEmulator | undefined,
  client: SecretManagerServiceClient | undefined,
): Promise<void> {
  await client?.close();
  await emulator?.stop();
}
