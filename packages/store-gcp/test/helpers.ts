// Test wiring for the gcp store: an in-process emulator by default, or another endpoint named by
// COFFER_TEST_GCP_ENDPOINT ("host:port", plain-text gRPC, e.g. an emulator in a container).
// Credentials are never looked up: every client gets a PassThroughClient, and
// METADATA_SERVER_DETECTION=none is set as a second guard against probing the metadata server.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { ServiceUnderTest } from "@coffer/conformance";
import {
  AbstractSecretsStore,
  type HealthReport,
  type SecretsStore,
  type SecretValues,
  type StoreCapabilities,
  type StoreContext,
  silentLogger,
} from "@coffer/core";
import { type GcpEmulator, startGcpEmulator } from "@coffer/emulators";
import { createService, type SecretsService, type ServiceParts } from "@coffer/service";
import { SecretManagerServiceClient } from "@google-cloud/secret-manager";
import { createBackoffSettings, createRetryOptions, googleAuthLibrary, grpc } from "google-gax";
import { GcpSecretManagerStore, type GcpStoreInjections, type GcpStoreOptions } from "../src/index.js";

process.env.METADATA_SERVER_DETECTION = "none";

export const PROJECT = "coffer-test";

export interface GcpTarget {
  host: string;
  port: number;
  /** The in-process emulator, when the tests started one (fault hooks need it). */
  emulator?: GcpEmulator;
  stop(): Promise<void>;
}

/** Starts the in-process emulator, or points at COFFER_TEST_GCP_ENDPOINT when it is set. */
export async function startTarget(options: { inProcess?: boolean } = {}): Promise<GcpTarget> {
  const external = process.env.COFFER_TEST_GCP_ENDPOINT;
  if (external && !options.inProcess) {
    const separator = external.lastIndexOf(":");
    return {
      host: external.slice(0, separator),
      port: Number(external.slice(separator + 1)),
      stop: async () => {},
    };
  }
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

export function contextFor(deploymentId = "test-deployment"): StoreContext {
  return { deploymentId, dataDir: "/nonexistent", databaseUrl: "", logger: silentLogger };
}

export function storeOptions(target: Pick<GcpTarget, "host" | "port">, extra: Partial<GcpStoreOptions> = {}) {
  return {
    project: PROJECT,
    apiEndpoint: target.host,
    port: target.port,
    insecure: true,
    ...extra,
  } satisfies GcpStoreOptions;
}

export function storeFor(
  target: Pick<GcpTarget, "host" | "port">,
  extra: Partial<GcpStoreOptions> = {},
  deploymentId = "test-deployment",
  injections: GcpStoreInjections = testInjections(),
): GcpSecretManagerStore {
  return new GcpSecretManagerStore(storeOptions(target, extra), contextFor(deploymentId), injections);
}

/** The official client, straight at the target: to look behind the store's back. */
export function rawClient(target: Pick<GcpTarget, "host" | "port">): SecretManagerServiceClient {
  return new SecretManagerServiceClient({
    apiEndpoint: target.host,
    port: target.port,
    sslCreds: grpc.credentials.createInsecure(),
    authClient: new googleAuthLibrary.PassThroughClient(),
  });
}

export const sample: SecretValues = { username: "fake-user", password: "fake-password-1" };

/** A loopback port with nothing listening on it. */
export async function closedPort(): Promise<number> {
  const { createServer } = await import("node:net");
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * A SecretsService over SQLite metadata (in a fresh temporary directory) and a gcp store at
 * `target`, as an operator would run it, but with the test injections (no credential lookup, one
 * attempt per call). The store is returned too; `close` closes both and removes the directory.
 */
export async function serviceOver(
  target: Pick<GcpTarget, "host" | "port">,
  parts: Partial<ServiceParts> = {},
  injections: GcpStoreInjections = testInjections(),
): Promise<{ service: SecretsService; store: GcpSecretManagerStore; close(): Promise<void> }> {
  const dir = mkdtempSync(path.join(tmpdir(), "coffer-gcp-service-"));
  let store: GcpSecretManagerStore | undefined;
  const service = await createService({
    databaseUrl: `sqlite://${path.join(dir, "coffer.db")}`,
    dataDir: dir,
    logger: silentLogger,
    store: (context) => {
      store = new GcpSecretManagerStore(storeOptions(target), context, injections);
      return store;
    },
    ...parts,
  });
  return {
    service,
    store: store!,
    async close() {
      try {
        await service.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** What the service suite drives: a service over `target`, its size limit the store's. */
export async function serviceUnderTest(target: Pick<GcpTarget, "host" | "port">): Promise<ServiceUnderTest> {
  const { service, store, close } = await serviceOver(target);
  return {
    session: (user) => service.as({ id: user }),
    maxValueBytes: store.capabilities().maxValueBytes,
    close,
  };
}

/** The target a container's endpoint (`host:port`, plain-text gRPC) names. */
export function containerTarget(endpoint: string): Pick<GcpTarget, "host" | "port"> {
  const separator = endpoint.lastIndexOf(":");
  return { host: endpoint.slice(0, separator), port: Number(endpoint.slice(separator + 1)) };
}

/**
 * The store for a conformance suite inside `describeWith`: built on the running container, or a
 * stand-in while none runs. The harness builds and initialises its store in a beforeAll, which
 * vitest runs even when describeWith skips every test (no Docker here); the stand-in is opened
 * and closed then, and never used. When the container failed to start, describeWith fails every
 * test with that error, so the stand-in hides nothing.
 */
export function storeOnContainer<T>(running: () => T, build: (container: T) => SecretsStore): SecretsStore {
  let container: T;
  try {
    container = running();
  } catch {
    return new NotStarted();
  }
  return build(container);
}

class NotStarted extends AbstractSecretsStore {
  readonly type = "gcp";
  capabilities(): StoreCapabilities {
    return {
      access: "read-write",
      maxValueBytes: 1,
      batchGetMax: 1,
      versions: false,
      cas: false,
      softDelete: false,
    };
  }
  async init(): Promise<void> {}
  async close(): Promise<void> {}
  async health(): Promise<HealthReport> {
    return { status: "unknown", latencyMs: 0, message: "no container is running" };
  }
  create(): Promise<void> {
    return this.#never();
  }
  get(): Promise<SecretValues> {
    return this.#never();
  }
  update(): Promise<void> {
    return this.#never();
  }
  delete(): Promise<void> {
    return this.#never();
  }
  #never(): Promise<never> {
    return Promise.reject(new Error("no container is running: this stand-in is never used by a test"));
  }
}
