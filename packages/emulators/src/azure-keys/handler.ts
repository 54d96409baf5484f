// The HTTP side of the Key Vault keys emulator: bearer challenge, api-version, fault injection,
// routing and the JSON error shape, in the order the secrets emulator uses (the SDK's first request
// carries no token and no body, so the challenge comes before anything reads the body).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AzureFaultQueue } from "../azure/faults.js";
import { admit, decodeSegment, keyVaultHandler, send } from "../azure/http.js";
import { page } from "../azure/paging.js";
import { BodyTooLargeError, readBody } from "../shared/http.js";
import { deletedKeyBundle, keyBundle, keyItem } from "./bundles.js";
import { type KeyOperationBody, unwrap, wrap } from "./crypto.js";
import { badParameter, KeyVaultError } from "./errors.js";
import type { CreateKeyBody, KeyVaultKeys, UpdateKeyBody } from "./keys.js";

/** The keys API versions @azure/keyvault-keys 4.x can ask for, plus the older GA ones. */
const API_VERSIONS = new Set(["2016-10-01", "7.0", "7.1", "7.2", "7.3", "7.4", "7.5", "7.6", "2025-07-01"]);
const LATEST_API_VERSION = "2025-07-01";
const MAX_BODY_BYTES = 256 * 1024;

export interface KeysHandlerContext {
  keys: KeyVaultKeys;
  faults: AzureFaultQueue;
  scheme: "http" | "https";
  tenantId: string;
  /** Requests per operation that passed authentication (what reached the "service"). */
  calls: Record<string, number>;
}

type Body = Record<string, unknown>;

export function createKeysHandler(ctx: KeysHandlerContext) {
  return keyVaultHandler((req, res) => handle(ctx, req, res));
}

async function handle(ctx: KeysHandlerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const vaultUrl = `${ctx.scheme}://${req.headers.host ?? "127.0.0.1"}`;
  const url = new URL(req.url ?? "/", vaultUrl);

  const apiVersion = admit(req, url, {
    tenantId: ctx.tenantId,
    faults: ctx.faults,
    apiVersions: API_VERSIONS,
    latestApiVersion: LATEST_API_VERSION,
  });

  const body = await readJson(req);
  const method = req.method ?? "GET";
  const [collection, name, sub, action, ...extra] = url.pathname.split("/").slice(1).map(decodeSegment);
  const route = routeOf(method, collection, name, sub, action, extra.length);
  if (!route)
    throw new KeyVaultError(404, "NotFound", `The requested resource ${url.pathname} was not found.`);
  ctx.calls[route] = (ctx.calls[route] ?? 0) + 1;

  const { keys } = ctx;
  const recovery = { ...keys.recovery, omitDays: apiVersion === "2016-10-01" || apiVersion === "7.0" };
  const key = name ?? "";
  const version = sub ?? "";
  switch (route) {
    case "createKey":
      return send(res, 200, keyBundle(vaultUrl, await keys.create(key, body as CreateKeyBody), recovery));
    case "rotateKey":
      return send(res, 200, keyBundle(vaultUrl, await keys.rotate(key), recovery));
    case "getKey":
      return send(res, 200, keyBundle(vaultUrl, keys.get(key, version), recovery));
    case "updateKey":
      return send(res, 200, keyBundle(vaultUrl, keys.update(key, version, body as UpdateKeyBody), recovery));
    case "getKeyVersions": {
      const { name: spelled, versions } = keys.versions(key);
      const entries = versions
        .map((v) => ({ key: v.version, item: keyItem(vaultUrl, { name: spelled, version: v }, recovery) }))
        .sort((a, b) => a.key.localeCompare(b.key));
      return send(
        res,
        200,
        page(entries, {
          listUrl: `${vaultUrl}/keys/${spelled}/versions`,
          apiVersion,
          query: url.searchParams,
        }),
      );
    }
    case "wrapKey":
    case "unwrapKey": {
      const found = keys.usable(key, version, route);
      const result =
        route === "wrapKey"
          ? wrap(found.version, body as KeyOperationBody)
          : unwrap(found.version, body as KeyOperationBody);
      return send(res, 200, {
        kid: keyBundle(vaultUrl, found, recovery).key.kid,
        value: result.toString("base64url"),
      });
    }
    case "deleteKey": {
      const deleted = keys.delete(key);
      const current = { name: deleted.key.name, version: deleted.key.versions.at(-1)! };
      return send(res, 200, deletedKeyBundle(vaultUrl, current, deleted.deletedDate, recovery));
    }
    case "getDeletedKey": {
      const deleted = keys.getDeleted(key);
      const current = { name: deleted.key.name, version: deleted.key.versions.at(-1)! };
      return send(res, 200, deletedKeyBundle(vaultUrl, current, deleted.deletedDate, recovery));
    }
    case "recoverDeletedKey":
      return send(res, 200, keyBundle(vaultUrl, keys.recover(key), recovery));
    case "purgeDeletedKey":
      keys.purge(key);
      return send(res, 204);
  }
}

/** Which operation a request is, by the REST reference's paths; undefined when none. */
function routeOf(
  method: string,
  collection: string | undefined,
  name: string | undefined,
  sub: string | undefined,
  action: string | undefined,
  extra: number,
): string | undefined {
  if (extra > 0 || !name) return undefined;
  if (collection === "keys") {
    if (sub === undefined || (sub === "" && action === undefined)) {
      if (method === "GET") return "getKey";
      if (method === "DELETE") return "deleteKey";
      if (method === "PATCH") return "updateKey";
      return undefined;
    }
    if (action === undefined) {
      if (sub === "create" && (method === "POST" || method === "PUT")) return "createKey";
      if (sub === "rotate" && method === "POST") return "rotateKey";
      if (sub === "versions" && method === "GET") return "getKeyVersions";
      if (method === "GET") return "getKey";
      if (method === "PATCH") return "updateKey";
      return undefined;
    }
    // Key Vault's paths are case-insensitive; the SDK writes wrapkey, the .NET client wrapKey.
    if (method === "POST" && action.toLowerCase() === "wrapkey") return "wrapKey";
    if (method === "POST" && action.toLowerCase() === "unwrapkey") return "unwrapKey";
    return undefined;
  }
  if (collection === "deletedkeys" && action === undefined) {
    if (sub === undefined && method === "GET") return "getDeletedKey";
    if (sub === undefined && method === "DELETE") return "purgeDeletedKey";
    if (sub === "recover" && method === "POST") return "recoverDeletedKey";
  }
  return undefined;
}

async function readJson(req: IncomingMessage): Promise<Body> {
  let raw: Buffer;
  try {
    raw = await readBody(req, MAX_BODY_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw badParameter("The request body is too large.");
    throw error;
  }
  const text = raw.toString("utf8").trim();
  if (text === "") return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Body;
  } catch {
    // Falls through: the error never echoes the body (it may hold a key to wrap).
  }
  throw badParameter("The request body is not a valid JSON object.");
}
