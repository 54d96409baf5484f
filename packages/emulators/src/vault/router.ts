/**
 * The Vault emulator's request routing: the unauthenticated sys/ and AppRole login endpoints, then
 * the token check, then token, AppRole, mount and KV routes. It holds the state of every namespace
 * and answers in Vault's response envelope. ACL policies are not evaluated: only administration
 * checks for the root policy.
 */
import { randomUUID } from "node:crypto";
import type { Clock } from "../shared/http.js";
import type { AuthStore, Token } from "./auth.js";
import {
  badRequest,
  noHandler,
  permissionDenied,
  unsupportedOperation,
  unsupportedPath,
  VaultError,
} from "./errors.js";
import { KvEngine, type KvResult } from "./kv.js";
import { TransitMounts } from "./transit.js";

type Json = Record<string, unknown>;

export const VAULT_VERSION = "1.20.0";

/** A parsed request: method (LIST already recognised), path after /v1/, query, JSON body. */
export interface VaultRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: Json;
  namespace: string;
  token: string | undefined;
}

export interface VaultReply {
  status: number;
  body?: unknown;
}

/** Everything a Vault emulator holds: tokens, roles, and per-namespace KV mounts. */
export class VaultState {
  readonly #namespaces = new Map<string, Map<string, KvEngine>>();
  readonly clusterId = randomUUID();
  /** Transit mounts (transit.ts), beside the KV ones. */
  readonly transit: TransitMounts;

  constructor(
    readonly auth: AuthStore,
    readonly clock: Clock,
    readonly defaultMounts: readonly string[],
    transitMounts: readonly string[] = ["transit"],
  ) {
    this.transit = new TransitMounts(clock, transitMounts);
  }

  /**
   * The KV mounts of a namespace. Namespaces come into being on first use (real Vault Enterprise
   * needs `sys/namespaces` first) and start with the configured default mounts.
   */
  mounts(namespace: string): Map<string, KvEngine> {
    let mounts = this.#namespaces.get(namespace);
    if (!mounts) {
      mounts = new Map(this.defaultMounts.map((path) => [path, new KvEngine(this.clock)]));
      this.#namespaces.set(namespace, mounts);
    }
    return mounts;
  }

  clear(): void {
    this.#namespaces.clear();
    this.transit.clear();
  }
}

export function envelope(
  data: unknown,
  extra: { auth?: Json; warnings?: string[]; mountType?: string } = {},
): Json {
  return {
    request_id: randomUUID(),
    lease_id: "",
    renewable: false,
    lease_duration: 0,
    data,
    wrap_info: null,
    warnings: extra.warnings && extra.warnings.length > 0 ? extra.warnings : null,
    auth: extra.auth ?? null,
    mount_type: extra.mountType ?? "",
  };
}

export function healthBody(state: VaultState, sealed: boolean): Json {
  return {
    initialized: true,
    sealed,
    standby: false,
    performance_standby: false,
    replication_performance_mode: "disabled",
    replication_dr_mode: "disabled",
    server_time_utc: Math.floor(state.clock() / 1000),
    version: VAULT_VERSION,
    enterprise: false,
    cluster_name: "vault-cluster-emulator",
    cluster_id: state.clusterId,
    echo_duration_ms: 0,
    clock_skew_ms: 0,
  };
}

const ok = (data: unknown, extra?: Parameters<typeof envelope>[1]): VaultReply => ({
  status: 200,
  body: envelope(data, extra),
});
const noContent: VaultReply = { status: 204 };

