/**
 * Test wiring: the in-process Vault emulator by default, or the Vault at COFFER_TEST_VAULT_ADDR
 * (with COFFER_TEST_VAULT_TOKEN, a token allowed to use the `secret` KV v2 mount) when set.
 */
import { createServer, connect as openSocket, type Socket } from "node:net";
import type { StoreCapabilities } from "@coffer/core";
import { startVaultEmulator, type VaultEmulator, type VaultEmulatorOptions } from "@coffer/emulators";
import { createService, type ServiceParts } from "@coffer/service";
import { contextFor, serviceOverStore } from "@coffer/testkit";
import vaultFactory from "node-vault";
import { generate } from "selfsigned";
import {
  VaultStore,
  type VaultStoreInjections,
  type VaultStoreOptions,
  vaultStoreOptions,
} from "../src/index.js";

export { closedPort, contextFor, uniqueDeployment } from "@coffer/testkit";

export type VaultClient = ReturnType<typeof vaultFactory>;

export interface VaultBackend {
  address: string;
  token: string;
  emulator: VaultEmulator | undefined;
  stop(): Promise<void>;
}

export const externalAddress = process.env.COFFER_TEST_VAULT_ADDR;

/** What the store declares. */
export async function startBackend(options: VaultEmulatorOptions = {}): Promise<VaultBackend> {
  if (externalAddress) {
    return {
      address: externalAddress,
      token: process.env.COFFER_TEST_VAULT_TOKEN ?? "",
      emulator: undefined,
      stop: async () => {},
    };
  }
  const emulator = await startVaultEmulator({ rootToken: "not-a-real-root-token", ...options });
  return { address: emulator.url, token: emulator.rootToken, emulator, stop: () => emulator.stop() };
}

/** Where a store connects: an address and the token it uses unless AppRole options are given. */
export type VaultTarget = Pick<VaultBackend, "address" | "token">;

export function storeOptions(
  backend: VaultTarget,
  extra: Partial<VaultStoreOptions> = {},
): VaultStoreOptions {
  const appRole = extra.roleId !== undefined || extra.secretId !== undefined;
  return {
    address: backend.address,
    pathPrefix: "coffer-test",
    ...(!appRole && { token: backend.token }),
    timeoutMs: 5_000,
    ...extra,
  };
}

export function storeFor(
  backend: VaultTarget,
  deploymentId: string,
  extra: Partial<VaultStoreOptions> = {},
  hooks: VaultStoreInjections = {},
): VaultStore {
  return new VaultStore(
    vaultStoreOptions.parse(storeOptions(backend, extra)),
    contextFor(deploymentId),
    hooks,
  );
}

/** What a store with these options declares, read from one (constructing a store does no I/O). */
export function capabilitiesOf(extra: Partial<VaultStoreOptions> = {}): StoreCapabilities {
  return storeFor(
    { address: "http://127.0.0.1:1", token: "not-a-real-token" },
    "capabilities",
    extra,
  ).capabilities();
}

/** node-vault as an operator would use it, to look at (and tamper with) what the store wrote. */
export function rawClient(backend: VaultBackend, namespace?: string): VaultClient {
  return vaultFactory({
    apiVersion: "v1",
    endpoint: backend.address,
    token: backend.token,
    ...(namespace !== undefined && { namespace }),
  });
}

/** A clock tests move forward, shared by the emulator and the store. */
export function manualClock(start = Date.UTC(2026, 0, 15, 12)) {
  let now = start;
  return {
    now: () => now,
    advance(seconds: number) {
      now += seconds * 1000;
    },
  };
}

/** What node-vault threw: its ApiResponseError carries the HTTP status. */
export async function statusOf(promise: Promise<unknown>): Promise<number | undefined> {
  try {
    await promise;
    return 200;
  } catch (error) {
    return (error as { response?: { statusCode?: number } }).response?.statusCode;
  }
}

/**
 * A SecretsService over SQLite metadata (in a fresh temporary directory) and a `vault` store on
 * `backend`. The result also has the store and is what the service suite drives; `close` also
 * removes the directory.
 */
export function serviceOver(
  backend: VaultTarget,
  extra: Partial<VaultStoreOptions> = {},
  parts: Partial<ServiceParts> = {},
) {
  return serviceOverStore(
    createService,
    (context) => new VaultStore(vaultStoreOptions.parse(storeOptions(backend, extra)), context),
    parts,
  );
}

/** A throwaway self-signed certificate for 127.0.0.1, for the TLS tests. */
export async function loopbackCertificate(): Promise<{ key: string; cert: string }> {
  const now = Date.now();
  const pems = await generate([{ name: "commonName", value: "127.0.0.1" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notBeforeDate: new Date(now - 60_000),
    notAfterDate: new Date(now + 86_400_000),
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "extKeyUsage", serverAuth: true },
      { name: "subjectAltName", altNames: [{ type: 7, ip: "127.0.0.1" }] },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}

/** A loopback TCP forwarder that counts what passes through it. */
export interface TrafficCounter {
  /** `http://127.0.0.1:<port>`: give it to a store as its address. */
  url: string;
  /** Connections accepted plus data chunks received from clients, so far. */
  count(): number;
  stop(): Promise<void>;
}

/**
 * Forwards every connection to `target()` (an http URL, read when a connection arrives, so the
 * backend may start later) and counts connections and the chunks clients send: the conformance
 * suite's `backendTraffic`, which checks that constructing a store, or refusing its options, does
 * no I/O (C04, C06.1). Chunks count too because stores in one process share kept-alive sockets:
 * a new store's first request may open no connection.
 */
export async function startTrafficCounter(target: () => string): Promise<TrafficCounter> {
  let traffic = 0;
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  };
  const server = createServer((client) => {
    traffic++;
    const { hostname, port } = new URL(target());
    const upstream = openSocket(Number(port), hostname);
    track(client);
    track(upstream);
    client.on("data", () => traffic++);
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    count: () => traffic,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
