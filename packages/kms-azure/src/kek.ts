/**
 * An RSA key in Azure Key Vault as the sql store's key-encryption key, through the official
 * @azure/keyvault-keys clients. Data keys are drawn locally (32 random bytes, by the store) and
 * wrapped by `wrapkey` with RSA-OAEP-256 under the key's current version; the record keeps that
 * version's kid, and unwrapping asks the vault to use exactly that version — so after a rotation
 * old data keys still open, and `rewrap` (unwrap, then wrap under the newest version) moves them.
 *
 * Every unwrap happens in the vault: the SDK has only the public key, and RSA-OAEP-256 is not one
 * of the algorithms its CryptographyClient runs locally, so wraps go to the vault too (one audit
 * trail for both). The kid in a record is never used as a URL: requests always go to the
 * configured vault, and a record naming another vault or key is refused before any call.
 */
import type { TokenCredential } from "@azure/core-auth";
import {
  CryptographyClient,
  type CryptographyClientOptions,
  KeyClient,
  type KeyVaultKey,
  parseKeyVaultKeyIdentifier,
} from "@azure/keyvault-keys";
import { InvalidConfigError } from "@coffer/core";
import type { KeyEncryptionKey, WrapContext, WrappedKey } from "@coffer/store-sql";
import { credentialFromOptions } from "./credential.js";
import { type Failure, foreignKeyError, keyVaultError } from "./errors.js";
import type { AzureKeysOptions } from "./options.js";
import { ALGORITHM, bind, decodeRecord, encodeRecord, unbind } from "./wrapped-record.js";

const DATA_KEY_ID = "coffer:key-id";
/** Versions a process keeps a client for; more than a few means many rotations, each client is small. */
const MAX_VERSION_CLIENTS = 32;

/**
 * What tests and embedders hand the key source besides its options: objects, not configuration.
 * Tests pass a hand-written TokenCredential (never a real identity).
 */
export interface AzureKeysInjections {
  /** Authenticates every request; overrides clientSecret, certificatePath and managedIdentity. */
  credential?: TokenCredential;
  /** Extra client options, applied last (e.g. `retryOptions`). */
  clientOptions?: CryptographyClientOptions;
}

export class AzureKeysKek implements KeyEncryptionKey {
  readonly description: string;
  readonly #options: AzureKeysOptions;
  readonly #injections: AzureKeysInjections;
  readonly #vault: string;
  #credential: Promise<TokenCredential> | undefined;
  #keyClient: KeyClient | undefined;
  /** One CryptographyClient per key version used to unwrap (each reads its key once). */
  readonly #versions = new Map<string, CryptographyClient>();

  constructor(options: AzureKeysOptions, injections: AzureKeysInjections = {}) {
    this.#options = options;
    this.#injections = injections;
    this.#vault = new URL(options.vaultUrl).origin;
    this.description = `Azure Key Vault key ${options.keyName} in ${this.#vault}`;
  }

