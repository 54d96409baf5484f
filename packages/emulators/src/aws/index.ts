/**
 * AWS Secrets Manager emulator: the AWS JSON 1.1 protocol over HTTP, state in memory. Checks a
 * SigV4-shaped Authorization header (without verifying it), applies injected faults, validates
 * input against the service model, then runs the operation; error bodies never echo a request.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { checkSigV4Authorization, parseJsonObject, sendAwsJson } from "../shared/aws-json.js";
import { FaultQueue } from "../shared/faults.js";
import { BodyTooLargeError, type Clock, readBody, systemClock } from "../shared/http.js";
import { SuspendableListener } from "../shared/listener.js";
import type { EmulatorOptions, RunningEmulator } from "../types.js";
import { AwsError, type AwsFaultKind, injectableFaults, serialization } from "./errors.js";
import { operations } from "./operations.js";
import { inputShapes, validateInput } from "./shapes.js";
import { SecretStore } from "./store.js";

export type { AwsFaultKind } from "./errors.js";

export interface AwsEmulatorOptions extends EmulatorOptions {
  /** Region in ARNs. Default `us-east-1`. */
  region?: string;
  /** 12-digit account id in ARNs. Default `000000000000`. */
  accountId?: string;
  /** Versions per secret above which old unlabelled versions are pruned. Default 100 (the service's). */
  versionPruneThreshold?: number;
  /** Unlabelled versions younger than this are kept. Default 24 hours (the service's). */
  deprecatedVersionMinAgeMs?: number;
  /** Secrets per region before CreateSecret fails with LimitExceededException. Default 500,000. */
  maxSecrets?: number;
  /** Time source in epoch ms; tests pass one to move time (recovery windows, version ages). */
  clock?: Clock;
}

export interface AwsEmulator extends RunningEmulator {
  readonly region: string;
  readonly accountId: string;
  /** Makes the next `count` requests fail with `kind` (default InternalServiceError, HTTP 500). */
  failNext(count: number, kind?: AwsFaultKind): void;
  /** Forgets every secret and pending fault. */
  reset(): void;
}

/** CLI flags this emulator understands, for `coffer-emulator aws`. */
export const cliOptions = {
  region: { type: "string" },
  "account-id": { type: "string" },
} as const;

const TARGET_PREFIX = "secretsmanager.";
// Largest legitimate request: a 64 KiB binary secret, base64-encoded, plus the envelope.
const BODY_LIMIT = 1024 * 1024;

/** Starts an in-memory AWS Secrets Manager speaking the AWS JSON 1.1 protocol. */
export async function startAwsEmulator(options: AwsEmulatorOptions = {}): Promise<AwsEmulator> {
  const region = options.region ?? "us-east-1";
  const accountId = options.accountId ?? "000000000000";
  const store = new SecretStore({
    region,
    accountId,
    clock: options.clock ?? systemClock,
    versionPruneThreshold: options.versionPruneThreshold ?? 100,
    deprecatedVersionMinAgeMs: options.deprecatedVersionMinAgeMs ?? 86_400_000,
    maxSecrets: options.maxSecrets ?? 500_000,
  });
  const faults = new FaultQueue<AwsFaultKind>();

  const server = createServer((request, response) => {
    handle(store, faults, request, response).catch((error: unknown) => {
      // Never echo request content: it may hold secret values.
      const message = error instanceof Error ? error.name : "error";
      send(
        response,
        500,
        errorBody("InternalFailure", `Unhandled emulator error (${message})`),
        "InternalFailure",
      );
    });
  });
  const listener = await SuspendableListener.listen(server, options.host ?? "127.0.0.1", options.port ?? 0);
  return {
    get url() {
      return listener.url;
    },
    get port() {
      return listener.port;
    },
    suspend: () => listener.suspend(),
    resume: () => listener.resume(),
    stop: () => listener.stop(),
    region,
    accountId,
    failNext(count, kind = "InternalServiceError") {
      if (!(kind in injectableFaults)) throw new RangeError(`unknown AWS fault kind: ${kind}`);
      faults.add(count, kind);
    },
    reset() {
      store.clear();
      faults.clear();
    },
  };
}

/** The CLI's entry point: `start(options)` is what `coffer-emulator aws` calls. */
export const start = startAwsEmulator;

async function handle(
  store: SecretStore,
  faults: FaultQueue<AwsFaultKind>,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  let body: Buffer;
  try {
    body = await readBody(request, BODY_LIMIT);
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    sendError(response, new AwsError("RequestEntityTooLargeException", "Request body is too large.", 413));
    return;
  }

  const fault = faults.take();
  if (fault) {
    const { status, message } = injectableFaults[fault];
    sendError(response, new AwsError(fault, message, status));
    return;
  }

  try {
    checkSigV4Authorization(request, (code, message, status) => new AwsError(code, message, status));
    const operation = parseTarget(request);
    const input = parseJsonObject(body, serialization);
    const shape = inputShapes[operation];
    if (shape) validateInput(shape, input);
    store.purgeExpired();
    const run = operations[operation];
    if (!run) throw unknownOperation();
    send(response, 200, JSON.stringify(run(store, input)));
  } catch (error) {
    if (!(error instanceof AwsError)) throw error;
    sendError(response, error);
  }
}

function unknownOperation(): AwsError {
  return new AwsError(
    "UnknownOperationException",
    "The requested operation is not recognized by the service.",
  );
}

function parseTarget(request: IncomingMessage): string {
  const target = request.headers["x-amz-target"];
  const path = (request.url ?? "/").split("?")[0];
  if (
    request.method !== "POST" ||
    path !== "/" ||
    typeof target !== "string" ||
    !target.startsWith(TARGET_PREFIX)
  ) {
    throw unknownOperation();
  }
  const operation = target.slice(TARGET_PREFIX.length);
  if (!Object.hasOwn(operations, operation)) throw unknownOperation();
  return operation;
}

function errorBody(code: string, message: string): string {
  return JSON.stringify({ __type: code, Message: message });
}

function sendError(response: ServerResponse, error: AwsError): void {
  send(response, error.status, errorBody(error.code, error.message), error.code);
}

function send(response: ServerResponse, status: number, body: string, errorType?: string): void {
  sendAwsJson(response, status, body, "com.amazonaws.secretsmanager", errorType);
}
