/**
 * Keeps the store's Vault token alive.
 *
 * - Token auth: the operator's token is looked up at start (this checks it). If it expires and is
 *   renewable, it is renewed (renew-self) once two thirds of its TTL have passed. When renewal no
 *   longer extends it (its max TTL is near), the store warns: only the operator can supply a new one.
 * - AppRole: the store logs in at start and renews the same way; when the token is not renewable,
 *   when renewal fails or stops extending it, or when it has already expired, it logs in again.
 *   A request answered 403 makes the store check its token (lookup-self); if the token is what
 *   failed, it logs in again and the request is retried once.
 *
 * Renewal is driven two ways: a timer (unref'd, so it never keeps a process alive) for idle
 * processes, and a check before every request against the injectable clock, which is also what
 * lets tests move time instead of sleeping.
 */
import type { Logger } from "@coffer/core";
import type NodeVault from "node-vault";
import { toStoreError, vaultStatus } from "./errors.js";

export type VaultCredentials =
  | { kind: "token"; token: string }
  | { kind: "approle"; roleId: string; secretId: string; mount: string };

export interface AuthStats {
  logins: number;
  renewals: number;
  failedRenewals: number;
}

/** Renew once this share of the TTL has passed. */
const RENEW_AT = 2 / 3;
/** A renewal that moves the expiry by less than this did not really extend the token. */
const EXTENSION_SLACK_MS = 1_000;

interface AuthBlock {
  client_token?: string;
  lease_duration?: number;
  renewable?: boolean;
}

