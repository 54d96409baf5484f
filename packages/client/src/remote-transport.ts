/**
 * Remote mode: the same client API over a Coffer server's REST API — the secrets session
 * (remote-session.ts), the store's state and upkeep, and the server's own users and tokens. The
 * HTTP exchange and the rebuilding of typed errors are server-connection.ts's.
 */

import { createHash } from "node:crypto";
import type { Writable } from "node:stream";
import type { AuditFilter, AuditRecord, VerifyReport } from "@coffer/audit";
import type { ArchiveDecryption, ArchiveInput } from "@coffer/backup";
import { type SecretsSession, ValidationError } from "@coffer/core";
import { RemoteSecrets } from "./remote-session.js";
import type { Me, RemoteToken, RemoteTransportOptions, RemoteUser } from "./remote-types.js";
import { ServerConnection } from "./server-connection.js";
import type {
  BackupRequest,
  BackupResult,
  DiffRequest,
  KeyRotationResult,
  ReconcileResult,
  RestoreReport,
  RestoreRequest,
  RotateKeyOptions,
  SecretDiff,
  StoreInfo,
  Transport,
} from "./transport.js";
import { remoteChanges, type WatchEvent, type WatchOptions } from "./watch.js";

export class RemoteTransport implements Transport {
  readonly mode = "remote" as const;
  /** The server's URL without a trailing slash. */
  readonly server: string;
  /** Names this server and token (the token hashed) for the offline cache's labels. */
  readonly cacheScope: string;
  readonly #server: ServerConnection;
  readonly #secrets: RemoteSecrets;
  #me: Promise<Me> | undefined;

  constructor(options: RemoteTransportOptions) {
    this.#server = new ServerConnection(options);
    this.server = this.#server.base;
    this.cacheScope = `remote\u0000${this.server}\u0000${createHash("sha256").update(options.token).digest("hex")}`;
    this.#secrets = new RemoteSecrets(this.#server, () => this.whoAmI());
  }

