// The HTTP side of the Key Vault emulator: bearer challenge, api-version, fault injection, routing
// to the vault, and the JSON error shape. Order matters: @azure/keyvault-secrets sends its first
// request with no Authorization header and the body stripped, so the challenge comes before
// anything looks at the body.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { badParameter, KeyVaultError } from "./errors.js";
import type { AzureFaultQueue } from "./faults.js";
import { page } from "./paging.js";
import { type SetSecretBody, type Vault, validateName } from "./vault.js";

/** The versions @azure/keyvault-secrets 4.12 can ask for, plus older GA versions. */
const API_VERSIONS = new Set([
  "2016-10-01",
  "7.0",
  "7.1",
  "7.2",
  "7.3",
  "7.4",
  "7.5",
  "7.6",
  "2025-07-01",
  "2026-04-01",
]);
const PREVIEW = /^7\.\d-preview(\.\d+)?$/;
export const LATEST_API_VERSION = "2026-04-01";
const MAX_BODY_BYTES = 1024 * 1024;

export interface HandlerContext {
  vault: Vault;
  faults: AzureFaultQueue;
  scheme: "http" | "https";
  tenantId: string;
}

export function createHandler(ctx: HandlerContext) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    handle(ctx, req, res).catch((error: unknown) => {
      const failure =
        error instanceof KeyVaultError
          ? error
          : new KeyVaultError(500, "InternalServerError", "Internal error in the emulator.");
      send(res, failure.status, failure.body(), failure.headers);
    });
  };
}

async function handle(ctx: HandlerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const host = req.headers.host ?? "127.0.0.1";
  const vaultUrl = `${ctx.scheme}://${host}`;
  const url = new URL(req.url ?? "/", vaultUrl);

  if (!/^Bearer\s+\S+/i.test(req.headers.authorization ?? "")) {
    req.resume();
    throw new KeyVaultError(
      401,
      "Unauthorized",
      "AKV10000: Request is missing a Bearer or PoP token.",
      undefined,
      {
        "www-authenticate": `Bearer authorization="https://login.microsoftonline.com/${ctx.tenantId}", resource="https://vault.azure.net"`,
      },
    );
  }

  // URLSearchParams decodes the SDK's `api%2Dversion` spelling.
  const apiVersion = url.searchParams.get("api-version");
  if (!apiVersion)
    throw badParameter("The api-version query parameter (?api-version=) is required for all requests.");
  if (!API_VERSIONS.has(apiVersion) && !PREVIEW.test(apiVersion)) {
    throw badParameter(
      `The specified version (${apiVersion}) is not recognized. Consider using the latest supported version (${LATEST_API_VERSION}).`,
    );
  }

  const fault = ctx.faults.take();
  if (fault) {
    req.resume();
    throw fault;
  }

  const body = await readJson(req);
  const segments = url.pathname.split("/").slice(1).map(decodeSegment);
  const [collection, ...rest] = segments;
  const method = req.method ?? "GET";
  const listRequest = (path: string) => ({
    listUrl: `${vaultUrl}${path}`,
    apiVersion,
    query: url.searchParams,
  });
  const { vault } = ctx;

  if (collection === "secrets") {
    const [name, sub] = rest;
    if (name === undefined || (name === "" && rest.length === 1)) {
      if (method === "GET") return send(res, 200, page(vault.listSecrets(vaultUrl), listRequest("/secrets")));
      throw methodNotAllowed(method);
    }
    if (name === "restore" && rest.length === 1 && method === "POST") {
      return send(res, 200, vault.restoreSecret(vaultUrl, body.value));
    }
    validateName(name);
    if (rest.length === 1) {
      if (method === "PUT") return send(res, 200, vault.setSecret(vaultUrl, name, body));
      if (method === "DELETE") return send(res, 200, vault.deleteSecret(vaultUrl, name));
      if (method === "GET") return send(res, 200, vault.getSecret(vaultUrl, name, ""));
      if (method === "PATCH") return send(res, 200, vault.updateSecret(vaultUrl, name, "", body));
      throw methodNotAllowed(method);
    }
    if (rest.length === 2 && sub !== undefined) {
      if (sub === "versions" && method === "GET") {
        return send(
          res,
          200,
          page(vault.listVersions(vaultUrl, name), listRequest(`/secrets/${name}/versions`)),
        );
      }
      if (sub === "backup" && method === "POST") return send(res, 200, vault.backupSecret(name));
      if (method === "GET") return send(res, 200, vault.getSecret(vaultUrl, name, sub));
      if (method === "PATCH") return send(res, 200, vault.updateSecret(vaultUrl, name, sub, body));
      throw methodNotAllowed(method);
    }
  }

  if (collection === "deletedsecrets") {
    const [name, sub] = rest;
    if (name === undefined || (name === "" && rest.length === 1)) {
      if (method === "GET")
        return send(res, 200, page(vault.listDeletedSecrets(vaultUrl), listRequest("/deletedsecrets")));
      throw methodNotAllowed(method);
    }
    validateName(name);
    if (rest.length === 1) {
      if (method === "GET") return send(res, 200, vault.getDeletedSecret(vaultUrl, name));
      if (method === "DELETE") {
        vault.purgeDeletedSecret(name);
        return send(res, 204);
      }
      throw methodNotAllowed(method);
    }
    if (rest.length === 2 && sub === "recover" && method === "POST") {
      return send(res, 200, vault.recoverDeletedSecret(vaultUrl, name));
    }
  }

  throw new KeyVaultError(404, "NotFound", `The requested resource ${url.pathname} was not found.`);
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badParameter(`The request URI contains an invalid segment: ${segment}`);
  }
}

/** As the service words it (e.g. a PUT on /secrets/ with no name). */
function methodNotAllowed(method: string): KeyVaultError {
  return new KeyVaultError(405, "MethodNotAllowed", `HTTP ${method} not allowed`);
}

async function readJson(req: IncomingMessage): Promise<SetSecretBody> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw badParameter("The request body is too large.");
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8").trim();
  if (text === "") return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed))
      return parsed as SetSecretBody;
  } catch {
    // Falls through to the error below, which never echoes the body (it may hold a secret).
  }
  throw badParameter("The request body is not a valid JSON object.");
}

function send(
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
