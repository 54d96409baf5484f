import { connect } from "node:net";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { type AwsEmulator, type AwsEmulatorOptions, startAwsEmulator } from "../src/aws/index.js";

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

export const DAY_MS = 86_400_000;

/** The official client pointed at the emulator: static fake keys, one attempt, no retries. */
export function clientFor(emulator: AwsEmulator): SecretsManagerClient {
  return new SecretsManagerClient({
    endpoint: emulator.url,
    region: "us-east-1",
    credentials: { accessKeyId: "AKIAFAKEFAKEFAKE0000", secretAccessKey: "not-a-real-secret-key" },
    maxAttempts: 1,
  });
}

export async function startWithClient(options: AwsEmulatorOptions = {}) {
  const emulator = await startAwsEmulator(options);
  return { emulator, client: clientFor(emulator) };
}

/** Runs `fn` and returns what it threw (fails the test when it does not throw). */
export async function failure(fn: () => Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await fn();
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error("expected the call to fail, but it succeeded");
}

export const FAKE_SIGV4 =
  "AWS4-HMAC-SHA256 Credential=AKIAFAKEFAKEFAKE0000/20260115/us-east-1/secretsmanager/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000";

/** A hand-made JSON 1.1 request, for wire-level checks the SDK hides. */
export function rawCall(
  emulator: AwsEmulator,
  operation: string,
  body: unknown,
  headers: Record<string, string> = { authorization: FAKE_SIGV4 },
): Promise<Response> {
  return fetch(`${emulator.url}/`, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": `secretsmanager.${operation}`,
      ...headers,
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
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