/** Dispatches one request. Throws VaultError for every error answer. */
export function route(state: VaultState, request: VaultRequest): VaultReply {
  const { method, path } = request;

  // Unauthenticated endpoints.
  if (path === "sys/health") {
    if (method !== "GET" && method !== "HEAD") throw unsupportedOperation();
    return { status: 200, body: healthBody(state, false) };
  }
  if (path === "sys/seal-status") {
    if (method !== "GET") throw unsupportedOperation();
    return {
      status: 200,
      body: {
        type: "shamir",
        initialized: true,
        sealed: false,
        t: 1,
        n: 1,
        progress: 0,
        nonce: "",
        version: VAULT_VERSION,
        migration: false,
        cluster_name: "vault-cluster-emulator",
        cluster_id: state.clusterId,
        recovery_seal: false,
        storage_type: "inmem",
      },
    };
  }
  if (path === "auth/approle/login") {
    if (method !== "POST" && method !== "PUT") throw unsupportedOperation();
    const token = state.auth.login(request.namespace, request.body);
    return ok(null, { auth: state.auth.authBlock(token), mountType: "approle" });
  }

  const token = state.auth.authenticate(request.token, request.namespace);

  if (path.startsWith("auth/token/")) return tokenRoutes(state, request, token);
  if (path === "auth/approle/role" || path.startsWith("auth/approle/role/")) {
    requireRoot(token);
    return appRoleRoutes(state, request);
  }
  if (path === "sys/mounts" || path.startsWith("sys/mounts/")) {
    requireRoot(token);
    return mountRoutes(state, request);
  }
  const transit = state.transit.find(request.namespace, path);
  if (transit) {
    const result = transit.engine.handle(request.method, transit.rest, request.body);
    return result.status === 204 ? noContent : ok(result.data ?? null, { mountType: "transit" });
  }
  return kvRoutes(state, request);
}

/**
 * The emulator does not evaluate ACL policies. Tokens carrying the `root` policy may do anything;
 * other tokens may use KV mounts and their own token endpoints, and are refused administration.
 */
function requireRoot(token: Token): void {
  if (!token.policies.includes("root")) throw permissionDenied();
}

function tokenRoutes(state: VaultState, request: VaultRequest, token: Token): VaultReply {
  const { method, path, body } = request;
  const write = method === "POST" || method === "PUT";
  switch (path) {
    case "auth/token/lookup-self":
      if (method !== "GET" && !write) throw unsupportedOperation();
      return ok(state.auth.lookupData(token), { mountType: "token" });
    case "auth/token/renew-self": {
      if (!write) throw unsupportedOperation();
      const warnings = state.auth.renew(token, body);
      return ok(null, { auth: state.auth.authBlock(token), warnings, mountType: "token" });
    }
    case "auth/token/revoke-self":
      if (!write) throw unsupportedOperation();
      state.auth.revoke(token);
      return noContent;
    case "auth/token/create": {
      if (!write) throw unsupportedOperation();
      requireRoot(token);
      const child = state.auth.createFromRequest(token, request.namespace, body);
      return ok(null, { auth: state.auth.authBlock(child), mountType: "token" });
    }
    default:
      throw unsupportedPath();
  }
}

function appRoleRoutes(state: VaultState, request: VaultRequest): VaultReply {
  const { method, body, namespace } = request;
  const write = method === "POST" || method === "PUT";
  const parts = request.path.split("/").slice(3); // after auth/approle/role
  const [name, sub, ...rest] = parts;
  if (rest.length > 0) throw unsupportedPath();
  if (name === undefined || name === "") {
    if (method !== "LIST") throw unsupportedOperation();
    return ok({ keys: state.auth.listRoles(namespace) }, { mountType: "approle" });
  }
  if (sub === undefined) {
    if (write) {
      state.auth.writeRole(namespace, name, body);
      return noContent;
    }
    if (method === "GET")
      return ok(state.auth.roleData(state.auth.role(namespace, name)), { mountType: "approle" });
    if (method === "DELETE") {
      state.auth.deleteRole(namespace, name);
      return noContent;
    }
    throw unsupportedOperation();
  }
  const role = state.auth.role(namespace, name);
  if (sub === "role-id") {
    if (method === "GET") return ok({ role_id: role.roleId }, { mountType: "approle" });
    if (write) {
      if (typeof body.role_id !== "string" || body.role_id === "") throw badRequest("missing role_id");
      role.roleId = body.role_id;
      return noContent;
    }
    throw unsupportedOperation();
  }
  if (sub === "secret-id") {
    if (!write) throw unsupportedOperation();
    return ok(state.auth.newSecretId(role), { mountType: "approle" });
  }
  throw unsupportedPath();
}

