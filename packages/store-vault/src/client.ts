/**
 * The node-vault client the store talks through, and the one way it sends a request: auth started
 * on first use, renewed or logged in again when due, and after a 403 one retry if the token itself
 * had gone bad (AppRole). The store's options are node-vault's whole configuration.
 */
import type { Logger } from "@coffer/core";
import vaultFactory from "node-vault";
import { type AuthStats, TokenKeeper, type VaultCredentials } from "./auth.js";
import { vaultStatus } from "./errors.js";
import type { ParsedVaultStoreOptions } from "./options.js";

export type VaultClient = ReturnType<typeof vaultFactory>;

export class VaultCalls {
  #client: VaultClient | undefined;
  #auth: TokenKeeper | undefined;
  #started: Promise<void> | undefined;

  constructor(
    readonly options: ParsedVaultStoreOptions,
    readonly clock: () => number,
    readonly logger: Logger,
  ) {}

  /** Logins and renewals so far (a test and metrics hook). */
  get authStats(): AuthStats {
    return { ...(this.#auth?.stats ?? { logins: 0, renewals: 0, failedRenewals: 0 }) };
  }

  /** Runs one Vault call; errors come back as node-vault threw them, for the caller to interpret. */
  async request<T>(call: (client: VaultClient) => Promise<T>): Promise<T> {
    const { client, auth } = this.#clientOrNew();
    this.#started ??= auth.start().catch((error: unknown) => {
      this.#started = undefined;
      throw error;
    });
    await this.#started;
    await auth.beforeRequest();
    try {
      return await call(client);
    } catch (error) {
      if (vaultStatus(error) === 403 && (await auth.recover())) return call(client);
      throw error;
    }
  }

  async close(): Promise<void> {
    const auth = this.#auth;
    this.#auth = undefined;
    this.#client = undefined;
    this.#started = undefined;
    await auth?.close();
  }

  #clientOrNew(): { client: VaultClient; auth: TokenKeeper } {
    if (this.#client && this.#auth) return { client: this.#client, auth: this.#auth };
    // tlsCa is PEM text: a file given as @/path was read by the configuration loader.
    const { address, namespace, timeoutMs, tlsCa: ca } = this.options;
    const client = vaultFactory({
      apiVersion: "v1",
      endpoint: address,
      // node-vault's debug output includes request bodies, i.e. secret values: never enable it.
      debug: () => undefined,
      // Given TLS options, node-vault builds its own https.Agent, without keep-alive: every request
      // then paid a new TCP and TLS handshake. Keep connections open, as the global agents do.
      requestOptions: {
        timeout: timeoutMs,
        ...(ca !== undefined && { ca }),
        agentOptions: { keepAlive: true },
      },
      // Ignore VAULT_SKIP_VERIFY: verification is not something an environment variable turns off.
      rpDefaults: { strictSSL: true },
    } as Parameters<typeof vaultFactory>[0]);
    // node-vault falls back to VAULT_TOKEN, VAULT_NAMESPACE and VAULT_PREFIX when an option is
    // empty; the store's options are the whole configuration, so set each one explicitly.
    client.token = "";
    (client as VaultClient & { pathPrefix: string }).pathPrefix = "";
    (client as VaultClient & { namespace: string | undefined }).namespace = namespace;
    const auth = new TokenKeeper(client, this.#credentials(), this.clock, this.logger);
    this.#client = client;
    this.#auth = auth;
    return { client, auth };
  }

  #credentials(): VaultCredentials {
    const { token, roleId, secretId, authMount } = this.options;
    if (token !== undefined) return { kind: "token", token };
    return { kind: "approle", roleId: roleId!, secretId: secretId!, mount: authMount };
  }
}
