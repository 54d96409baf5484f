/**
 * An AWS KMS key as the sql store's key-encryption key, through the official client. Data keys are
 * made by GenerateDataKey (AES_256) and unwrapped by Decrypt with the KeyId given, so a ciphertext
 * from another KMS key fails (IncorrectKeyException) instead of being decrypted by whatever key it
 * names. The store's wrap context is the KMS encryption context: authenticated, logged in CloudTrail.
 */
import {
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  KMSClient,
} from "@aws-sdk/client-kms";
import type { KeyEncryptionKey, WrapContext, WrappedKey } from "@coffer/store-sql";
import { kmsError } from "./errors.js";
import type { AwsKmsOptions } from "./options.js";

const DATA_KEY_ID = "coffer:key-id";

export class AwsKmsKek implements KeyEncryptionKey {
  readonly description: string;
  readonly #client: KMSClient;
  readonly #keyId: string;

  constructor(options: AwsKmsOptions) {
    this.#keyId = options.keyId;
    this.description = `AWS KMS key ${options.keyId}`;
    this.#client = new KMSClient({
      ...(options.region && { region: options.region }),
      ...(options.endpoint && { endpoint: options.endpoint }),
      ...(options.accessKeyId &&
        options.secretAccessKey && {
          credentials: {
            accessKeyId: options.accessKeyId,
            secretAccessKey: options.secretAccessKey,
            ...(options.sessionToken && { sessionToken: options.sessionToken }),
          },
        }),
      maxAttempts: options.maxAttempts,
      requestHandler: { requestTimeout: options.timeoutMs, connectionTimeout: options.timeoutMs },
    });
  }

  async generate(context: WrapContext): Promise<{ key: Buffer } & WrappedKey> {
    const output = await this.#call("GenerateDataKey", context, () =>
      this.#client.send(
        new GenerateDataKeyCommand({
          KeyId: this.#keyId,
          KeySpec: "AES_256",
          EncryptionContext: { ...context },
        }),
      ),
    );
    return {
      key: take(output.Plaintext),
      wrapped: base64(output.CiphertextBlob),
      kek: output.KeyId ?? this.#keyId,
    };
  }

  async wrap(key: Buffer, context: WrapContext): Promise<WrappedKey> {
    const output = await this.#call("Encrypt", context, () =>
      this.#client.send(
        new EncryptCommand({ KeyId: this.#keyId, Plaintext: key, EncryptionContext: { ...context } }),
      ),
    );
    return { wrapped: base64(output.CiphertextBlob), kek: output.KeyId ?? this.#keyId };
  }

  async unwrap(wrapped: string, context: WrapContext): Promise<Buffer> {
    const output = await this.#call("Decrypt", context, () =>
      this.#client.send(
        new DecryptCommand({
          KeyId: this.#keyId,
          CiphertextBlob: Buffer.from(wrapped, "base64"),
          EncryptionContext: { ...context },
        }),
      ),
    );
    return take(output.Plaintext);
  }

  /** DescribeKey: answers without using the key; a disabled key counts as refused. */
  async probe(): Promise<void> {
    const output = await this.#call("DescribeKey", {}, () =>
      this.#client.send(new DescribeKeyCommand({ KeyId: this.#keyId })),
    );
    if (output.KeyMetadata?.Enabled === false) {
      throw kmsError({ name: "DisabledException" }, this.#keyId, "DescribeKey");
    }
  }

  async close(): Promise<void> {
    this.#client.destroy();
  }

  async #call<T>(operation: string, context: WrapContext, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw kmsError(error, this.#keyId, operation, context[DATA_KEY_ID]);
    }
  }
}

function base64(blob: Uint8Array | undefined): string {
  if (!blob) throw new Error("AWS KMS returned no ciphertext");
  return Buffer.from(blob).toString("base64");
}

/** A copy of the SDK's plaintext as a Buffer, the SDK's own bytes zeroed. */
function take(plaintext: Uint8Array | undefined): Buffer {
  if (plaintext?.length !== 32) throw new Error("AWS KMS returned no 32-byte data key");
  const key = Buffer.from(plaintext);
  plaintext.fill(0);
  return key;
}
