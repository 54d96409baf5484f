// Azure Key Vault (secrets) emulator: the REST API over HTTPS with a certificate generated at
// start, the bearer challenge the official client expects, state in memory. Point the client at it:
//   new SecretClient(emulator.url, credential, { disableChallengeResourceVerification: true,
//                                               tlsOptions: { ca: emulator.certificatePem } })
import type { EmulatorOptions, RunningEmulator } from "../types.js";
import { type AzureFault, AzureFaultQueue } from "./faults.js";
import { createHandler } from "./handler.js";
import { vaultServer } from "./server.js";
import { Vault } from "./vault.js";

export type { AzureFault } from "./faults.js";

export interface AzureEmulatorOptions extends EmulatorOptions {
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
}

/** Flags for `coffer-emulator azure`. */
export const cliOptions = {
  "tls-cert-file": { type: "string" },
  "tls-key-file": { type: "string" },
  http: { type: "boolean" },
} as const;

export interface AzureEmulator extends RunningEmulator {
  /** The vault URL, e.g. https://127.0.0.1:PORT. */
  readonly url: string;
  /** PEM of the self-signed certificate the emulator serves; undefined with `http: true`. */
  readonly certificatePem: string | undefined;
  /** Makes the next `count` authenticated requests fail with 503 (the default) or 429 + Retry-After. */
  failNext(count: number, fault?: AzureFault): void;
  /** Drops faults not yet consumed. */
  clearFaults(): void;
  /** How many injected failures are still to come. */
  readonly pendingFaults: number;
}

export async function startAzureEmulator(options: AzureEmulatorOptions = {}): Promise<AzureEmulator> {
  const host = options.host ?? "127.0.0.1";
  const vault = new Vault(
    options.softDeleteRetentionInDays === undefined
      ? {}
      : { softDeleteRetentionInDays: options.softDeleteRetentionInDays },
  );
  const faults = new AzureFaultQueue();
  const scheme = options.http ? "http" : "https";
  const handler = createHandler({
    vault,
    faults,
    scheme,
    tenantId: options.tenantId ?? "00000000-0000-0000-0000-000000000000",
  });
  const { server, certificatePem } = await vaultServer({ ...options, host }, handler);

  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve((server.address() as { port: number }).port);
      });
    });
  const close = async () => {
    if (!server.listening) return;
    const closed = new Promise((resolve) => server.close(resolve));
    server.closeAllConnections();
    await closed;
  };

  const port = await listen(options.port ?? 0);
  const publicHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  let stopped = false;

  return {
    url: `${scheme}://${publicHost.includes(":") ? `[${publicHost}]` : publicHost}:${port}`,
    port,
    certificatePem,
    failNext: (count, fault) => faults.add(count, fault),
    clearFaults: () => faults.clear(),
    get pendingFaults() {
      return faults.size;
    },
    suspend: close,
    async resume() {
      if (stopped) throw new Error("the Azure emulator was stopped; start a new one");
      if (!server.listening) await listen(port);
    },
    async stop() {
      stopped = true;
      await close();
    },
  };
}

export const start = startAzureEmulator;
