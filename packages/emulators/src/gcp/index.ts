// GCP Secret Manager emulator: the real v1 gRPC service over plaintext HTTP/2, state in memory.
// Point the official client at it with
//   new SecretManagerServiceClient({ apiEndpoint: "127.0.0.1", port, sslCreds: grpc.credentials.createInsecure(),
//                                    authClient: new PassThroughClient() })
import { Server, ServerCredentials } from "@grpc/grpc-js";
import type { EmulatorOptions, RunningEmulator } from "../types.js";
import { type GcpFault, GcpFaultQueue } from "./faults.js";
import { TcpGate } from "./gate.js";
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
  const server = new Server();
  server.addService(loadServiceDefinition(), createImplementation(state, faults));
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
  // Listening on every interface (inside a container) still means clients dial loopback here.
  const publicHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  let stopped = false;

  return {
    url: publicHost.includes(":") ? `[${publicHost}]:${port}` : `${publicHost}:${port}`,
    host,
    port,
    projectId: options.projectId,
    failNext: (count, fault) => faults.add(count, fault),
    clearFaults: () => faults.clear(),
    get pendingFaults() {
      return faults.size;
    },
    suspend: () => gate.close(),
    async resume() {
      if (stopped) throw new Error("the GCP emulator was stopped; start a new one");
      if (!gate.isOpen) await gate.open(host, port);
    },
    async stop() {
      stopped = true;
      await gate.close();
      server.forceShutdown();
    },
  };
}

export const start = startGcpEmulator;
