/**
 * Remote mode: the same SecretsSession API over a Coffer server's REST API. Typed errors travel
 * as `{ error: { code, message, hint, details } }` and are rebuilt here into the same classes, so
 * a program cannot tell local from remote mode by the errors it catches.
 */
import {
  BackendUnavailableError,
  type CreateSecretInput,
  type ErrorBody,
  errorFromBody,
  isErrorCode,
  type ListQuery,
  type Logger,
  metadataFromJson,
  PermissionDeniedError,
  type ReferenceProblem,
  Secret,
  type SecretJson,
  type SecretMetadata,
  type SecretPage,
  type SecretRef,
  type SecretsSession,
  type SecretValidationLevel,
  UnauthenticatedError,
  type UpdateSecretInput,
  ValidationError,
  type WriteOptions,
} from "@coffer/core";
import { warnIfCleartext } from "./cleartext-warning.js";
import type {
  KeyRotationResult,
  ReconcileResult,
  RotateKeyOptions,
  StoreInfo,
  Transport,
} from "./transport.js";

export interface RemoteTransportOptions {
  /** The server's base URL, e.g. https://coffer.internal:8700. */
  url: string;
  token: string;
  /** Where the plain-HTTP warning goes (standard error by default). */
  logger?: Logger;
}

export interface Me {
  user: string;
  /** The user's immutable id (servers from before user ids do not send it). */
  userId?: string;
  role: string;
  /** The token is an enrollment token: it can only make its user's own token. */
  enrollment?: boolean;
}

export interface RemoteUser {
  id?: string;
  name: string;
  role: string;
  createdAt: string;
}

export interface RemoteToken {
  id: string;
  user: string;
  userId?: string;
  /** "enrollment": good only for its user to make their own token, once. */
  kind?: "api" | "enrollment";
  description: string;
  /** Who made the token (null: the bootstrap token, or made before servers recorded it). */
  createdBy?: string | null;
  createdById?: string | null;
  createdAt: string;
  expiresAt: string | null;
  revoked: boolean;
}

export class RemoteTransport implements Transport {
  readonly mode = "remote" as const;
  readonly #base: string;
  readonly #token: string;
  readonly #url: URL;
  readonly #logger: Logger | undefined;
  #me: Promise<Me> | undefined;

