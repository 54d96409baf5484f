// Test wiring for the azure store: an in-process Key Vault emulator (https, its own certificate) by
// default, or another vault named by COFFER_TEST_AZURE_URL (+ COFFER_TEST_AZURE_CA, a PEM file).
// Credentials are always a hand-written TokenCredential that returns a fake token: never
// @azure/identity, whose credentials would talk to Entra ID or the instance metadata service.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";
import { SecretClient } from "@azure/keyvault-secrets";
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
import { type AzureEmulator, startAzureEmulator } from "@coffer/emulators";
import { createService, type SecretsService, type ServiceParts } from "@coffer/service";
import { AzureKeyVaultStore, type AzureStoreInjections, type AzureStoreOptions } from "../src/index.js";

/** A fake credential that counts its calls; the emulator accepts any non-empty bearer token. */
export class FakeCredential implements TokenCredential {
  calls = 0;
  async getToken(_scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken> {
    this.calls++;
    return { token: "not-a-real-token", expiresOnTimestamp: Date.now() + 3_600_000 };
  }
}

export interface AzureTarget {
  url: string;
  ca: string;
  /** The in-process emulator, when the tests started one (fault hooks need it). */
  emulator?: AzureEmulator;
  stop(): Promise<void>;
}

export async function startTarget(options: { inProcess?: boolean } = {}): Promise<AzureTarget> {
  const external = process.env.COFFER_TEST_AZURE_URL;
  if (external && !options.inProcess) {
    const caFile = process.env.COFFER_TEST_AZURE_CA;
    return { url: external, ca: caFile ? readFileSync(caFile, "utf8") : "", stop: async () => {} };
  }
  const emulator = await startAzureEmulator();
  return { url: emulator.url, ca: emulator.certificatePem ?? "", emulator, stop: () => emulator.stop() };
}

/** No retries (a failure shows at once) and quick pollers. */
export function testInjections(extra: AzureStoreInjections = {}): AzureStoreInjections {
  return {
    credential: new FakeCredential(),
    clientOptions: { retryOptions: { maxRetries: 0 } },
    pollIntervalMs: 10,
    ...extra,
  };
}

export function contextFor(deploymentId = "test-deployment"): StoreContext {
  return { deploymentId, dataDir: "/nonexistent", databaseUrl: "", logger: silentLogger };
}

export function storeOptions(
  target: Pick<AzureTarget, "url" | "ca">,
  extra: Partial<AzureStoreOptions> = {},
) {
  return {
    vaultUrl: target.url,
    ...(target.ca ? { tlsCa: target.ca } : {}),
    disableChallengeResourceVerification: true,
    ...extra,
  } satisfies AzureStoreOptions;
}

export function storeFor(
  target: Pick<AzureTarget, "url" | "ca">,
  extra: Partial<AzureStoreOptions> = {},
  deploymentId = "test-deployment",
  injections: AzureStoreInjections = testInjections(),
): AzureKeyVaultStore {
  return new AzureKeyVaultStore(storeOptions(target, extra), contextFor(deploymentId), injections);
}

/** The official client, straight at the target: to look behind the store's back. */
export function rawClient(target: Pick<AzureTarget, "url" | "ca">): SecretClient {
  return new SecretClient(target.url, new FakeCredential(), {
    disableChallengeResourceVerification: true,
    ...(target.ca ? { tlsOptions: { ca: target.ca } } : {}),
    retryOptions: { maxRetries: 0 },
  });
}

/** A loopback port with nothing listening on it. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export const poll = { intervalInMs: 10 };

export const sample: SecretValues = { username: "fake-user", password: "fake-password-1" };

/**
 * A SecretsService over SQLite metadata (in a fresh temporary directory) and an azure store at
 * `target`, with the test injections (a fake credential, no retries, quick pollers). The store is
 * returned too; `close` closes both and removes the directory.
 */
export async function serviceOver(
  target: Pick<AzureTarget, "url" | "ca">,
  parts: Partial<ServiceParts> = {},
  injections: AzureStoreInjections = testInjections(),
): Promise<{ service: SecretsService; store: AzureKeyVaultStore; close(): Promise<void> }> {
  const dir = mkdtempSync(path.join(tmpdir(), "coffer-azure-service-"));
  let store: AzureKeyVaultStore | undefined;
  const service = await createService({
    databaseUrl: `sqlite://${path.join(dir, "coffer.db")}`,
    dataDir: dir,
    logger: silentLogger,
    store: (context) => {
      store = new AzureKeyVaultStore(storeOptions(target), context, injections);
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
export async function serviceUnderTest(
  target: Pick<AzureTarget, "url" | "ca">,
  injections?: AzureStoreInjections,
): Promise<ServiceUnderTest> {
  const { service, store, close } = await serviceOver(target, {}, injections);
  return {
    session: (user) => service.as({ id: user }),
    maxValueBytes: store.capabilities().maxValueBytes,
    close,
  };
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
  readonly type = "azure";
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
