// What every GCP emulator here shares, whatever its service: the service definition read from the
// self-contained protos.json that ships inside the official client package, and a gRPC server that
// listens on loopback only, behind a TCP gate whose close resets connections, so that an outage
// looks like one to clients (UNAVAILABLE, not CANCELLED).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import {
  loadPackageDefinition,
  Server,
  ServerCredentials,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from "@grpc/grpc-js";
import { fromJSON } from "@grpc/proto-loader";
import { TcpGate } from "./gate.js";

const definitions = new Map<string, ServiceDefinition>();

/**
 * The service `serviceName` (e.g. "google.cloud.kms.v1.KeyManagementService") as the client
 * package `clientPackage` (e.g. "@google-cloud/kms") declares it; read once per process.
 */
export function loadGrpcService(clientPackage: string, serviceName: string): ServiceDefinition {
  const known = definitions.get(serviceName);
  if (known) return known;
  const require = createRequire(import.meta.url);
  const json = JSON.parse(
    readFileSync(require.resolve(`${clientPackage}/build/protos/protos.json`), "utf8"),
  ) as object;
  const definition = fromJSON(json, {
    keepCase: false,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  let node: unknown = loadPackageDefinition(definition);
  for (const part of serviceName.split(".")) node = (node as Record<string, unknown>)[part];
  const service = (node as { service: ServiceDefinition }).service;
  definitions.set(serviceName, service);
  return service;
}

export interface GatedGrpcServer {
  /** `host:port`, what gRPC clients dial. */
  readonly url: string;
  readonly port: number;
  suspend(): Promise<void>;
  resume(): Promise<void>;
  stop(): Promise<void>;
}

/** Serves `implementation` on `host:port` (0: any free port); `name` is for the error after stop. */
export async function startGatedGrpcServer(
  service: ServiceDefinition,
  implementation: UntypedServiceImplementation,
  options: { host: string; port?: number | undefined; name: string },
): Promise<GatedGrpcServer> {
  const { host, name } = options;
  const server = new Server();
  server.addService(service, implementation);
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
    port,
    suspend: () => gate.close(),
    async resume() {
      if (stopped) throw new Error(`the ${name} emulator was stopped; start a new one`);
      if (!gate.isOpen) await gate.open(host, port);
    },
    async stop() {
      stopped = true;
      await gate.close();
      server.forceShutdown();
    },
  };
}