  async wrap(key: Buffer, context: WrapContext): Promise<WrappedKey> {
    const failure = this.#failure("wrapKey", context);
    const current = await this.#current(failure);
    const plaintext = bind(key, context);
    try {
      const client = new CryptographyClient(
        current,
        await this.#credentialFor(failure),
        this.#clientOptions(),
      );
      const result = await this.#call({ ...failure, kid: current.id }, () =>
        client.wrapKey(ALGORITHM, plaintext, { abortSignal: this.#deadline() }),
      );
      const kid = result.keyID ?? current.id!;
      return { wrapped: encodeRecord({ kid, alg: ALGORITHM, value: Buffer.from(result.result) }), kek: kid };
    } finally {
      plaintext.fill(0);
    }
  }

  async unwrap(wrapped: string, context: WrapContext): Promise<Buffer> {
    const failure = this.#failure("unwrapKey", context);
    const record = decodeRecord(wrapped);
    if (!record) throw foreignKeyError(failure, "it is not a record of the azure-keys key source");
    const version = this.#ownVersion(record.kid, { ...failure, kid: record.kid });
    const kid = `${this.#vault}/keys/${this.#options.keyName}/${version}`;
    const client = await this.#clientForVersion(kid, failure);
    const result = await this.#call({ ...failure, kid }, () =>
      client.unwrapKey(record.alg as typeof ALGORITHM, record.value, { abortSignal: this.#deadline() }),
    );
    const key = unbind(result.result, context);
    if (!key) {
      throw foreignKeyError(
        { ...failure, kid },
        "it was wrapped for another deployment or another data key id (its context digest differs)",
      );
    }
    return key;
  }

  /** Reads the key (never its private half): it exists, is enabled and may wrap and unwrap. */
  async probe(): Promise<void> {
    await this.#current(this.#failure("getKey", {}));
  }

  async close(): Promise<void> {
    // The clients hold no connection of their own to release (their agent's sockets time out).
    this.#versions.clear();
    this.#keyClient = undefined;
  }

  /** The key's current version, checked the way the vault would check it before a wrap. */
  async #current(failure: Failure): Promise<KeyVaultKey> {
    const keys = await this.#keys(failure);
    const key = await this.#call(failure, () =>
      keys.getKey(this.#options.keyName, { abortSignal: this.#deadline() }),
    );
    const kid = key.id ?? "";
    if (key.keyType !== "RSA" && key.keyType !== "RSA-HSM") {
      throw new InvalidConfigError(`Azure Key Vault key ${failure.key} is a ${key.keyType} key, not RSA.`, {
        hint: "Name an RSA or RSA-HSM key (2048 bits or more) in kms.keyName: RSA-OAEP-256 wraps the data keys.",
        details: { kid },
      });
    }
    if (key.properties.enabled === false) {
      throw keyVaultError(
        { statusCode: 403, code: "Forbidden", details: { error: { innerError: { code: "KeyDisabled" } } } },
        { ...failure, kid },
      );
    }
    const ops = key.keyOperations ?? [];
    if (!ops.includes("wrapKey") || !ops.includes("unwrapKey")) {
      throw keyVaultError(
        {
          statusCode: 403,
          code: "Forbidden",
          details: { error: { innerError: { code: "KeyOperationForbidden" } } },
        },
        { ...failure, kid },
      );
    }
    return key;
  }

  /** The version a record names, when the record is this vault's and this key's; else IntegrityError. */
  #ownVersion(kid: string, failure: Failure): string {
    let parsed: { vaultUrl: string; name: string; version?: string | undefined };
    try {
      parsed = parseKeyVaultKeyIdentifier(kid);
    } catch {
      throw foreignKeyError(failure, `its key id '${kid}' is not a Key Vault key id`);
    }
    const sameVault = new URL(parsed.vaultUrl).origin === this.#vault;
    // Key Vault names are case-insensitive.
    const sameKey = parsed.name.toLowerCase() === this.#options.keyName.toLowerCase();
    if (!sameVault || !sameKey || !parsed.version || !/^[0-9a-zA-Z]+$/.test(parsed.version)) {
      throw foreignKeyError(failure, `it was wrapped by ${kid}, another key or vault`);
    }
    return parsed.version;
  }

  async #clientForVersion(kid: string, failure: Failure): Promise<CryptographyClient> {
    const known = this.#versions.get(kid);
    if (known) return known;
    if (this.#versions.size >= MAX_VERSION_CLIENTS) this.#versions.clear();
    // A kid string: the client reads that version once (key_ops, dates) and then always asks the
    // vault to unwrap; without `get` permission it goes straight to the vault.
    const client = new CryptographyClient(kid, await this.#credentialFor(failure), this.#clientOptions());
    this.#versions.set(kid, client);
    return client;
  }

  async #keys(failure: Failure): Promise<KeyClient> {
    this.#keyClient ??= new KeyClient(this.#vault, await this.#credentialFor(failure), this.#clientOptions());
    return this.#keyClient;
  }

  async #credentialFor(failure: Failure): Promise<TokenCredential> {
    if (this.#injections.credential) return this.#injections.credential;
    this.#credential ??= credentialFromOptions(this.#options);
    try {
      return await this.#credential;
    } catch (error) {
      this.#credential = undefined;
      if (error instanceof InvalidConfigError) throw error;
      throw keyVaultError(error, failure);
    }
  }

  #clientOptions(): CryptographyClientOptions {
    const { tlsCa, disableChallengeResourceVerification, maxRetries } = this.#options;
    return {
      disableChallengeResourceVerification,
      retryOptions: { maxRetries },
      // tlsCa is PEM text: a file given as @/path was read by the configuration loader.
      ...(tlsCa !== undefined && { tlsOptions: { ca: tlsCa } }),
      ...this.#injections.clientOptions,
    };
  }

  #deadline(): AbortSignal {
    return AbortSignal.timeout(this.#options.timeoutMs);
  }

  #failure(operation: string, context: WrapContext): Failure {
    return { key: `${this.#options.keyName} in ${this.#vault}`, operation, dataKeyId: context[DATA_KEY_ID] };
  }

  async #call<T>(failure: Failure, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw keyVaultError(error, failure);
    }
  }
}
