// What every Key Vault API emulated here (secrets, keys) does the same way on the wire: the bearer
// challenge, the api-version check, injected faults, path segments, the response headers and the
// JSON error shape. Each emulator's handler keeps only its routes and bodies.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { badParameter, KeyVaultError } from "./errors.js";
import type { AzureFaultQueue } from "./faults.js";

/** A request handler whose failures answer in Key Vault's error shape (an unexpected one as a 500). */
export function keyVaultHandler(handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((error: unknown) => {
      const failure =
        error instanceof KeyVaultError
          ? error
          : new KeyVaultError(500, "InternalServerError", "Internal error in the emulator.");
      send(res, failure.status, failure.body(), failure.headers);
    });
  };
}

export interface Admission {
  tenantId: string;
  faults: AzureFaultQueue;
  /** The GA api-versions the API accepts (previews 7.x-preview are accepted too). */
  apiVersions: ReadonlySet<string>;
  /** Named in the error for an unknown api-version. */
  latestApiVersion: string;
}

const PREVIEW = /^7\.\d-preview(\.\d+)?$/;

/**
 * The checks before any route, in the service's order: the SDK's first request carries no token
 * and no body, so the challenge comes before anything reads the body; then the api-version; then
 * an injected fault. Returns the api-version.
 */
export function admit(req: IncomingMessage, url: URL, admission: Admission): string {
  if (!/^Bearer\s+\S+/i.test(req.headers.authorization ?? "")) {
    req.resume();
    throw new KeyVaultError(
      401,
      "Unauthorized",
      "AKV10000: Request is missing a Bearer or PoP token.",
      undefined,
      {
        "www-authenticate": `Bearer authorization="https://login.microsoftonline.com/${admission.tenantId}", resource="https://vault.azure.net"`,
      },
    );
  }
  // URLSearchParams decodes the SDK's `api%2Dversion` spelling.
  const apiVersion = url.searchParams.get("api-version");
  if (!apiVersion)
    throw badParameter("The api-version query parameter (?api-version=) is required for all requests.");
  if (!admission.apiVersions.has(apiVersion) && !PREVIEW.test(apiVersion)) {
    throw badParameter(
      `The specified version (${apiVersion}) is not recognized. Consider using the latest supported version (${admission.latestApiVersion}).`,
    );
  }
  const fault = admission.faults.take();
  if (fault) {
    req.resume();
    throw fault;
  }
  return apiVersion;
}

export function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badParameter(`The request URI contains an invalid segment: ${segment}`);
  }
}

export function send(
  res: ServerResponse,
  status: number,
  body?: object,
  headers: Record<string, string> = {},
): void {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  res.writeHead(status, {
    "cache-control": "no-cache",
    "x-ms-request-id": randomUUID(),
    "x-ms-keyvault-service-version": "emulator",
    ...(payload === undefined ? {} : { "content-type": "application/json; charset=utf-8" }),
    ...headers,
  });
  res.end(payload);
}
