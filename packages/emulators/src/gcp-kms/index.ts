// GCP Cloud KMS emulator: the real v1 KeyManagementService over plaintext gRPC (HTTP/2), keys in
// memory. Symmetric ENCRYPT_DECRYPT keys, what envelope encryption needs: CreateKeyRing,
// CreateCryptoKey, GetCryptoKey, versions (create, make primary, disable, destroy), Encrypt and
// Decrypt with the CRC32C integrity fields. Point the official client at it with
//   new KeyManagementServiceClient({ apiEndpoint: "127.0.0.1", port, sslCreds: grpc.credentials.createInsecure(),
//                                    authClient: new googleAuthLibrary.PassThroughClient() })
import { Server, ServerCredentials } from "@grpc/grpc-js";
import { type GcpFault, GcpFaultQueue } from "../gcp/faults.js";
import { TcpGate } from "../gcp/gate.js";
import { FaultQueue } from "../shared/faults.js";
import type { EmulatorOptions, RunningEmulator } from "../types.js";
import { readHeader } from "./ciphertext.js";
import type { GcpKmsTamperKind } from "./crypt.js";
import { KmsKeyStore } from "./keys.js";
import { type Counters, createImplementation, loadServiceDefinition } from "./service.js";

export type { GcpKmsTamperKind } from "./crypt.js";

export interface GcpKmsEmulatorOptions extends EmulatorOptions {
  /** When set, only this project exists; requests naming another get PERMISSION_DENIED. */
  projectId?: string;
}

export interface GcpKmsEmulator extends RunningEmulator {
  /** `host:port`, what gRPC clients dial. */
  readonly url: string;
  readonly host: string;
  readonly projectId: string | undefined;
  /** Makes the next `count` calls (optionally only to `fault.methods`) fail with UNAVAILABLE
   * (the default) or RESOURCE_EXHAUSTED. */
  failNext(count: number, fault?: GcpFault): void;
  /** Drops faults not yet consumed. */
  clearFaults(): void;
  /** Makes the next `count` Encrypt or Decrypt answers arrive damaged (see GcpKmsTamperKind). */
  tamperNext(count: number, kind: GcpKmsTamperKind): void;
  /** How many requests each method has received (tests check what reached the KMS). */
  readonly calls: Readonly<Counters>;
  /**
   * For tests: the version number a ciphertext names. Not a KMS operation: Cloud KMS ciphertexts
   * are opaque to callers.
   */
  inspectCiphertext(ciphertext: Uint8Array): { version: number } | undefined;
  /** Forgets every key ring, key, count, fault and tampering. */
  reset(): void;
}

/** CLI flags this emulator understands, for `coffer-emulator gcp-kms`. */
export const cliOptions = {
  "project-id": { type: "string" },
} as const;

export async function startGcpKmsEmulator(options: GcpKmsEmulatorOptions = {}): Promise<GcpKmsEmulator> {
  const host = options.host ?? "127.0.0.1";
  const keys = new KmsKeyStore(options.projectId);
  const faults = new GcpFaultQueue();
  const tampering = new FaultQueue<GcpKmsTamperKind>();
  const calls: Counters = {};

  // As with the Secret Manager emulator: the gRPC server listens on loopback only, behind a TCP
  // gate whose close resets connections, so an outage looks like one (UNAVAILABLE, not CANCELLED).
  const server = new Server();
  server.addService(loadServiceDefinition(), createImplementation(keys, faults, tampering, calls));
  const internalPort = await new Promise<number>((resolve, reject) => {
    server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (error, p) =>
      error ? reject(error) : resolve(p),
    );
  });
  const gate = new TcpGate({ host: "127.0.0.1", port: internalPort });
  let port: number;
  try {
    port = await gate.open(host, options.port ?? 0);
  } catch (error) {
    server.forceShutdown();
    throw error;
  }
  const publicHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  let stopped = false;

  return {
    url: publicHost.includes(":") ? `[${publicHost}]:${port}` : `${publicHost}:${port}`,
    host,
    port,
    projectId: options.projectId,
    calls,
    failNext: (count, fault) => faults.add(count, fault),
    clearFaults: () => faults.clear(),
    tamperNext: (count, kind) => tampering.add(count, kind),
    inspectCiphertext(ciphertext) {
      const header = readHeader(Buffer.from(ciphertext));
      return header && { version: header.version };
    },
    reset() {
      keys.clear();
      faults.clear();
      tampering.clear();
      for (const method of Object.keys(calls)) delete calls[method];
    },
    suspend: () => gate.close(),
    async resume() {
      if (stopped) throw new Error("the GCP KMS emulator was stopped; start a new one");
      if (!gate.isOpen) await gate.open(host, port);
    },
    async stop() {
      stopped = true;
      await gate.close();
      server.forceShutdown();
    },
  };
}

/** The CLI's entry point. */
export const start = startGcpKmsEmulator;
