/**
 * HashiCorp Vault emulator: token and AppRole auth, KV version 2 and transit mounts over HTTP, state in
 * memory, namespaces from the X-Vault-Namespace header. This file is the HTTP side (body limit,
 * LIST, injected faults, error envelopes); router.ts decides what each request does.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { FaultQueue } from "../shared/faults.js";
import { BodyTooLargeError, type Clock, readBody, systemClock } from "../shared/http.js";
import { SuspendableListener } from "../shared/listener.js";
import type { EmulatorOptions, RunningEmulator } from "../types.js";
import { AuthStore, SYSTEM_MAX_TTL } from "./auth.js";
import { injectableFaults, VaultError, type VaultFaultKind } from "./errors.js";
import { createListShimServer, ORIGINAL_METHOD_HEADER } from "./list-shim.js";
import { asVaultError, envelope, healthBody, route, trimSlashes, VaultState } from "./router.js";
import { parseDuration } from "./time.js";

export type { VaultFaultKind } from "./errors.js";

export interface VaultEmulatorOptions extends EmulatorOptions {
  /** The root token (policy `root`, never expires). Default `root`. */
  rootToken?: string;
  /** KV version 2 mount paths every namespace starts with. Default `["secret"]`. */
  mounts?: string[];
  /** Transit engine mount paths every namespace starts with (transit.ts). Default `["transit"]`. */
  transitMounts?: string[];
  /** Time source in epoch ms; tests pass one to move time (token TTLs, delete_version_after). */
  clock?: Clock;
}

export interface TokenOptions {
  /** TTL as seconds or a duration string ("1h"). Default 768h. */
  ttl?: number | string;
  /** Renewals cannot extend the token past this TTL from creation. Default 768h. */
  maxTtl?: number | string;
  renewable?: boolean;
  policies?: string[];
  /** Namespace the token belongs to. Default: the root namespace. */
  namespace?: string;
  /** A fixed token id instead of a random `hvs.` one. */
  id?: string;
}

export interface AppRoleOptions {
  /** TTL of tokens issued at login (seconds or duration string). Default 768h. */
  tokenTtl?: number | string;
  tokenMaxTtl?: number | string;
  policies?: string[];
  /** Lifetime of secret IDs. Default: never expire. */
  secretIdTtl?: number | string;
  namespace?: string;
}

export interface VaultEmulator extends RunningEmulator {
  readonly rootToken: string;
  /** Makes the next `count` requests fail with `kind` (default `sealed`: 503 "Vault is sealed"). */
  failNext(count: number, kind?: VaultFaultKind): void;
  /** Issues a token without going through the HTTP API. Returns the token id. */
  createToken(options?: TokenOptions): string;
  /** Creates (or updates) an AppRole role and issues one secret ID for it. */
  createAppRole(name: string, options?: AppRoleOptions): { roleId: string; secretId: string };
  /** Forgets all data, roles, tokens (except the root token) and pending faults. */
  reset(): void;
}

/** CLI flags this emulator understands, for `coffer-emulator vault`. */
export const cliOptions = {
  "root-token": { type: "string" },
  mount: { type: "string", multiple: true },
} as const;

/** Turns `coffer-emulator vault` flags into start options. */
export function optionsFromCli(values: Record<string, unknown>): VaultEmulatorOptions {
  return {
    ...(typeof values["root-token"] === "string" && { rootToken: values["root-token"] }),
    ...(Array.isArray(values.mount) && { mounts: values.mount.map(String) }),
  };
}

// Vault's default max_request_size.
const BODY_LIMIT = 32 * 1024 * 1024;
const PATCH_CONTENT_TYPE = "application/merge-patch+json";

/** Starts an in-memory HashiCorp Vault serving token and AppRole auth and KV version 2 mounts. */
export async function startVaultEmulator(options: VaultEmulatorOptions = {}): Promise<VaultEmulator> {
  const clock = options.clock ?? systemClock;
  const rootToken = options.rootToken ?? "root";
  const mounts = (options.mounts ?? ["secret"]).map(trimSlashes).filter((m) => m !== "");
  const auth = new AuthStore(clock);
  auth.createRoot(rootToken);
  const transitMounts = (options.transitMounts ?? ["transit"]).map(trimSlashes).filter((m) => m !== "");
  const state = new VaultState(auth, clock, mounts, transitMounts);
  const faults = new FaultQueue<VaultFaultKind>();

  const httpServer = createServer((request, response) => {
    handle(state, faults, request, response).catch(() => {
      send(response, 500, { errors: ["1 error occurred:\n\t* internal error\n\n"] });
    });
  });
  const listener = await SuspendableListener.listen(
    createListShimServer(httpServer),
    options.host ?? "127.0.0.1",
    options.port ?? 0,
  );

  const seconds = (value: number | string | undefined, field: string): number | undefined => {
    if (value === undefined) return undefined;
    const parsed = parseDuration(value);
    if (parsed === undefined) throw new RangeError(`${field}: not a duration: ${value}`);
    return parsed;
  };

  return {
    get url() {
      return listener.url;
    },
    get port() {
      return listener.port;
    },
    suspend: () => listener.suspend(),
    resume: () => listener.resume(),
    async stop() {
      await listener.stop();
      httpServer.close();
    },
    rootToken,
    failNext(count, kind = "sealed") {
      if (!(kind in injectableFaults)) throw new RangeError(`unknown Vault fault kind: ${kind}`);
      faults.add(count, kind);
    },
    createToken(tokenOptions = {}) {
      const ttl = seconds(tokenOptions.ttl, "ttl") ?? SYSTEM_MAX_TTL;
      const maxTtl = seconds(tokenOptions.maxTtl, "maxTtl") ?? SYSTEM_MAX_TTL;
      return auth.create({
        ...(tokenOptions.id !== undefined && { id: tokenOptions.id }),
        policies: tokenOptions.policies ?? ["default"],
        namespace: trimSlashes(tokenOptions.namespace ?? ""),
        ttl,
        maxTtl,
        renewable: tokenOptions.renewable ?? true,
        path: "auth/token/create",
        displayName: "token",
        orphan: true,
      }).id;
    },
    createAppRole(name, roleOptions = {}) {
      const namespace = trimSlashes(roleOptions.namespace ?? "");
      const role = auth.writeRole(namespace, name, {
        ...(roleOptions.tokenTtl !== undefined && { token_ttl: roleOptions.tokenTtl }),
        ...(roleOptions.tokenMaxTtl !== undefined && { token_max_ttl: roleOptions.tokenMaxTtl }),
        ...(roleOptions.secretIdTtl !== undefined && { secret_id_ttl: roleOptions.secretIdTtl }),
        ...(roleOptions.policies !== undefined && { token_policies: roleOptions.policies }),
      });
      const { secret_id } = auth.newSecretId(role) as { secret_id: string };
      return { roleId: role.roleId, secretId: secret_id };
    },
    reset() {
      auth.clear();
      auth.createRoot(rootToken);
      state.clear();
      faults.clear();
    },
  };
}

