/**
 * AWS KMS emulator: the KMS API (TrentService) over AWS JSON 1.1, keys in memory. Symmetric keys
 * only — what envelope encryption needs: Encrypt, Decrypt, GenerateDataKey, plus CreateKey,
 * DescribeKey, CreateAlias, EnableKey/DisableKey and RotateKeyOnDemand. Built from the KMS API
 * reference; signatures are not verified (any SigV4-shaped Authorization header passes).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { checkSigV4Authorization, parseJsonObject, sendAwsJson } from "../shared/aws-json.js";
import { FaultQueue } from "../shared/faults.js";
import { BodyTooLargeError, type Clock, readBody, systemClock } from "../shared/http.js";
import { SuspendableListener } from "../shared/listener.js";
import type { EmulatorOptions, RunningEmulator } from "../types.js";
import { AwsKmsError, type AwsKmsFaultKind, injectableFaults, serialization } from "./errors.js";
import { KmsKeys } from "./keys.js";
import { operations } from "./operations.js";

export type { AwsKmsFaultKind } from "./errors.js";

export interface AwsKmsEmulatorOptions extends EmulatorOptions {
  /** Region in ARNs. Default `us-east-1`. */
  region?: string;
  /** 12-digit account id in ARNs. Default `000000000000`. */
  accountId?: string;
  clock?: Clock;
}

export interface AwsKmsEmulator extends RunningEmulator {
  readonly region: string;
  readonly accountId: string;
  /** Makes the next `count` requests fail with `kind` (default KMSInternalException, HTTP 500). */
  failNext(count: number, kind?: AwsKmsFaultKind): void;
  /**
   * For tests: which key and key material version (0 = original, +1 per rotation) a ciphertext
   * blob (base64) was made with. Not an AWS operation: KMS ciphertexts are opaque to callers.
   */
  inspectCiphertext(blob: string): { keyId: string; materialVersion: number };
  /** How many requests each operation has received (tests check what reached the KMS). */
  readonly calls: Readonly<Record<string, number>>;
  /** Forgets every key, alias, count and pending fault. */
  reset(): void;
}

/** CLI flags this emulator understands, for `coffer-emulator aws-kms`. */
export const cliOptions = {
  region: { type: "string" },
  "account-id": { type: "string" },
} as const;

const TARGET_PREFIX = "TrentService.";
const BODY_LIMIT = 64 * 1024;

export async function startAwsKmsEmulator(options: AwsKmsEmulatorOptions = {}): Promise<AwsKmsEmulator> {
  const region = options.region ?? "us-east-1";
  const accountId = options.accountId ?? "000000000000";
  const keys = new KmsKeys(region, accountId, options.clock ?? systemClock);
  const faults = new FaultQueue<AwsKmsFaultKind>();
  const calls: Record<string, number> = {};

  const server = createServer((request, response) => {
    handle(keys, faults, calls, request, response).catch((error: unknown) => {
      const message = error instanceof Error ? error.name : "error";
      sendError(
        response,
        new AwsKmsError("KMSInternalException", `Unhandled emulator error (${message})`, 500),
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
    calls,
    failNext(count, kind = "KMSInternalException") {
      if (!(kind in injectableFaults)) throw new RangeError(`unknown AWS KMS fault kind: ${kind}`);
      faults.add(count, kind);
    },
    inspectCiphertext(blob) {
      const { key, version } = keys.parse(Buffer.from(blob, "base64"));
      return { keyId: key.id, materialVersion: version };
    },
    reset() {
      keys.clear();
      faults.clear();
      for (const name of Object.keys(calls)) delete calls[name];
    },
  };
}

/** The CLI's entry point. */
export const start = startAwsKmsEmulator;

async function handle(
  keys: KmsKeys,
  faults: FaultQueue<AwsKmsFaultKind>,
  calls: Record<string, number>,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  let body: Buffer;
  try {
    body = await readBody(request, BODY_LIMIT);
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    sendError(response, new AwsKmsError("RequestEntityTooLargeException", "Request body is too large.", 413));
    return;
  }
  const fault = faults.take();
  if (fault) {
    const { status, message } = injectableFaults[fault];
    sendError(response, new AwsKmsError(fault, message, status));
    return;
  }
  try {
    checkSigV4Authorization(request, (code, message, status) => new AwsKmsError(code, message, status));
    const operation = parseTarget(request);
    calls[operation] = (calls[operation] ?? 0) + 1;
    send(response, 200, JSON.stringify(operations[operation]!(keys, parseJsonObject(body, serialization))));
  } catch (error) {
    if (!(error instanceof AwsKmsError)) throw error;
    sendError(response, error);
  }
}

function parseTarget(request: IncomingMessage): string {
  const target = request.headers["x-amz-target"];
  const path = (request.url ?? "/").split("?")[0];
  const operation =
    typeof target === "string" && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : "";
  if (request.method !== "POST" || path !== "/" || !Object.hasOwn(operations, operation)) {
    throw new AwsKmsError(
      "UnknownOperationException",
      "The requested operation is not recognized by the service.",
    );
  }
  return operation;
}

function sendError(response: ServerResponse, error: AwsKmsError): void {
  const body = JSON.stringify({ __type: error.code, message: error.message });
  send(response, error.status, body, error.code);
}

function send(response: ServerResponse, status: number, body: string, errorType?: string): void {
  sendAwsJson(response, status, body, "com.amazonaws.kms", errorType);
}
