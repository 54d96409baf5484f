/**
 * A GCP Cloud KMS CryptoKey as the sql store's key-encryption key, through the official client
 * (@google-cloud/kms over gRPC). Data keys are drawn locally by the store (32 random bytes) and
 * wrapped by Encrypt with the store's wrap context as additional authenticated data, so a wrapped
 * key does not unwrap for another deployment or under another id. Decrypt names the configured
 * key, so a ciphertext of another key fails (INVALID_ARGUMENT) instead of being decrypted.
 *
 * Every call follows Google's "Verifying end-to-end data integrity" guide: requests carry the
 * CRC32C of their bytes; an Encrypt answer counts only if the service says it verified them, it
 * names a version of the configured key, and its ciphertext matches its CRC32C; a Decrypt answer
 * only if its plaintext matches its CRC32C. A damaged answer is discarded and the call repeated a
 * limited number of times (maxAttempts), then it is an IntegrityError. Transient statuses are
 * retried here too rather than by google-gax, whose retry gives up with a DEADLINE_EXCEEDED that
 * hides the status seen; one loop for both keeps the count honest.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { crc32c } from "@aws-crypto/crc32c";
import type { KeyEncryptionKey, WrapContext, WrappedKey } from "@coffer/store-sql";
import { KeyManagementServiceClient } from "@google-cloud/kms";
import {
  type CallOptions,
  type ClientOptions,
  createBackoffSettings,
  createRetryOptions,
  googleAuthLibrary,
  grpc,
} from "google-gax";
import { DamagedAnswer, isChecksumRejection, kmsError, statusOf, TRANSIENT } from "./errors.js";
import type { GcpKmsOptions } from "./options.js";

const DATA_KEY_ID = "coffer:key-id";

/** Objects, not configuration, that an embedder or a test may hand over (e.g. an impersonating auth client). */
export interface GcpKmsInjections {
  authClient?: ClientOptions["authClient"];
  clientOptions?: ClientOptions;
}

export class GcpKmsKek implements KeyEncryptionKey {
  readonly description: string;
  readonly #client: KeyManagementServiceClient;
  readonly #options: GcpKmsOptions;
  readonly #callOptions: CallOptions;

