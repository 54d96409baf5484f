// GCP Cloud KMS emulator: the real v1 KeyManagementService over plaintext gRPC (HTTP/2), keys in
// memory. Symmetric ENCRYPT_DECRYPT keys, what envelope encryption needs: CreateKeyRing,
// CreateCryptoKey, GetCryptoKey, versions (create, make primary, disable, destroy), Encrypt and
// Decrypt with the CRC32C integrity fields. Point the official client at it with
//   new KeyManagementServiceClient({ apiEndpoint: "127.0.0.1", port, sslCreds: grpc.credentials.createInsecure(),
//                                    authClient: new googleAuthLibrary.PassThroughClient() })
import { type GcpFault, GcpFaultQueue } from "../gcp/faults.js";
import { startGatedGrpcServer } from "../gcp/grpc-server.js";
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

  // As with the Secret Manager emulator: loopback only, behind a gate (see grpc-server.ts).
  const server = await startGatedGrpcServer(
    loadServiceDefinition(),
    createImplementation(keys, faults, tampering, calls),
    { host, port: options.port, name: "GCP KMS" },
  );

  return {
    url: server.url,
    host,
    port: server.port,
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
    suspend: () => server.suspend(),
    resume: () => server.resume(),
    stop: () => server.stop(),
  };
}

/** The CLI's entry point. */
export const start = startGcpKmsEmulator;
