// GCP Secret Manager emulator: the real v1 gRPC service over plaintext HTTP/2, state in memory.
// Point the official client at it with
//   new SecretManagerServiceClient({ apiEndpoint: "127.0.0.1", port, sslCreds: grpc.credentials.createInsecure(),
//                                    authClient: new PassThroughClient() })
import { Server, ServerCredentials } from "@grpc/grpc-js";
import type { EmulatorOptions, RunningEmulator } from "../types.js";
import { type GcpFault, GcpFaultQueue } from "./faults.js";
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
}

export async function startGcpEmulator(options: GcpEmulatorOptions = {}): Promise<GcpEmulator> {
  const host = options.host ?? "127.0.0.1";
  const state = new SecretManagerState(
    options.projectId === undefined ? {} : { projectId: options.projectId },
  );
  const faults = new GcpFaultQueue();
  const definition = loadServiceDefinition();
  const implementation = createImplementation(state, faults);
  const address = (port: number) => (host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`);

  const listen = async (port: number): Promise<{ server: Server; port: number }> => {
    const server = new Server();
    server.addService(definition, implementation);
    const bound = await new Promise<number>((resolve, reject) => {
      server.bindAsync(address(port), ServerCredentials.createInsecure(), (error, p) =>
        error ? reject(error) : resolve(p),
      );
    });
    return { server, port: bound };
  };

  let current: Server | undefined;
  const first = await listen(options.port ?? 0);
  current = first.server;
  const port = first.port;
  let stopped = false;

  const shutdown = () => {
    current?.forceShutdown();
    current = undefined;
  };

  return {
    url: address(port),
    host,
    port,
    projectId: options.projectId,
    failNext: (count, fault) => faults.add(count, fault),
    clearFaults: () => faults.clear(),
    async suspend() {
      shutdown();
    },
    async resume() {
      if (stopped) throw new Error("the GCP emulator was stopped; start a new one");
      if (current) return;
      current = (await listen(port)).server;
    },
    async stop() {
      stopped = true;
      shutdown();
    },
  };
}

export const start = startGcpEmulator;
