// Test wiring for the gcp store: an in-process emulator by default, or another endpoint named by
// COFFER_TEST_GCP_ENDPOINT ("host:port", plain-text gRPC, e.g. an emulator in a container).
// Credentials are never looked up: every client gets a PassThroughClient, and
// METADATA_SERVER_DETECTION=none is set as a second guard against probing the metadata server.
import type { SecretValues, StoreCapabilities } from "@coffer/core";
import { type GcpEmulator, startGcpEmulator } from "@coffer/emulators";
import { createService, type ServiceParts } from "@coffer/service";
import { contextFor, serviceOverStore } from "@coffer/testkit";
import { SecretManagerServiceClient } from "@google-cloud/secret-manager";
import { createBackoffSettings, createRetryOptions, googleAuthLibrary, grpc } from "google-gax";
import { GcpStore, type GcpStoreInjections, type GcpStoreOptions } from "../src/index.js";

export { closedPort, contextFor } from "@coffer/testkit";

process.env.METADATA_SERVER_DETECTION = "none";

export const PROJECT = "coffer-test";

/** What the store declares. */
export interface GcpBackend {
  host: string;
  port: number;
  /** The in-process emulator, when the tests started one (fault hooks need it). */
  emulator?: GcpEmulator;
  stop(): Promise<void>;
}

/** Starts the in-process emulator, or points at COFFER_TEST_GCP_ENDPOINT when it is set. */
export async function startBackend(options: { inProcess?: boolean } = {}): Promise<GcpBackend> {
  const external = process.env.COFFER_TEST_GCP_ENDPOINT;
  if (external && !options.inProcess) return { ...containerTarget(external), stop: async () => {} };
  const emulator = await startGcpEmulator();
  return { host: "127.0.0.1", port: emulator.port, emulator, stop: () => emulator.stop() };
}

/** One attempt per call, a 5 s deadline: a failure shows at once instead of after retries. */
export const noRetry = {
  retry: createRetryOptions([], createBackoffSettings(1, 1, 1, 5_000, 1, 5_000, 5_000)),
};

export function testInjections(extra: GcpStoreInjections = {}): GcpStoreInjections {
  return {
    authClient: new googleAuthLibrary.PassThroughClient(),
    callOptions: noRetry,
    clientOptions: {
      // After an outage, reconnect within ~100 ms instead of grpc-js's 1 s-and-up backoff.
      "grpc.initial_reconnect_backoff_ms": 50,
      "grpc.max_reconnect_backoff_ms": 100,
    },
    ...extra,
  };
}

export function storeOptions(
  target: Pick<GcpBackend, "host" | "port">,
  extra: Partial<GcpStoreOptions> = {},
) {
  return {
    project: PROJECT,
    apiEndpoint: target.host,
    port: target.port,
    insecure: true,
    ...extra,
  } satisfies GcpStoreOptions;
}

export function storeFor(
  target: Pick<GcpBackend, "host" | "port">,
  extra: Partial<GcpStoreOptions> = {},
  deploymentId = "test-deployment",
  injections: GcpStoreInjections = testInjections(),
): GcpStore {
  return new GcpStore(storeOptions(target, extra), contextFor(deploymentId), injections);
}

/** What a store with these options declares, read from one (constructing a store does no I/O). */
export function capabilitiesOf(extra: Partial<GcpStoreOptions> = {}): StoreCapabilities {
  return storeFor({ host: "127.0.0.1", port: 1 }, extra).capabilities();
}

/** The official client, straight at the target: to look behind the store's back. */
export function rawClient(target: Pick<GcpBackend, "host" | "port">): SecretManagerServiceClient {
  return new SecretManagerServiceClient({
    apiEndpoint: target.host,
    port: target.port,
    sslCreds: grpc.credentials.createInsecure(),
    authClient: new googleAuthLibrary.PassThroughClient(),
  });
}

export const sample: SecretValues = { username: "fake-user", password: "fake-password-1" };

/** A loopback port with nothing listening on it. */

/**
 * A SecretsService over SQLite metadata (in a fresh temporary directory) and a gcp store at
 * `target`, as an operator would run it, but with the test injections (no credential lookup, one
 * attempt per call). The result also has the store and is what the service suite drives; `close`
 * closes both and removes the directory.
 */
export function serviceOver(
  target: Pick<GcpBackend, "host" | "port">,
  parts: Partial<ServiceParts> = {},
  injections: GcpStoreInjections = testInjections(),
) {
  return serviceOverStore(
    createService,
    (context) => new GcpStore(storeOptions(target), context, injections),
    parts,
  );
}

/** The target an endpoint (`host:port`, plain-text gRPC, e.g. a container's) names. */
export function containerTarget(endpoint: string): Pick<GcpBackend, "host" | "port"> {
  const separator = endpoint.lastIndexOf(":");
  return { host: endpoint.slice(0, separator), port: Number(endpoint.slice(separator + 1)) };
}