  constructor(options: GcpKmsOptions, injections: GcpKmsInjections = {}) {
    this.#options = options;
    this.description = `Cloud KMS key ${options.keyName}`;
    this.#client = new KeyManagementServiceClient(clientOptions(options, injections));
    // No retries inside the client: #call retries (see above). The timeout bounds each attempt.
    this.#callOptions = {
      timeout: options.timeoutMs,
      retry: createRetryOptions(
        [],
        createBackoffSettings(100, 1, 100, options.timeoutMs, 1, options.timeoutMs, options.timeoutMs),
      ),
    };
  }

  async wrap(key: Buffer, context: WrapContext): Promise<WrappedKey> {
    const aad = associatedData(context);
    const [answer] = await this.#call(
      "Encrypt",
      context,
      () =>
        this.#client.encrypt(
          {
            name: this.#options.keyName,
            plaintext: key,
            additionalAuthenticatedData: aad,
            plaintextCrc32c: { value: crc32c(key) },
            additionalAuthenticatedDataCrc32c: { value: crc32c(aad) },
          },
          this.#callOptions,
        ),
      ([response]) => {
        if (!response.verifiedPlaintextCrc32c || !response.verifiedAdditionalAuthenticatedDataCrc32c)
          return "the service did not confirm the request's checksums";
        if (!response.name?.startsWith(`${this.#options.keyName}/cryptoKeyVersions/`))
          return `the answer names another key version (${response.name})`;
        if (!matches(response.ciphertext, response.ciphertextCrc32c))
          return "the ciphertext does not match its CRC32C";
        return undefined;
      },
    );
    return { wrapped: Buffer.from(answer.ciphertext as Uint8Array).toString("base64"), kek: answer.name! };
  }

  async unwrap(wrapped: string, context: WrapContext): Promise<Buffer> {
    const ciphertext = Buffer.from(wrapped, "base64");
    const aad = associatedData(context);
    const [answer] = await this.#call(
      "Decrypt",
      context,
      () =>
        this.#client.decrypt(
          {
            name: this.#options.keyName,
            ciphertext,
            additionalAuthenticatedData: aad,
            ciphertextCrc32c: { value: crc32c(ciphertext) },
            additionalAuthenticatedDataCrc32c: { value: crc32c(aad) },
          },
          this.#callOptions,
        ),
      ([response]) =>
        matches(response.plaintext, response.plaintextCrc32c)
          ? undefined
          : "the plaintext does not match its CRC32C",
    );
    const plaintext = answer.plaintext as Uint8Array | null;
    if (plaintext?.length !== 32) throw new Error("Cloud KMS returned no 32-byte data key");
    const key = Buffer.from(plaintext);
    plaintext.fill(0);
    return key;
  }

  /**
   * GetCryptoKey: answers without using the key. A key that cannot wrap (no primary version, or a
   * primary that is not enabled) counts as refused; a key of another purpose is a configuration mistake.
   */
  async probe(): Promise<void> {
    const [key] = await this.#call("GetCryptoKey", {}, () =>
      this.#client.getCryptoKey({ name: this.#options.keyName }, this.#callOptions),
    );
    const name = this.#options.keyName;
    if (key.purpose !== "ENCRYPT_DECRYPT") {
      throw kmsError(
        { code: grpc.status.INVALID_ARGUMENT, details: `purpose is ${key.purpose}` },
        name,
        "GetCryptoKey",
      );
    }
    if (key.primary?.state !== "ENABLED") {
      const state = key.primary ? `its primary version is ${key.primary.state}` : "it has no primary version";
      throw kmsError(
        { code: grpc.status.FAILED_PRECONDITION, details: `${name} cannot encrypt: ${state}` },
        name,
        "GetCryptoKey",
      );
    }
  }

  async close(): Promise<void> {
    await this.#client.close();
  }

  /** One KMS call with its integrity check, repeated for transient failures and damaged answers. */
  async #call<T>(
    operation: string,
    context: WrapContext,
    send: () => Promise<T>,
    damage: (answer: T) => string | undefined = () => undefined,
  ): Promise<T> {
    let last: unknown;
    for (let attempt = 1; attempt <= this.#options.maxAttempts; attempt++) {
      if (attempt > 1) await sleep(Math.min(100 * 2 ** (attempt - 2), 1_000));
      try {
        const answer = await send();
        const reason = damage(answer);
        if (reason === undefined) return answer;
        last = new DamagedAnswer(reason);
      } catch (error) {
        last = error;
        const status = statusOf(error);
        if (!isChecksumRejection(error) && (status === undefined || !TRANSIENT.has(status))) break;
      }
    }
    throw kmsError(last, this.#options.keyName, operation, context[DATA_KEY_ID]);
  }
}

function clientOptions(options: GcpKmsOptions, injections: GcpKmsInjections): ClientOptions {
  const result: ClientOptions = {};
  if (options.apiEndpoint !== undefined) result.apiEndpoint = options.apiEndpoint;
  if (options.port !== undefined) result.port = options.port;
  if (options.keyFile !== undefined) result.keyFilename = options.keyFile;
  if (options.credentials !== undefined) {
    const key = JSON.parse(options.credentials) as { client_email: string; private_key: string };
    result.credentials = { client_email: key.client_email, private_key: key.private_key };
  }
  if (options.insecure) {
    // Plain-text gRPC for emulators: no call credentials are sent, so none are looked up either
    // (looking up application default credentials would probe the metadata server).
    result.sslCreds = grpc.credentials.createInsecure();
    result.authClient = new googleAuthLibrary.PassThroughClient();
  }
  if (injections.authClient !== undefined) result.authClient = injections.authClient;
  return { ...result, ...injections.clientOptions };
}

/** Whether bytes match the CRC32C an answer gave for them (int64 on the wire: a number or a string). */
function matches(
  data: Uint8Array | string | null | undefined,
  checksum: { value?: unknown } | null | undefined,
): boolean {
  if (!(data instanceof Uint8Array) || checksum?.value === undefined || checksum.value === null) return false;
  return Number(checksum.value) === crc32c(data);
}

/** The wrap context as AAD: names sorted, JSON, so the order the store built it in does not matter. */
function associatedData(context: WrapContext): Buffer {
  const sorted = Object.keys(context)
    .sort()
    .map((name) => [name, context[name]]);
  return Buffer.from(JSON.stringify(sorted));
}
