/**
 * The dashboard's only way to the server: the public REST API (/api/v1, described at
 * /api/v1/openapi.json), same origin, `Authorization: Bearer <token>`. The token lives in this
 * object, in memory: never in localStorage, sessionStorage, a cookie or the URL, so it is gone
 * when the tab closes. Errors become ApiError with the API's code, message and hint. Writes send
 * `Prefer: return=minimal`, so no reply to a write carries a secret's values.
 */

export interface Secret {
  id: string;
  name: string;
  private: boolean;
  owner: string;
  ownerId: string;
  version: number;
  keys: string[];
  createdAt: string;
  updatedAt: string;
  values?: Record<string, string>;
}

/**
 * What a write answers with: the secret's metadata. The page asks for the minimal reply, so no
 * values come back; the type keeps code from looking for them there.
 */
export type WrittenSecret = Omit<Secret, "values">;

export interface SecretPage {
  items: Secret[];
  nextCursor?: string;
}

export interface Me {
  user: string;
  userId: string;
  role: Role;
  enrollment?: boolean;
}

export type Role = "reader" | "value-reader" | "writer" | "admin" | "auditor";
export const ROLES: readonly Role[] = ["reader", "value-reader", "writer", "admin", "auditor"];

export interface HistoryVersion {
  version: number;
  created: string;
  createdBy: string;
  action: string;
  name: string;
  private: boolean;
  keys: string[];
  changes: { added: string[]; removed: string[]; changed: string[]; renamedFrom?: string; private?: boolean };
  rolledBackTo?: number;
}

export interface History {
  id: string;
  version: number;
  versions: HistoryVersion[];
}

export interface User {
  id: string;
  name: string;
  role: Role;
  createdAt: string;
}

export interface Token {
  id: string;
  user: string;
  kind: "api" | "enrollment";
  description: string;
  createdBy: string | null;
  createdAt: string;
  expiresAt: string | null;
  revoked: boolean;
  /** Only in the reply that made the token. */
  token?: string;
}

export interface AuditRecord {
  seq: number;
  time: string;
  action: string;
  actor: { id: string; name?: string };
  origin: { kind: string; address?: string };
  target?: Record<string, unknown>;
  outcome: string;
}

export interface StoreInfo {
  deploymentId?: string;
  status: "ready" | "error";
  store: {
    type: string;
    capabilities: Record<string, string | number | boolean>;
    keyRotation: boolean;
    health: { status: string; latencyMs: number; message?: string; errorCode?: string };
    keys?: {
      source: string;
      activeKeyId: string;
      keyCount: number;
      missing: number;
      rows: number;
      rowsOnActiveKey: number;
    };
  };
  backup?: { type: string; health?: { status: string; latencyMs: number; message?: string } };
}

export interface RotateKeyReport {
  activeKeyId: string;
  previousKeyId: string;
  generated: boolean;
  reencrypted: number;
  skipped: number;
  unreadable: Array<{ id: string; keyId: string }>;
  remaining: number;
  batches: number;
}

export interface ReferenceProblem {
  path: string;
  reference: string;
  problem: "secret-missing" | "key-missing";
  message: string;
}

/** An error reply of the API, `{ error: { code, message, hint? } }`, or a failed request. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

interface RequestOptions {
  body?: unknown;
  /** Check-and-set: the version the write expects (sent as `If-Match: "n"`). */
  ifMatch?: number;
}

export class Api {
  readonly #token: string;
  /** Called when the server no longer accepts the token (revoked, expired): the session is over. */
  onUnauthenticated: ((error: ApiError) => void) | undefined;