  constructor(options: RemoteTransportOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new ValidationError(`'${options.url}' is not a server URL.`, {
        hint: "Give the server's address, e.g. COFFER_URL=https://coffer.example.com:8700.",
        details: { variable: "COFFER_URL" },
      });
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new ValidationError(`'${options.url}' is not an http(s) URL.`, {
        hint: "Use https://… (or http://… for a server on this machine).",
        details: { variable: "COFFER_URL" },
      });
    }
    this.#base = url.href.replace(/\/$/, "");
    this.#url = url;
    this.#logger = options.logger;
    this.#token = options.token;
  }

  /** The user the token belongs to, and their role. */
  whoAmI(): Promise<Me> {
    this.#me ??= this.#call<Me>("GET", "/api/v1/me");
    this.#me.catch(() => {
      this.#me = undefined;
    });
    return this.#me;
  }

  async session(): Promise<SecretsSession> {
    return {
      create: (input) => this.#create(input),
      get: (ref) => this.#get(ref),
      getMetadata: (ref) => this.#getMetadata(ref),
      list: (query) => this.#list(query ?? {}),
      update: (ref, input, options) => this.#update(ref, input, options),
      rename: async (ref, newName, options) =>
        this.#metadata("POST", `${await this.#path(ref)}/rename`, { name: newName }, options),
      setVisibility: async (ref, isPrivate, options) =>
        this.#metadata("POST", `${await this.#path(ref)}/visibility`, { private: isPrivate }, options),
      put: (name, values, options) => this.#put(name, values, options),
      delete: async (ref, options) => {
        await this.#call("DELETE", await this.#path(ref), undefined, ifMatch(options));
      },
      validateReferences: async (config, level) =>
        (
          await this.#call<{ problems: ReferenceProblem[] }>("POST", "/api/v1/references/validate", {
            document: config,
            ...(level ? { level } : {}),
          })
        ).problems,
      resolveReferences: async <T>(config: T, level?: SecretValidationLevel) =>
        (
          await this.#call<{ document: T }>("POST", "/api/v1/references/resolve", {
            document: config,
            ...(level ? { level } : {}),
          })
        ).document,
    };
  }

  async storeInfo(): Promise<StoreInfo> {
    const [me, info] = await Promise.all([
      this.whoAmI(),
      this.#call<{
        deploymentId: string;
        status: "ready" | "error";
        store: Omit<StoreInfo["store"], "description" | "location" | "options">;
        backup?: { type: string; health: StoreInfo["store"]["health"] };
        metadata: { status: "ready" | "error"; latencyMs: number };
      }>("GET", "/api/v1/store"),
    ]);
    const result: StoreInfo = {
      mode: "remote",
      user: me.user,
      status: info.status,
      deploymentId: info.deploymentId,
      store: {
        ...info.store,
        description: `served by ${this.#base}`,
        location: info.store.health.message ?? info.store.type,
        options: {},
      },
      metadata: { ...info.metadata, location: this.#base },
      dataDir: "(on the server)",
    };
    if (info.backup)
      result.backup = {
        ...info.backup,
        location: info.backup.health.message ?? info.backup.type,
        options: {},
      };
    return result;
  }

  /** Remote rotation always makes a new key, and reports when done (no progress callbacks). */
  async rotateKey(options?: RotateKeyOptions): Promise<KeyRotationResult> {
    if (options?.generateKey === false) {
      throw new ValidationError(
        "Finishing an interrupted rotation without a new key works in local mode only.",
        {
          hint: "Run it on the server's host (coffer store rotate-key --no-generate with its configuration).",
        },
      );
    }
    return this.#call(
      "POST",
      "/api/v1/admin/rotate-key",
      options?.batchSize ? { batchSize: options.batchSize } : {},
    );
  }

  // --- users and tokens (the server's own API) ---------------------------------------------------

  listUsers(): Promise<{ users: RemoteUser[] }> {
    return this.#call("GET", "/api/v1/users");
  }

  createUser(name: string, role: string): Promise<RemoteUser> {
    return this.#call("POST", "/api/v1/users", { name, role });
  }

  setRole(name: string, role: string): Promise<RemoteUser> {
    return this.#call("PUT", `/api/v1/users/${encodeURIComponent(name)}/role`, { role });
  }

  async deleteUser(name: string): Promise<void> {
    await this.#call("DELETE", `/api/v1/users/${encodeURIComponent(name)}`);
  }

  listTokens(): Promise<{ tokens: RemoteToken[] }> {
    return this.#call("GET", "/api/v1/tokens");
  }

  createToken(options: {
    user?: string;
    description?: string;
    expiresInDays?: number;
  }): Promise<RemoteToken & { token: string }> {
    return this.#call("POST", "/api/v1/tokens", options);
  }

  async revokeToken(id: string): Promise<void> {
    await this.#call("DELETE", `/api/v1/tokens/${encodeURIComponent(id)}`);
  }

  async reconcile(): Promise<ReconcileResult> {
    return this.#call("POST", "/api/v1/admin/reconcile");
  }

  async close(): Promise<void> {}

  // --- the secrets API ---------------------------------------------------------------------------

  async #create(input: CreateSecretInput): Promise<Secret> {
    return toSecret(await this.#call<SecretJson>("POST", "/api/v1/secrets", input));
  }

  async #get(ref: SecretRef): Promise<Secret> {
    const json = await this.#call<SecretJson>("GET", await this.#path(ref, { values: true }));
    if (json.values === undefined) {
      const me = await this.whoAmI();
      throw new PermissionDeniedError(
        `User '${me.user}' (role ${me.role}) may not read the values of '${json.name}'.`,
        {
          hint: "Reading values needs the value-reader role or higher; ask an admin (coffer user set-role).",
          details: { user: me.user, role: me.role },
        },
      );
    }
    return toSecret(json);
  }

  async #getMetadata(ref: SecretRef): Promise<SecretMetadata> {
    return metadataFromJson(await this.#call<SecretJson>("GET", await this.#path(ref, { values: false })));
  }

  async #list(query: ListQuery): Promise<SecretPage> {
    const page = await this.#call<{ items: SecretJson[]; nextCursor?: string }>(
      "GET",
      `/api/v1/secrets?${listParams(query)}`,
    );
    return {
      items: page.items.map(metadataFromJson),
      ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
    };
  }

  async #update(ref: SecretRef, input: UpdateSecretInput, options?: WriteOptions): Promise<SecretMetadata> {
    const mode = input?.mode;
    if (mode !== undefined && mode !== "merge" && mode !== "replace") {
      throw new ValidationError(`The update mode '${String(mode)}' is not known.`, {
        hint: "Use 'merge' (the default) or 'replace'.",
        details: { field: "mode" },
      });
    }
    const target = await this.#path(ref);
    if (input?.mode === "replace") {
      const { mode: _mode, removeKeys, values, ...rest } = input;
      if (removeKeys?.length) {
        throw new ValidationError("removeKeys does not go with a replacing update.", {
          hint: "Replace with the values you want to keep instead.",
          details: { field: "removeKeys" },
        });
      }
      return this.#metadata("PUT", target, { values: values ?? {}, ...rest }, options);
    }
    const { mode: _mode, ...patch } = input ?? {};
    return this.#metadata("PATCH", target, patch, options);
  }

  async #put(
    name: string,
    values: Record<string, string>,
    options: WriteOptions & { private?: boolean } = {},
  ) {
    const query = new URLSearchParams({ name });
    if (options.private !== undefined) query.set("private", String(options.private));
    const headers: Record<string, string> =
      options.expectedVersion === 0 ? { "if-none-match": "*" } : ifMatch(options);
    return metadataFromJson(
      await this.#call<SecretJson>("PUT", `/api/v1/secrets/by-name?${query}`, { values }, headers),
    );
  }

  async #metadata(
    method: string,
    route: string,
    body: unknown,
    options?: WriteOptions,
  ): Promise<SecretMetadata> {
    return metadataFromJson(await this.#call<SecretJson>(method, route, body, ifMatch(options)));
  }

  /** A name is looked up once to find the id every write needs. */
  async #path(ref: SecretRef, read?: { values: boolean }): Promise<string> {
    if (ref && "id" in ref) {
      return `/api/v1/secrets/${encodeURIComponent(ref.id)}${read ? `?values=${read.values}` : ""}`;
    }
    const query = new URLSearchParams({ name: ref.name });
    if (ref.private !== undefined) query.set("private", String(ref.private));
    if (read) {
      query.set("values", String(read.values));
      return `/api/v1/secrets/by-name?${query}`;
    }
    query.set("values", "false");
    const found = await this.#call<SecretJson>("GET", `/api/v1/secrets/by-name?${query}`);
    return `/api/v1/secrets/${encodeURIComponent(found.id)}`;
  }

  async #call<T>(
    method: string,
    route: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    warnIfCleartext(this.#url, this.#logger);
    let response: Response;
    try {
      response = await fetch(`${this.#base}${route}`, {
        method,
        headers: {
          authorization: `Bearer ${this.#token}`,
          accept: "application/json",
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
          ...headers,
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (error) {
      throw new BackendUnavailableError(`The Coffer server at ${this.#base} cannot be reached.`, {
        hint: "Check COFFER_URL and that the server is running; `coffer store info` shows what the client uses.",
        details: { url: this.#base },
        cause: error,
      });
    }
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (response.ok) return parsed as T;
    throw toError(response.status, parsed, this.#base);
  }
}

function toSecret(json: SecretJson): Secret {
  return new Secret(metadataFromJson(json), json.values ?? {});
}

function ifMatch(options: WriteOptions | undefined): Record<string, string> {
  return options?.expectedVersion === undefined ? {} : { "if-match": `"${options.expectedVersion}"` };
}

function toError(status: number, body: unknown, base: string): Error {
  const error = (body as { error?: Partial<ErrorBody> } | undefined)?.error;
  if (error && isErrorCode(error.code) && typeof error.message === "string")
    return errorFromBody(error as ErrorBody);
  if (status === 429) {
    // The server's failed-authentication limit: a problem with the token, not with the server.
    return new UnauthenticatedError(
      typeof error?.message === "string" ? error.message : "Too many failed authentications.",
      {
        hint: `${typeof error?.hint === "string" ? `${error.hint} ` : ""}Check COFFER_TOKEN (or run coffer login again).`,
        details: { status, ...(error?.details ?? {}) },
      },
    );
  }
  if (status >= 500) {
    return new BackendUnavailableError(`The Coffer server at ${base} failed (HTTP ${status}).`, {
      hint: error?.message ? `It said: ${error.message}` : "Its log has the details.",
      details: { status },
    });
  }
  return new ValidationError(`The Coffer server at ${base} refused the request (HTTP ${status}).`, {
    hint: "Is COFFER_URL a Coffer server? Client and server versions may differ.",
    details: { status },
  });
}

/** ListQuery → the query string the server's list endpoint takes. */
export function listParams(query: ListQuery): URLSearchParams {
  const params = new URLSearchParams();
  const { name, private: isPrivate, owner, created, updated, sort, limit, cursor, ...unknown } = query ?? {};
  if (typeof name === "string") params.set("name", name);
  else if (name && "equals" in name) params.set("name", name.equals);
  else if (name && "contains" in name) params.set("name_contains", name.contains);
  else if (name && "startsWith" in name) params.set("name_startswith", name.startsWith);
  else if (name && "endsWith" in name) params.set("name_endswith", name.endsWith);
  else if (name) for (const key of Object.keys(name)) params.set(`name_${key}`, "");
  if (isPrivate !== undefined) params.set("private", String(isPrivate));
  if (owner !== undefined) params.set("owner", owner);
  for (const [field, range] of [
    ["created", created],
    ["updated", updated],
  ] as const) {
    if (range?.after !== undefined) params.set(`${field}_after`, timeText(range.after));
    if (range?.before !== undefined) params.set(`${field}_before`, timeText(range.before));
  }
  if (sort) params.set("sort", `${sort.direction === "desc" ? "-" : ""}${sort.by}`);
  if (limit !== undefined) params.set("limit", String(limit));
  if (cursor !== undefined) params.set("cursor", cursor);
  // Fields the server does not know go along, so that it refuses them as the service does.
  for (const [key, value] of Object.entries(unknown)) params.set(key, String(value));
  return params;
}

function timeText(value: Date | string): string {
  return value instanceof Date ? value.toISOString() : String(value);
}
