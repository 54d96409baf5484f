import { connect } from "node:net";
import vaultFactory from "node-vault";
import { startVaultEmulator, type VaultEmulator, type VaultEmulatorOptions } from "../src/vault/index.js";

export type VaultClient = ReturnType<typeof vaultFactory>;

/** A clock tests can move forward. */
export function manualClock(start = Date.UTC(2026, 0, 15, 12, 0, 0)) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

/** node-vault with its default verbs, so `list()` really sends LIST. */
export function clientFor(
  emulator: VaultEmulator,
  token = emulator.rootToken,
  namespace?: string,
): VaultClient {
  return vaultFactory({
    apiVersion: "v1",
    endpoint: emulator.url,
    token,
    ...(namespace !== undefined && { namespace }),
  });
}

export async function startWithClient(options: VaultEmulatorOptions = {}) {
  const emulator = await startVaultEmulator(options);
  return { emulator, vault: clientFor(emulator) };
}

export interface ApiError extends Error {
  response: { statusCode: number; body: Record<string, unknown> };
}

/** Runs `fn` and returns node-vault's ApiResponseError (fails the test when it does not throw). */
export async function apiFailure(fn: () => Promise<unknown>): Promise<ApiError> {
  try {
    await fn();
  } catch (error) {
    if ((error as ApiError).response) return error as ApiError;
    throw error;
  }
  throw new Error("expected the call to fail, but it succeeded");
}

/** Plain fetch for what node-vault has no method for (custom headers, content types, verbs). */
export async function call(
  emulator: VaultEmulator,
  method: string,
  path: string,
  options: { token?: string | null; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const token = options.token === undefined ? emulator.rootToken : options.token;
  const response = await fetch(`${emulator.url}/v1/${path}`, {
    method,
    headers: {
      ...(token !== null && { "x-vault-token": token }),
      ...(options.body !== undefined && { "content-type": "application/json" }),
      ...options.headers,
    },
    ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : {}, headers: response.headers };
}

/** Opens a fresh TCP connection to 127.0.0.1:port: "connected", or the error code (ECONNREFUSED). */
export function connectOutcome(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve("connected");
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

/** RFC 3339 in UTC with up to nine fractional digits, as Go's time.RFC3339Nano prints. */
export const RFC3339_NANO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