  constructor(token: string) {
    this.#token = token;
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.#token}` };
    if (options.body !== undefined) headers["content-type"] = "application/json";
    if (options.ifMatch !== undefined) headers["if-match"] = `"${options.ifMatch}"`;
    // Every write asks for the minimal reply (RFC 7240): the server then answers a secret's
    // create, edit or rollback with its metadata only, so the values just typed never come back
    // (nor sit in the browser's network log). The page uses only the id and version of a write's
    // reply. Routes without a minimal form ignore the preference.
    if (method !== "GET") headers.prefer = "return=minimal";
    let response: Response;
    try {
      response = await fetch(`/api/v1${path}`, {
        method,
        headers,
        credentials: "omit",
        cache: "no-store",
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      });
    } catch {
      throw new ApiError(
        0,
        "NETWORK",
        "The server did not answer.",
        "Check that the Coffer server is running.",
      );
    }
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!response.ok) {
      const error = (parsed as { error?: { code?: string; message?: string; hint?: string } } | undefined)
        ?.error;
      const failure = new ApiError(
        response.status,
        error?.code ?? "HTTP",
        error?.message ?? `The server answered ${response.status}.`,
        error?.hint,
      );
      if (response.status === 401) this.onUnauthenticated?.(failure);
      throw failure;
    }
    return parsed as T;
  }

  me(): Promise<Me> {
    return this.request("GET", "/me");
  }

  listSecrets(query: URLSearchParams): Promise<SecretPage> {
    return this.request("GET", `/secrets?${query}`);
  }

  /** Metadata only: the server does not read the backend, and no value travels. */
  secretMetadata(id: string): Promise<Secret> {
    return this.request("GET", `/secrets/${encodeURIComponent(id)}?values=false`);
  }

  /** One audited read of the values (the caller keeps only the one it reveals). */
  secretWithValues(id: string): Promise<Secret> {
    return this.request("GET", `/secrets/${encodeURIComponent(id)}?values=true`);
  }

  createSecret(name: string, values: Record<string, string>, isPrivate: boolean): Promise<WrittenSecret> {
    return this.request("POST", "/secrets", { body: { name, values, private: isPrivate } });
  }

  patchSecret(
    id: string,
    version: number,
    change: { values?: Record<string, string | null>; name?: string; private?: boolean },
  ): Promise<WrittenSecret> {
    return this.request("PATCH", `/secrets/${encodeURIComponent(id)}`, { body: change, ifMatch: version });
  }

  deleteSecret(id: string, version: number): Promise<void> {
    return this.request("DELETE", `/secrets/${encodeURIComponent(id)}`, { ifMatch: version });
  }

  history(id: string): Promise<History> {
    return this.request("GET", `/secrets/${encodeURIComponent(id)}/history`);
  }

  rollback(id: string, version: number, toVersion: number): Promise<WrittenSecret> {
    return this.request("POST", `/secrets/${encodeURIComponent(id)}/rollback`, {
      body: { toVersion },
      ifMatch: version,
    });
  }

  users(): Promise<{ users: User[] }> {
    return this.request("GET", "/users");
  }

  createUser(name: string, role: Role): Promise<User> {
    return this.request("POST", "/users", { body: { name, role } });
  }

  setRole(name: string, role: Role): Promise<User> {
    return this.request("PUT", `/users/${encodeURIComponent(name)}/role`, { body: { role } });
  }

  deleteUser(name: string): Promise<void> {
    return this.request("DELETE", `/users/${encodeURIComponent(name)}`);
  }

  tokens(): Promise<{ tokens: Token[] }> {
    return this.request("GET", "/tokens");
  }

  createToken(body: { user?: string; description?: string; expiresInDays?: number }): Promise<Token> {
    return this.request("POST", "/tokens", { body });
  }

  revokeToken(id: string): Promise<void> {
    return this.request("DELETE", `/tokens/${encodeURIComponent(id)}`);
  }

  /** Revokes the token this client carries. */
  revokeOwnToken(): Promise<void> {
    return this.request("DELETE", "/me/token");
  }

  storeInfo(): Promise<StoreInfo> {
    return this.request("GET", "/store");
  }

  rotateKey(): Promise<RotateKeyReport> {
    return this.request("POST", "/admin/rotate-key", { body: {} });
  }

  /** Checks the {{name.key}} references in a document: metadata only, no value is read. */
  validateReferences(document: unknown): Promise<{ problems: ReferenceProblem[] }> {
    return this.request("POST", "/references/validate", {
      body: { document, level: "SECRET_AND_KEY_EXISTS" },
    });
  }

  audit(query: URLSearchParams): Promise<{ records: AuditRecord[] }> {
    return this.request("GET", `/audit?${query}`);
  }
}
