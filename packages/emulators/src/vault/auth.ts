/**
 * Vault authentication in the emulator: tokens (TTL, max TTL, renewal, lookup, revocation,
 * namespaces) and AppRole roles with their secret IDs and login, answering with the fields and
 * errors real Vault gives.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { Clock } from "../shared/http.js";
import { badRequest, notFound, permissionDenied } from "./errors.js";
import { at, parseDuration } from "./time.js";

type Json = Record<string, unknown>;

/** Vault's default and maximum lease TTL when nothing else is configured: 768h. */
export const SYSTEM_MAX_TTL = 2_764_800;

export interface Token {
  readonly id: string;
  readonly accessor: string;
  readonly policies: string[];
  /** Namespace the token was created in ("" is the root namespace). */
  readonly namespace: string;
  readonly createdMs: number;
  /** TTL given at creation, in seconds; 0 for a token that never expires. */
  readonly creationTtl: number;
  /** Epoch ms when the token expires, or null for never. */
  expireMs: number | null;
  /** Hard limit renewals cannot pass, or null. */
  readonly maxExpireMs: number | null;
  readonly explicitMaxTtl: number;
  readonly renewable: boolean;
  readonly path: string;
  readonly displayName: string;
  readonly meta: Record<string, string> | null;
  readonly orphan: boolean;
  lastRenewalMs?: number;
}

interface TokenSpec {
  id?: string;
  policies: string[];
  namespace: string;
  ttl: number;
  maxTtl: number;
  explicitMaxTtl?: number;
  renewable: boolean;
  path: string;
  displayName: string;
  meta?: Record<string, string> | null;
  orphan: boolean;
}

export interface AppRole {
  readonly name: string;
  roleId: string;
  bindSecretId: boolean;
  secretIdTtl: number;
  secretIdNumUses: number;
  tokenTtl: number;
  tokenMaxTtl: number;
  tokenPolicies: string[];
  readonly secretIds: Map<string, { accessor: string; expireMs: number | null; usesLeft: number | null }>;
}

/** Tokens (global, tagged with their namespace) and AppRole roles (per namespace). */
export class AuthStore {
  readonly #tokens = new Map<string, Token>();
  readonly #roles = new Map<string, Map<string, AppRole>>();

  constructor(readonly clock: Clock) {}

  /**
   * The token for a request, or permission denied: unknown, expired (expired tokens are revoked),
   * or created in a namespace that is not the request's namespace or one of its parents.
   */
  authenticate(id: string | undefined, namespace: string): Token {
    if (!id) throw permissionDenied();
    const token = this.#tokens.get(id);
    if (!token) throw permissionDenied();
    if (token.expireMs !== null && token.expireMs <= this.clock()) {
      this.#tokens.delete(id);
      throw permissionDenied();
    }
    const inScope =
      token.namespace === "" || namespace === token.namespace || namespace.startsWith(`${token.namespace}/`);
    if (!inScope) throw permissionDenied();
    return token;
  }

  createRoot(id: string): Token {
    return this.create({
      id,
      policies: ["root"],
      namespace: "",
      ttl: 0,
      maxTtl: 0,
      renewable: false,
      path: "auth/token/root",
      displayName: "root",
      orphan: true,
    });
  }