function mountRoutes(state: VaultState, request: VaultRequest): VaultReply {
  const { method, body } = request;
  const mounts = state.mounts(request.namespace);
  const mountPath = trimSlashes(request.path.slice("sys/mounts".length));
  if (mountPath === "") {
    if (method !== "GET") throw unsupportedOperation();
    const data: Json = {};
    for (const path of [...mounts.keys()].sort()) {
      data[`${path}/`] = {
        type: "kv",
        options: { version: "2" },
        description: "",
        local: false,
        seal_wrap: false,
      };
    }
    return ok(data, { mountType: "system" });
  }
  if (method === "POST" || method === "PUT") {
    const type = body.type;
    const options = (body.options ?? {}) as Json;
    const isKv2 = type === "kv-v2" || (type === "kv" && String(options.version ?? "") === "2");
    if (!isKv2)
      throw badRequest("the emulator only mounts KV version 2 (type kv with options.version 2, or kv-v2)");
    if (
      [...mounts.keys()].some(
        (p) => p === mountPath || p.startsWith(`${mountPath}/`) || mountPath.startsWith(`${p}/`),
      )
    ) {
      throw badRequest(`path is already in use at ${mountPath}/`);
    }
    mounts.set(mountPath, new KvEngine(state.clock));
    return noContent;
  }
  if (method === "DELETE") {
    mounts.delete(mountPath);
    return noContent;
  }
  throw unsupportedOperation();
}

function kvRoutes(state: VaultState, request: VaultRequest): VaultReply {
  const { method, path, body, query } = request;
  const mounts = state.mounts(request.namespace);
  const mountPath = [...mounts.keys()]
    .filter((m) => path === m || path.startsWith(`${m}/`))
    .sort((a, b) => b.length - a.length)[0];
  if (mountPath === undefined) throw noHandler(path);
  const kv = mounts.get(mountPath) as KvEngine;
  const rest = path.slice(mountPath.length + 1);
  const write = method === "POST" || method === "PUT";
  const reply = (result: KvResult): VaultReply =>
    result.status === 204
      ? noContent
      : ok(result.data ?? null, { mountType: "kv", ...(result.warnings && { warnings: result.warnings }) });

  if (rest === "config") {
    if (method === "GET") return reply(kv.readConfig());
    if (write) return reply(kv.writeConfig(body));
    throw unsupportedOperation();
  }

  const [section, key] = splitSection(rest);
  switch (section) {
    case "data":
      if (key === "" || key.endsWith("/")) throw unsupportedPath();
      if (method === "GET") return reply(kv.readData(key, query.get("version") ?? undefined));
      if (write) return reply(kv.writeData(key, body));
      if (method === "PATCH") return reply(kv.patchData(key, body));
      if (method === "DELETE") return reply(kv.deleteLatest(key));
      throw unsupportedOperation();
    case "metadata":
      if (method === "LIST") return reply(kv.list(key));
      if (key === "" || key.endsWith("/")) throw unsupportedPath();
      if (method === "GET") return reply(kv.readMetadata(key));
      if (write) return reply(kv.writeMetadata(key, body));
      if (method === "PATCH") return reply(kv.patchMetadata(key, body));
      if (method === "DELETE") return reply(kv.deleteMetadata(key));
      throw unsupportedOperation();
    case "delete":
    case "undelete":
    case "destroy": {
      if (key === "") throw unsupportedPath();
      if (!write) throw unsupportedOperation();
      if (section === "delete") return reply(kv.deleteVersions(key, body));
      if (section === "undelete") return reply(kv.undeleteVersions(key, body));
      return reply(kv.destroyVersions(key, body));
    }
    case "subkeys":
      if (key === "" || key.endsWith("/")) throw unsupportedPath();
      if (method !== "GET") throw unsupportedOperation();
      return reply(kv.subkeys(key, query.get("version") ?? undefined, query.get("depth") ?? undefined));
    default:
      throw unsupportedPath();
  }
}

function splitSection(rest: string): [string, string] {
  const slash = rest.indexOf("/");
  return slash < 0 ? [rest, ""] : [rest.slice(0, slash), rest.slice(slash + 1)];
}

export function trimSlashes(value: string): string {
  return value.replace(/^\/+|\/+$/g, "");
}

/** Ensure every error that leaves the router is a VaultError (anything else is a bug → 500). */
export function asVaultError(error: unknown): VaultError {
  if (error instanceof VaultError) return error;
  return new VaultError(500, ["1 error occurred:\n\t* internal error\n\n"]);
}
