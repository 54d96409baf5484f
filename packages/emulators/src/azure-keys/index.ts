// Azure Key Vault (keys) emulator: the keys REST API as @azure/keyvault-keys speaks it — create,
// get (latest or a version), update, rotate, list versions, wrapkey/unwrapkey with real RSA-OAEP
// and RSA-OAEP-256, soft delete, recover and purge — over HTTPS with a certificate generated at
// start and the bearer challenge of the secrets emulator. Point the clients at it:
//   new KeyClient(emulator.url, credential, { disableChallengeResourceVerification: true,
//                                            tlsOptions: { ca: emulator.certificatePem } })
import { type AzureFault, AzureFaultQueue } from "../azure/faults.js";
import { vaultServer } from "../azure/server.js";
import { type Clock, systemClock } from "../shared/http.js";
import { SuspendableListener } from "../shared/listener.js";
import type { EmulatorOptions, RunningEmulator } from "../types.js";
import { createKeysHandler } from "./handler.js";
import { KeyVaultKeys } from "./keys.js";

export interface AzureKeysEmulatorOptions extends EmulatorOptions {
  /** Serve plain http instead of https (clients then need `allowInsecureConnection: true`). */
  http?: boolean;
  /** Soft-delete retention, 7 to 90 days; 90 unless set. */
  softDeleteRetentionInDays?: number;
  /** The tenant named in the bearer challenge's authorization URL. */
  tenantId?: string;
  /** Extra host names or IPs for the certificate (loopback names are always in it). */
  certificateNames?: string[];
  /** Serve this certificate and key (PEM file paths) instead of generating one. */
  tlsCertFile?: string;
  tlsKeyFile?: string;
  clock?: Clock;
}

/** Flags for `coffer-emulator azure-keys`. */
export const cliOptions = {
  "tls-cert-file": { type: "string" },
  "tls-key-file": { type: "string" },
  http: { type: "boolean" },
} as const;

export interface AzureKeysEmulator extends RunningEmulator {
  /** The vault URL, e.g. https://127.0.0.1:PORT; every `kid` starts with it. */
  readonly url: string;
  /** PEM of the self-signed certificate the emulator serves; undefined with `http: true`. */
  readonly certificatePem: string | undefined;
  /** Makes the next `count` authenticated requests fail with 503 (the default) or 429 + Retry-After. */
  failNext(count: number, fault?: AzureFault): void;
  clearFaults(): void;
  /**
   * Authenticated requests per operation (createKey, getKey, updateKey, rotateKey, getKeyVersions,
   * wrapKey, unwrapKey, deleteKey, getDeletedKey, recoverDeletedKey, purgeDeletedKey): what reached
   * the vault, so tests see which client calls ran locally.
   */
  readonly calls: Readonly<Record<string, number>>;
  /** Forgets every key, count and pending fault. */
  reset(): void;
}

export async function startAzureKeysEmulator(
  options: AzureKeysEmulatorOptions = {},
): Promise<AzureKeysEmulator> {
  const host = options.host ?? "127.0.0.1";
  const keys = new KeyVaultKeys(options.clock ?? systemClock, options.softDeleteRetentionInDays);
  const faults = new AzureFaultQueue();
  const calls: Record<string, number> = {};
  const scheme = options.http ? "http" : "https";
  const handler = createKeysHandler({
    keys,
    faults,
    scheme,
    calls,
    tenantId: options.tenantId ?? "00000000-0000-0000-0000-000000000000",
  });
  const { server, certificatePem } = await vaultServer({ ...options, host }, handler);
  const listener = await SuspendableListener.listen(server, host, options.port ?? 0);
  const url = listener.url.replace(/^http:/, `${scheme}:`).replace("0.0.0.0", "127.0.0.1");

  return {
    url,
    get port() {
      return listener.port;
    },
    certificatePem,
    failNext: (count, fault) => faults.add(count, fault),
    clearFaults: () => faults.clear(),
    calls,
    suspend: () => listener.suspend(),
    resume: () => listener.resume(),
    stop: () => listener.stop(),
    reset() {
      keys.clear();
      faults.clear();
      for (const name of Object.keys(calls)) delete calls[name];
    },
  };
}

/** The CLI's entry point. */
export const start = startAzureKeysEmulator;