  create(spec: TokenSpec): Token {
    const nowMs = this.clock();
    const id = spec.id ?? `hvs.${randomBytes(18).toString("base64url")}`;
    if (this.#tokens.has(id)) throw badRequest("cannot create a token with a duplicate ID");
    const ttl = spec.maxTtl > 0 ? Math.min(spec.ttl, spec.maxTtl) : spec.ttl;
    const token: Token = {
      id,
      accessor: randomBytes(18).toString("base64url"),
      policies: spec.policies,
      namespace: spec.namespace,
      createdMs: nowMs,
      creationTtl: ttl,
      expireMs: ttl > 0 ? nowMs + ttl * 1000 : null,
      maxExpireMs: spec.maxTtl > 0 ? nowMs + spec.maxTtl * 1000 : null,
      explicitMaxTtl: spec.explicitMaxTtl ?? 0,
      renewable: spec.renewable && ttl > 0,
      path: spec.path,
      displayName: spec.displayName,
      meta: spec.meta ?? null,
      orphan: spec.orphan,
    };
    this.#tokens.set(id, token);
    return token;
  }

  revoke(token: Token): void {
    this.#tokens.delete(token.id);
  }

  /** POST auth/token/create, on behalf of `parent`. */
  createFromRequest(parent: Token, namespace: string, body: Json): Token {
    const ttl = optionalDuration(body.ttl, "ttl") ?? 0;
    const explicitMaxTtl = optionalDuration(body.explicit_max_ttl, "explicit_max_ttl") ?? 0;
    const policies = policyList(body.policies);
    const noDefault = body.no_default_policy === true;
    return this.create({
      ...(typeof body.id === "string" && body.id !== "" && { id: body.id }),
      policies: policies.length > 0 ? withDefault(policies, noDefault) : [...parent.policies],
      namespace,
      ttl: ttl || SYSTEM_MAX_TTL,
      maxTtl: explicitMaxTtl || SYSTEM_MAX_TTL,
      explicitMaxTtl,
      renewable: body.renewable !== false,
      path: "auth/token/create",
      displayName: typeof body.display_name === "string" ? `token-${body.display_name}` : "token",
      meta: stringMap(body.meta),
      orphan: body.no_parent === true,
    });
  }

  /**
   * POST auth/token/renew-self: extends the TTL by `increment` (default: the creation TTL) from now,
   * never past the token's max TTL. Returns a warning when the max TTL capped the request.
   */
  renew(token: Token, body: Json): string[] {
    if (!token.renewable) throw badRequest("lease is not renewable");
    const nowMs = this.clock();
    const increment = optionalDuration(body.increment, "increment") || token.creationTtl;
    let expireMs = nowMs + increment * 1000;
    const warnings: string[] = [];
    if (token.maxExpireMs !== null && expireMs > token.maxExpireMs) {
      expireMs = token.maxExpireMs;
      warnings.push(
        `TTL of "${increment}s" exceeded the effective max_ttl of "${Math.round((expireMs - nowMs) / 1000)}s"; TTL value is capped accordingly`,
      );
    }
    token.expireMs = expireMs;
    token.lastRenewalMs = nowMs;
    return warnings;
  }

  /** Seconds left, as `ttl` and `lease_duration` report it; 0 for a token that never expires. */
  remainingTtl(token: Token): number {
    if (token.expireMs === null) return 0;
    return Math.max(0, Math.round((token.expireMs - this.clock()) / 1000));
  }

  lookupData(token: Token): Json {
    return {
      accessor: token.accessor,
      creation_time: Math.floor(token.createdMs / 1000),
      creation_ttl: token.creationTtl,
      display_name: token.displayName,
      entity_id: "",
      expire_time: token.expireMs === null ? null : at(token.expireMs).text,
      explicit_max_ttl: token.explicitMaxTtl,
      id: token.id,
      issue_time: at(token.createdMs).text,
      ...(token.lastRenewalMs !== undefined && {
        last_renewal: at(token.lastRenewalMs).text,
        last_renewal_time: Math.floor(token.lastRenewalMs / 1000),
      }),
      meta: token.meta,
      num_uses: 0,
      orphan: token.orphan,
      path: token.path,
      policies: [...token.policies],
      renewable: token.renewable,
      ttl: this.remainingTtl(token),
      type: "service",
    };
  }

  authBlock(token: Token): Json {
    return {
      client_token: token.id,
      accessor: token.accessor,
      policies: [...token.policies],
      token_policies: [...token.policies],
      metadata: token.meta,
      lease_duration: this.remainingTtl(token),
      renewable: token.renewable,
      entity_id: "",
      token_type: "service",
      orphan: token.orphan,
      mfa_requirement: null,
      num_uses: 0,
    };
  }

  // --- AppRole -------------------------------------------------------------------------------

  #rolesIn(namespace: string): Map<string, AppRole> {
    let roles = this.#roles.get(namespace);
    if (!roles) {
      roles = new Map();
      this.#roles.set(namespace, roles);
    }
    return roles;
  }

  role(namespace: string, name: string): AppRole {
    const role = this.#rolesIn(namespace).get(name.toLowerCase());
    if (!role) throw notFound();
    return role;
  }

