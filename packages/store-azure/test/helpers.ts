// Test wiring for the azure store: an in-process Key Vault emulator (https, its own certificate) by
// default, or another vault named by COFFER_TEST_AZURE_URL (+ COFFER_TEST_AZURE_CA, a PEM file).
// Credentials are always a hand-written TokenCredential that returns a fake token: never
// @azure/identity, whose credentials would talk to Entra ID or the instance metadata service.
import { readFileSync } from "node:fs";
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";
import { SecretClient } from "@azure/keyvault-secrets";
import type { SecretValues, StoreCapabilities } from "@coffer/core";
import { type AzureEmulator, startAzureEmulator } from "@coffer/emulators";
import { createService, type ServiceParts } from "@coffer/service";
import { contextFor, serviceOverStore } from "@coffer/testkit";
import { AzureStore, type AzureStoreInjections, type AzureStoreOptions } from "../src/index.js";

export { closedPort, contextFor } from "@coffer/testkit";

/** A fake credential that counts its calls; the emulator accepts any non-empty bearer token. */
export class FakeCredential implements TokenCredential {
  calls = 0;
  async getToken(_scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken> {
    this.calls++;
    return { token: "not-a-real-token", expiresOnTimestamp: Date.now() + 3_600_000 };
  }
}

/** What the store declares with purgeOnDelete on (the default). */
export interface AzureBackend {
  url: string;
  ca: string;
  /** The in-process emulator, when the tests started one (fault hooks need it). */
  emulator?: AzureEmulator;
  stop(): Promise<void>;
}

export async function startBackend(options: { inProcess?: boolean } = {}): Promise<AzureBackend> {
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

export function storeOptions(
  target: Pick<AzureBackend, "url" | "ca">,
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
  target: Pick<AzureBackend, "url" | "ca">,
  extra: Partial<AzureStoreOptions> = {},
  deploymentId = "test-deployment",
  injections: AzureStoreInjections = testInjections(),
): AzureStore {
  return new AzureStore(storeOptions(target, extra), contextFor(deploymentId), injections);
}

/** What a store with these options declares, read from one (constructing a store does no I/O). */
export function capabilitiesOf(extra: Partial<AzureStoreOptions> = {}): StoreCapabilities {
  return storeFor({ url: "https://127.0.0.1:1", ca: "" }, extra).capabilities();
}

/** The official client, straight at the target: to look behind the store's back. */
export function rawClient(target: Pick<AzureBackend, "url" | "ca">): SecretClient {
  return new SecretClient(target.url, new FakeCredential(), {
    disableChallengeResourceVerification: true,
    ...(target.ca ? { tlsOptions: { ca: target.ca } } : {}),
    retryOptions: { maxRetries: 0 },
  });
}

/** A loopback port with nothing listening on it. */

export const poll = { intervalInMs: 10 };

export const sample: SecretValues = { username: "fake-user", password: "fake-password-1" };

/**
 * A SecretsService over SQLite metadata (in a fresh temporary directory) and an azure store at
 * `target`, with the test injections (a fake credential, no retries, quick pollers). The result
 * also has the store and is what the service suite drives; `close` closes both and removes the
 * directory.
 */
export function serviceOver(
  target: Pick<AzureBackend, "url" | "ca">,
  parts: Partial<ServiceParts> = {},
  injections: AzureStoreInjections = testInjections(),
) {
  return serviceOverStore(
    createService,
    (context) => new AzureStore(storeOptions(target), context, injections),
    parts,
  );
}
