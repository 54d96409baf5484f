// GCP Secret Manager emulator: the real v1 gRPC service over plaintext HTTP/2, state in memory.
// Point the official client at it with
//   new SecretManagerServiceClient({ apiEndpoint: "127.0.0.1", port, sslCreds: grpc.credentials.createInsecure(),
//                                    authClient: new PassThroughClient() })
import type { EmulatorOptions, RunningEmulator } from "../types.js";
import { type GcpFault, GcpFaultQueue } from "./faults.js";
import { startGatedGrpcServer } from "./grpc-server.js";
import { createImplementation, loadServiceDefinition } from "./service.js";
import { SecretManagerState } from "./state.js";

export type { GcpFault, GcpFaultCode } from "./faults.js";

export interface GcpEmulatorOptions extends EmulatorOptions {
  /** When set, only this project exists; requests naming another get PERMISSION_DENIED. */
  projectId?: string;
}

export interface GcpEmulator extends RunningEmulator {
  /** `host:port`, what gRPC clients dial. */
  readonly url: string;
  readonly host: string;
  readonly projectId: string | undefined;
  /** Makes the next `count` calls (optionally only to `fault.methods`) fail with UNAVAILABLE
   * (the default) or RESOURCE_EXHAUSTED. */
  failNext(count: number, fault?: GcpFault): void;
  /** Drops faults not yet consumed. */
  clearFaults(): void;
  /** How many injected failures are still to come. */
  readonly pendingFaults: number;
}

export async function startGcpEmulator(options: GcpEmulatorOptions = {}): Promise<GcpEmulator> {
  const host = options.host ?? "127.0.0.1";
  const state = new SecretManagerState(
    options.projectId === undefined ? {} : { projectId: options.projectId },
  );
  const faults = new GcpFaultQueue();

  // The gRPC server itself only ever listens on loopback; the public port is the gate in front.
  const server = await startGatedGrpcServer(loadServiceDefinition(), createImplementation(state, faults), {
    host,
    port: options.port,
    name: "GCP",
  });

  return {
    url: server.url,
    host,
    port: server.port,
    projectId: options.projectId,
    failNext: (count, fault) => faults.add(count, fault),
    clearFaults: () => faults.clear(),
    get pendingFaults() {
      return faults.size;
    },
    suspend: () => server.suspend(),
    resume: () => server.resume(),
    stop: () => server.stop(),
  };
}

export const start = startGcpEmulator;