export class TokenKeeper {
  readonly stats: AuthStats = { logins: 0, renewals: 0, failedRenewals: 0 };
  #expiresAt: number | null = null;
  #renewAt: number | null = null;
  #renewable = false;
  #busy: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(
    private readonly client: NodeVault.client,
    private readonly credentials: VaultCredentials,
    private readonly clock: () => number,
    private readonly logger: Logger,
  ) {
    if (credentials.kind === "token") client.token = credentials.token;
  }

  /** Checks the credentials: logs in (AppRole) or looks the token up (token). */
  async start(): Promise<void> {
    if (this.credentials.kind === "approle") {
      await this.#login();
      return;
    }
    let answer: { data?: { ttl?: number; renewable?: boolean } };
    try {
      answer = await this.client.read("auth/token/lookup-self");
    } catch (error) {
      throw toStoreError(error, { operation: "check its token with" });
    }
    this.#schedule(answer.data?.ttl ?? 0, answer.data?.renewable === true);
  }

  /** Before each request: renews, or logs in again, when it is time. */
  async beforeRequest(): Promise<void> {
    if (this.#renewAt === null || this.clock() < this.#renewAt) return;
    await this.#maintain();
  }

  /**
   * After a 403. With AppRole, if the token itself is no longer valid (revoked, expired early),
   * logs in again and returns true: the request is worth one retry. A valid token that was denied
   * is a policy problem, and logging in again would not help.
   */
  async recover(): Promise<boolean> {
    if (this.credentials.kind !== "approle" || this.#closed) return false;
    const denied = this.client.token;
    try {
      await this.client.read("auth/token/lookup-self");
      return false;
    } catch (error) {
      if (vaultStatus(error) !== 403) return false;
    }
    // Concurrent requests denied with the same token log in once between them.
    await this.#exclusively(async () => {
      if (this.client.token === denied) await this.#login();
    });
    return true;
  }

  /** Stops the timer; with AppRole, revokes the token the store logged in for. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.credentials.kind === "approle" && this.client.token) {
      await this.client
        .write("auth/token/revoke-self", {}, { timeout: 2_000 })
        .catch(() => this.logger.debug("Could not revoke the Vault token on close; it expires on its own."));
    }
    this.client.token = "";
  }

  #maintain(): Promise<void> {
    return this.#exclusively(async () => {
      // Another caller may have done the work while this one waited.
      if (this.#renewAt === null || this.clock() < this.#renewAt) return;
      if (this.credentials.kind === "approle") {
        const expired = this.#expiresAt !== null && this.clock() >= this.#expiresAt;
        if (!expired && this.#renewable && (await this.#renew())) return;
        await this.#login();
        return;
      }
      if (!this.#renewable) {
        this.#renewAt = null;
        return;
      }
      if (await this.#renew()) return;
      if (this.#renewAt !== null) return; // a failed renewal rescheduled itself
      this.logger.warn("The Vault token can no longer be renewed and will expire; give Coffer a new token.", {
        expiresAt: this.#expiresAt === null ? null : new Date(this.#expiresAt).toISOString(),
      });
    });
  }

  /** renew-self; true when the token now lives longer than before. */
  async #renew(): Promise<boolean> {
    const before = this.#expiresAt;
    let auth: AuthBlock | undefined;
    try {
      auth = ((await this.client.write("auth/token/renew-self", {})) as { auth?: AuthBlock }).auth;
    } catch (error) {
      this.stats.failedRenewals++;
      const status = vaultStatus(error);
      this.logger.warn("Renewing the Vault token failed.", { httpStatus: status ?? null });
      if (this.credentials.kind === "token" && this.#expiresAt !== null) {
        // Try again after a third of what is left, rather than before every request.
        const left = this.#expiresAt - this.clock();
        this.#renewAt = left > 0 ? this.clock() + Math.max(1_000, left / 3) : null;
        this.#arm();
      }
      return false;
    }
    this.stats.renewals++;
    this.#schedule(auth?.lease_duration ?? 0, auth?.renewable === true);
    const extended =
      this.#expiresAt === null || before === null || this.#expiresAt > before + EXTENSION_SLACK_MS;
    if (!extended) {
      this.#renewAt = null;
      this.#arm();
    }
    return extended;
  }

  async #login(): Promise<void> {
    if (this.credentials.kind !== "approle") return;
    const { roleId, secretId, mount } = this.credentials;
    let auth: AuthBlock | undefined;
    try {
      auth = (
        (await this.client.write(`auth/${mount}/login`, { role_id: roleId, secret_id: secretId })) as {
          auth?: AuthBlock;
        }
      ).auth;
    } catch (error) {
      throw toStoreError(error, { operation: "log in" });
    }
    if (!auth?.client_token) {
      throw toStoreError({ response: { statusCode: 502 } }, { operation: "log in" });
    }
    this.client.token = auth.client_token;
    this.stats.logins++;
    this.#schedule(auth.lease_duration ?? 0, auth.renewable === true);
  }

  /** Records a token's TTL: it expires after `ttlSeconds` (0 = never) and is renewed at 2/3. */
  #schedule(ttlSeconds: number, renewable: boolean): void {
    this.#renewable = renewable;
    if (ttlSeconds <= 0) {
      this.#expiresAt = null;
      this.#renewAt = null;
    } else {
      const now = this.clock();
      this.#expiresAt = now + ttlSeconds * 1000;
      this.#renewAt = now + ttlSeconds * 1000 * RENEW_AT;
    }
    this.#arm();
  }

  /** A timer for processes that make no requests for a while; requests check on their own. */
  #arm(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#closed || this.#renewAt === null) return;
    const delay = Math.min(Math.max(this.#renewAt - this.clock(), 1_000), 2_147_483_647);
    this.#timer = setTimeout(() => {
      this.#maintain().catch((error: unknown) =>
        this.logger.warn("Keeping the Vault token alive failed; the next request tries again.", {
          error: (error as { code?: string }).code ?? "error",
        }),
      );
    }, delay);
    this.#timer.unref();
  }

  async #exclusively(work: () => Promise<void>): Promise<void> {
    while (this.#busy) await this.#busy.catch(() => undefined);
    const running = work();
    this.#busy = running;
    try {
      await running;
    } finally {
      if (this.#busy === running) this.#busy = undefined;
    }
  }
}