  /** The user the token belongs to, and their role. */
  whoAmI(): Promise<Me> {
    this.#me ??= this.#server.call<Me>("GET", "/api/v1/me");
    this.#me.catch(() => {
      this.#me = undefined;
    });
    return this.#me;
  }

  async session(): Promise<SecretsSession> {
    this.#server.check();
    return this.#secrets.session();
  }

  async storeInfo(): Promise<StoreInfo> {
    const base = this.#server.base;
    const [me, info] = await Promise.all([
      this.whoAmI(),
      this.#server.call<{
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
        description: `served by ${base}`,
        location: info.store.health.message ?? info.store.type,
        options: {},
      },
      metadata: { ...info.metadata, location: base },
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
    return this.#server.call(
      "POST",
      "/api/v1/admin/rotate-key",
      options?.batchSize ? { batchSize: options.batchSize } : {},
    );
  }

  // --- users and tokens (the server's own API) ---------------------------------------------------

  listUsers(): Promise<{ users: RemoteUser[] }> {
    return this.#server.call("GET", "/api/v1/users");
  }

  createUser(name: string, role: string): Promise<RemoteUser> {
    return this.#server.call("POST", "/api/v1/users", { name, role });
  }

  setRole(name: string, role: string): Promise<RemoteUser> {
    return this.#server.call("PUT", `/api/v1/users/${encodeURIComponent(name)}/role`, { role });
  }

  async deleteUser(name: string): Promise<void> {
    await this.#server.call("DELETE", `/api/v1/users/${encodeURIComponent(name)}`);
  }

  listTokens(): Promise<{ tokens: RemoteToken[] }> {
    return this.#server.call("GET", "/api/v1/tokens");
  }

  createToken(options: {
    user?: string;
    description?: string;
    expiresInDays?: number;
  }): Promise<RemoteToken & { token: string }> {
    return this.#server.call("POST", "/api/v1/tokens", options);
  }

  async revokeToken(id: string): Promise<void> {
    await this.#server.call("DELETE", `/api/v1/tokens/${encodeURIComponent(id)}`);
  }

  /** Revokes the token this transport holds (`coffer logout`): it stops working at once. */
  async revokeOwnToken(): Promise<void> {
    await this.#server.call("DELETE", "/api/v1/me/token");
  }

  /**
   * The server encrypts (POST /api/v1/admin/backup) and streams the archive here. A passphrase
   * archive is then read back here for its counts and checksum; one for a recipient key cannot be.
   */
  async backup(output: Writable, request: BackupRequest): Promise<BackupResult> {
    const response = await this.#server.raw("POST", "/api/v1/admin/backup", {
      json: { ...request.encryption, withHistory: request.withHistory === true },
      headers: { accept: "application/octet-stream" },
    });
    let encryptedBytes = 0;
    for await (const chunk of response.body ?? []) {
      encryptedBytes += chunk.length;
      request.onProgress?.({ secrets: 0, bytes: encryptedBytes });
      if (!output.write(chunk)) await new Promise((resolve) => output.once("drain", resolve));
    }
    return { encryptedBytes };
  }

  /** Uploads the archive once (POST /api/v1/admin/restore); the server spools and restores it. */
  async restore(open: () => ArchiveInput, request: RestoreRequest): Promise<RestoreReport> {
    const query = new URLSearchParams();
    if (request.onConflict) query.set("onConflict", request.onConflict);
    if (request.dryRun) query.set("dryRun", "true");
    const response = await this.#server.raw("POST", `/api/v1/admin/restore?${query}`, {
      body: uploadOf(open()),
      headers: { ...archiveKeyHeaders(request.decryption), accept: "application/json" },
    });
    return (await response.json()) as RestoreReport;
  }

  /** Uploads the archive once (POST /api/v1/admin/diff); the server compares it as it arrives. */
  async diffArchive(open: () => ArchiveInput, request: DiffRequest): Promise<SecretDiff> {
    const response = await this.#server.raw("POST", "/api/v1/admin/diff", {
      body: uploadOf(open()),
      headers: { ...archiveKeyHeaders(request.decryption), accept: "application/json" },
    });
    return (await response.json()) as SecretDiff;
  }

  async reconcile(): Promise<ReconcileResult> {
    return this.#server.call("POST", "/api/v1/admin/reconcile");
  }

  async auditRecords(filter: AuditFilter): Promise<AuditRecord[]> {
    const query = new URLSearchParams();
    for (const key of ["actor", "secret", "action", "outcome"] as const) {
      const value = filter[key];
      if (value !== undefined) query.set(key, value);
    }
    for (const key of ["since", "until"] as const) {
      const value = filter[key];
      if (value !== undefined) query.set(key, new Date(value).toISOString());
    }
    if (filter.limit !== undefined) query.set("limit", String(filter.limit));
    const reply = await this.#server.call<{ records: Array<AuditRecord & { time: string | number }> }>(
      "GET",
      `/api/v1/audit${query.size > 0 ? `?${query}` : ""}`,
    );
    // The API gives times as ISO 8601; the client's records carry milliseconds, as local ones do.
    return reply.records.map((record) => ({ ...record, time: Date.parse(String(record.time)) }));
  }

  verifyAudit(): Promise<VerifyReport> {
    return this.#server.call("GET", "/api/v1/audit/verify");
  }

  changes(names: string[] | undefined, options: WatchOptions): AsyncGenerator<WatchEvent> {
    return remoteChanges(this.#server, names, options);
  }

  async close(): Promise<void> {}
}

/** The archive's key travels in a header, never in the URL (the body is the archive). */
function archiveKeyHeaders(decryption: ArchiveDecryption): Record<string, string> {
  return "passphrase" in decryption
    ? { "x-coffer-backup-passphrase": decryption.passphrase }
    : { "x-coffer-backup-identity": decryption.identities.join(",") };
}

function uploadOf(input: ArchiveInput): ReadableStream<Uint8Array> {
  return input instanceof ReadableStream ? input : ReadableStream.from(input);
}