/** The CLI's entry point: `start(options)` is what `coffer-emulator vault` calls. */
export const start = startVaultEmulator;

async function handle(
  state: VaultState,
  faults: FaultQueue<VaultFaultKind>,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  // Read the whole body before answering anything: the LIST shim relies on it (see list-shim.ts).
  let raw: Buffer;
  try {
    raw = await readBody(request, BODY_LIMIT);
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    send(response, 413, { errors: ["http: request body too large"] });
    return;
  }

  const url = new URL(request.url ?? "/", "http://vault.invalid");
  if (!url.pathname.startsWith("/v1/")) {
    send(response, 404, { errors: [] });
    return;
  }
  let path: string;
  try {
    path = decodeURIComponent(url.pathname.slice("/v1/".length));
  } catch {
    send(response, 400, { errors: ["invalid URL escape in request path"] });
    return;
  }

  const fault = faults.take();
  if (fault) {
    const { status, errors } = injectableFaults[fault];
    if (fault === "sealed" && path === "sys/health") send(response, status, healthBody(state, true));
    else send(response, status, { errors: [...errors] });
    return;
  }

  try {
    const method = requestMethod(request, url.searchParams);
    const reply = route(state, {
      method,
      path: method === "LIST" ? path.replace(/\/+$/, "") : path,
      query: url.searchParams,
      body: parseBody(method, request, raw),
      namespace: trimSlashes(header(request, "x-vault-namespace") ?? ""),
      token: requestToken(request),
    });
    send(response, reply.status, request.method === "HEAD" ? undefined : reply.body);
  } catch (error) {
    const vaultError = asVaultError(error);
    send(
      response,
      vaultError.status,
      vaultError.data ? envelope(vaultError.data, { mountType: "kv" }) : { errors: vaultError.errors },
    );
  }
}

/** LIST arrives as the shim's marker header, or as GET with `?list=true` (Go ParseBool values). */
function requestMethod(request: IncomingMessage, query: URLSearchParams): string {
  if (header(request, ORIGINAL_METHOD_HEADER) === "LIST") return "LIST";
  const method = request.method ?? "GET";
  const list = query.get("list");
  if (method === "GET" && list !== null && list !== "") {
    if (["1", "t", "T", "TRUE", "true", "True"].includes(list)) return "LIST";
    if (!["0", "f", "F", "FALSE", "false", "False"].includes(list)) throw new VaultError(400, []);
  }
  return method;
}

function parseBody(method: string, request: IncomingMessage, raw: Buffer): Record<string, unknown> {
  if (method === "PATCH") {
    const contentType = (header(request, "content-type") ?? "").split(";")[0]?.trim() ?? "";
    if (contentType !== PATCH_CONTENT_TYPE) {
      throw new VaultError(415, [
        `PATCH requires Content-Type of ${PATCH_CONTENT_TYPE}, provided ${contentType}`,
      ]);
    }
  }
  const text = raw.toString("utf8").trim();
  if (text === "" || !["POST", "PUT", "PATCH"].includes(method)) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new VaultError(400, ["error parsing JSON"]);
  }
  if (parsed === null) return {};
  if (typeof parsed !== "object" || Array.isArray(parsed)) throw new VaultError(400, ["error parsing JSON"]);
  return parsed as Record<string, unknown>;
}

/** X-Vault-Token, or `Authorization: Bearer <token>` which Vault also accepts. */
function requestToken(request: IncomingMessage): string | undefined {
  const token = header(request, "x-vault-token");
  if (token) return token;
  const authorization = header(request, "authorization");
  return authorization?.startsWith("Bearer ") ? authorization.slice("Bearer ".length).trim() : undefined;
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function send(response: ServerResponse, status: number, body?: unknown): void {
  if (response.headersSent) return;
  if (status === 204 || body === undefined) {
    response.writeHead(status, { "cache-control": "no-store" });
    response.end();
    return;
  }
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json",
    "cache-control": "no-store",
    "content-length": Buffer.byteLength(text),
  });
  response.end(text);
}
