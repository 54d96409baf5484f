/**
 * A Vault transit key as the sql store's key-encryption key, through node-vault (the client the
 * vault store uses). Data keys are drawn locally and wrapped with `encrypt`, with the store's wrap
 * context as AEAD `associated_data`, so a wrapped key does not unwrap for another deployment or
 * under another id. The key is read once before the first wrap: transit's encrypt would otherwise
 * create a missing key silently (upsert), and a typo would start a new, unbacked-up key.
 */
import type { KeyEncryptionKey, WrapContext, WrappedKey } from "@coffer/store-sql";
import vaultFactory from "node-vault";
import { transitError } from "./errors.js";
import type { VaultTransitOptions } from "./options.js";

type VaultClient = ReturnType<typeof vaultFactory>;

const DATA_KEY_ID = "coffer:key-id";

export class VaultTransitKek implements KeyEncryptionKey {
  readonly description: string;
  readonly #client: VaultClient;
  readonly #options: VaultTransitOptions;
  #keyChecked = false;

  constructor(options: VaultTransitOptions) {
    this.#options = options;
    this.description = `Vault transit key ${options.mount}/${options.keyName} at ${options.address}`;
    this.#client = vaultFactory({
      apiVersion: "v1",
      endpoint: options.address,
      token: options.token,
      // node-vault's debug output includes request bodies (here: data keys): never enable it.
      debug: () => undefined,
      requestOptions: { timeout: options.timeoutMs, agentOptions: { keepAlive: true } },
      rpDefaults: { strictSSL: true },
    } as Parameters<typeof vaultFactory>[0]);
    // node-vault falls back to VAULT_NAMESPACE and VAULT_PREFIX when unset: the options are the
    // whole configuration.
    (this.#client as VaultClient & { pathPrefix: string }).pathPrefix = "";
    (this.#client as VaultClient & { namespace: string | undefined }).namespace = options.namespace;
  }

  async wrap(key: Buffer, context: WrapContext): Promise<WrappedKey> {
    if (!this.#keyChecked) await this.probe();
    const { data } = await this.#call("encrypt", context, () =>
      this.#client.write(this.#path("encrypt"), {
        plaintext: key.toString("base64"),
        associated_data: associatedData(context),
      }),
    );
    const ciphertext = String(data?.ciphertext ?? "");
    return {
      wrapped: ciphertext,
      kek: `${this.#options.mount}/${this.#options.keyName} v${data?.key_version ?? "?"}`,
    };
  }

  async unwrap(wrapped: string, context: WrapContext): Promise<Buffer> {
    const { data } = await this.#call("decrypt", context, () =>
      this.#client.write(this.#path("decrypt"), {
        ciphertext: wrapped,
        associated_data: associatedData(context),
      }),
    );
    const key = Buffer.from(String(data?.plaintext ?? ""), "base64");
    if (key.length !== 32) throw new Error("Vault transit returned no 32-byte data key");
    return key;
  }

  /** Transit's own rewrap: the data key never leaves Vault. */
  async rewrap(wrapped: string, context: WrapContext): Promise<WrappedKey> {
    const { data } = await this.#call("rewrap", context, () =>
      this.#client.write(this.#path("rewrap"), {
        ciphertext: wrapped,
        associated_data: associatedData(context),
      }),
    );
    return {
      wrapped: String(data?.ciphertext ?? ""),
      kek: `${this.#options.mount}/${this.#options.keyName} v${data?.key_version ?? "?"}`,
    };
  }

  /** Reads the key's description (never its material): it exists and the token may use it. */
  async probe(): Promise<void> {
    await this.#call("read key", {}, () => this.#client.read(this.#path("keys")));
    this.#keyChecked = true;
  }

  async close(): Promise<void> {}

  #path(section: "encrypt" | "decrypt" | "rewrap" | "keys"): string {
    return `${this.#options.mount}/${section}/${this.#options.keyName}`;
  }

  async #call<T>(operation: string, context: WrapContext, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw transitError(error, this.#options.keyName, operation, context[DATA_KEY_ID]);
    }
  }
}

/** The wrap context as AEAD associated data: keys sorted, JSON, base64. */
function associatedData(context: WrapContext): string {
  const sorted = Object.keys(context)
    .sort()
    .map((name) => [name, context[name]]);
  return Buffer.from(JSON.stringify(sorted)).toString("base64");
}