  listRoles(namespace: string): string[] {
    const names = [...this.#rolesIn(namespace).keys()].sort();
    if (names.length === 0) throw notFound();
    return names;
  }

  deleteRole(namespace: string, name: string): void {
    this.#rolesIn(namespace).delete(name.toLowerCase());
  }

  /** POST auth/approle/role/<name>: creates or updates the role. */
  writeRole(namespace: string, name: string, body: Json): AppRole {
    const roles = this.#rolesIn(namespace);
    const key = name.toLowerCase();
    const role: AppRole = roles.get(key) ?? {
      name: key,
      roleId: randomUUID(),
      bindSecretId: true,
      secretIdTtl: 0,
      secretIdNumUses: 0,
      tokenTtl: 0,
      tokenMaxTtl: 0,
      tokenPolicies: [],
      secretIds: new Map(),
    };
    if (body.bind_secret_id !== undefined)
      role.bindSecretId = body.bind_secret_id !== false && body.bind_secret_id !== "false";
    if (body.secret_id_ttl !== undefined)
      role.secretIdTtl = requiredDuration(body.secret_id_ttl, "secret_id_ttl");
    if (body.secret_id_num_uses !== undefined) role.secretIdNumUses = Number(body.secret_id_num_uses) || 0;
    if (body.token_ttl !== undefined) role.tokenTtl = requiredDuration(body.token_ttl, "token_ttl");
    if (body.token_max_ttl !== undefined)
      role.tokenMaxTtl = requiredDuration(body.token_max_ttl, "token_max_ttl");
    const policies = body.token_policies ?? body.policies;
    if (policies !== undefined) role.tokenPolicies = policyList(policies);
    if (role.tokenMaxTtl > 0 && role.tokenTtl > role.tokenMaxTtl) {
      throw badRequest("token_ttl must not be greater than token_max_ttl");
    }
    roles.set(key, role);
    return role;
  }

  roleData(role: AppRole): Json {
    return {
      bind_secret_id: role.bindSecretId,
      secret_id_num_uses: role.secretIdNumUses,
      secret_id_ttl: role.secretIdTtl,
      token_max_ttl: role.tokenMaxTtl,
      token_policies: [...role.tokenPolicies],
      policies: [...role.tokenPolicies],
      token_ttl: role.tokenTtl,
      token_type: "default",
    };
  }

  newSecretId(role: AppRole): Json {
    const secretId = randomUUID();
    const accessor = randomUUID();
    role.secretIds.set(secretId, {
      accessor,
      expireMs: role.secretIdTtl > 0 ? this.clock() + role.secretIdTtl * 1000 : null,
      usesLeft: role.secretIdNumUses > 0 ? role.secretIdNumUses : null,
    });
    return {
      secret_id: secretId,
      secret_id_accessor: accessor,
      secret_id_num_uses: role.secretIdNumUses,
      secret_id_ttl: role.secretIdTtl,
    };
  }

  /** POST auth/approle/login. Any mismatch is the same 400, so callers cannot probe which part was wrong. */
  login(namespace: string, body: Json): Token {
    const roleId = body.role_id;
    if (typeof roleId !== "string" || roleId === "") throw badRequest("missing role_id");
    const role = [...this.#rolesIn(namespace).values()].find((r) => r.roleId === roleId);
    const invalid = () => badRequest("invalid role or secret ID");
    if (!role) throw invalid();
    if (role.bindSecretId) {
      const secretId = body.secret_id;
      if (typeof secretId !== "string" || secretId === "") throw badRequest("missing secret_id");
      const entry = role.secretIds.get(secretId);
      if (!entry) throw invalid();
      if (entry.expireMs !== null && entry.expireMs <= this.clock()) {
        role.secretIds.delete(secretId);
        throw invalid();
      }
      if (entry.usesLeft !== null) {
        entry.usesLeft -= 1;
        if (entry.usesLeft <= 0) role.secretIds.delete(secretId);
      }
    }
    return this.create({
      policies: withDefault(role.tokenPolicies, false),
      namespace,
      ttl: role.tokenTtl || SYSTEM_MAX_TTL,
      maxTtl: role.tokenMaxTtl || SYSTEM_MAX_TTL,
      renewable: true,
      path: "auth/approle/login",
      displayName: "approle",
      meta: { role_name: role.name },
      orphan: true,
    });
  }

  clear(): void {
    this.#tokens.clear();
    this.#roles.clear();
  }
}

function withDefault(policies: string[], noDefault: boolean): string[] {
  const unique = [...new Set(policies)];
  if (noDefault || unique.includes("root") || unique.includes("default")) return unique.sort();
  return ["default", ...unique].sort();
}

/** Policies arrive as a list or as a comma-separated string (node-vault sends the latter). */
function policyList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : String(value).split(",");
  return items.map((p) => String(p).trim()).filter((p) => p !== "");
}

function stringMap(value: unknown): Record<string, string> | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  return Object.fromEntries(Object.entries(value as Json).map(([k, v]) => [k, String(v)]));
}

function optionalDuration(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  return requiredDuration(value, field);
}

function requiredDuration(value: unknown, field: string): number {
  const seconds = parseDuration(value);
  if (seconds === undefined)
    throw badRequest(`error converting input data for field "${field}": invalid duration`);
  return seconds;
}
