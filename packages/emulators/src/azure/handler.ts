// The HTTP side of the Key Vault emulator: bearer challenge, api-version, fault injection, routing
// to the vault, and the JSON error shape. Order matters: @azure/keyvault-secrets sends its first
// request with no Authorization header and the body stripped, so the challenge comes before
// anything looks at the body.
import type { IncomingMessage, ServerResponse } from "node:http";
import { badParameter, KeyVaultError } from "./errors.js";
import type { AzureFaultQueue } from "./faults.js";
import { admit, decodeSegment, keyVaultHandler, send } from "./http.js";
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
export const LATEST_API_VERSION = "2026-04-01";
const MAX_BODY_BYTES = 1024 * 1024;

export interface HandlerContext {
  vault: Vault;
  faults: AzureFaultQueue;
  scheme: "http" | "https";
  tenantId: string;
}

export function createHandler(ctx: HandlerContext) {
  return keyVaultHandler((req, res) => handle(ctx, req, res));
}

async function handle(ctx: HandlerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const host = req.headers.host ?? "127.0.0.1";
  const vaultUrl = `${ctx.scheme}://${host}`;
  const url = new URL(req.url ?? "/", vaultUrl);

  const apiVersion = admit(req, url, {
    tenantId: ctx.tenantId,
    faults: ctx.faults,
    apiVersions: API_VERSIONS,
    latestApiVersion: LATEST_API_VERSION,
  });

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
