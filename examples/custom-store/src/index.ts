/**
 * An example custom backend: each secret is one file in a directory, encrypted with AES-256-GCM.
 *
 *   COFFER_STORE_TYPE=custom
 *   COFFER_STORE_MODULE=./examples/custom-store/dist/index.js   (or the package name, once installed)
 *   COFFER_STORE_DIRECTORY=/var/lib/coffer/secrets
 *   COFFER_STORE_KEY=@/etc/coffer/dir-store.key                 (32 random bytes, base64)
 *
 * The whole plugin is this file: a zod options schema, a class implementing the SecretsStore
 * contract (AbstractSecretsStore supplies NotSupportedError for the optional capabilities), and a
 * default export made with defineStore. It proves itself with @coffer/conformance.
 */
import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from "node:crypto";
import { constants as fsConstants } from "node:fs";
import { access, link, mkdir, readFile, rename, stat, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import {
  AbstractSecretsStore,
  assertSecretId,
  BackendUnavailableError,
  defineStore,
  type HealthReport,
  IntegrityError,
  InvalidConfigError,
  probeHealth,
  SecretExistsError,
  type SecretId,
  SecretNotFoundError,
  type SecretValues,
  type StoreCapabilities,
  type UpdateOptions,
  z,
} from "@coffer/core";

export const encryptedDirectoryOptions = z
  .object({
    /** Where the encrypted files live; created with mode 0700 if missing. */
    directory: z.string().min(1),
    /** The AES-256 key, base64 (32 bytes). Generate one with `openssl rand -base64 32`. */
    key: z.string().min(1),
    maxValueBytes: z.number().int().min(1024).default(1_048_576),
  })
  .strict();

type Options = z.output<typeof encryptedDirectoryOptions>;

/** What one file holds: the AES-GCM parts, base64. The secret id is bound in as associated data. */
interface Envelope {
  v: 1;
  iv: string;
  tag: string;
  data: string;
}

export class EncryptedDirectoryStore extends AbstractSecretsStore {
  readonly type = "encrypted-dir";
  readonly #options: Options;
  #key: Buffer | undefined;

  constructor(options: Options) {
    super();
    this.#options = options;
  }

  capabilities(): StoreCapabilities {
    return {
      access: "read-write",
      maxValueBytes: this.#options.maxValueBytes,
      batchGetMax: 1,
      versions: false,
      cas: false,
      softDelete: false,
    };
  }

  async init(): Promise<void> {
    const key = Buffer.from(this.#options.key, "base64");
    if (key.length !== 32) {
      throw new InvalidConfigError(`The encrypted-dir store's key is ${key.length} bytes; it must be 32.`, {
        hint: "Set COFFER_STORE_KEY to 32 random bytes in base64, e.g. from `openssl rand -base64 32`.",
      });
    }
    this.#key = key;
    try {
      await mkdir(this.#options.directory, { recursive: true, mode: 0o700 });
      await access(this.#options.directory, fsConstants.R_OK | fsConstants.W_OK);
    } catch (error) {
      throw unavailable(this.#options.directory, error);
    }
  }

  async create(id: SecretId, values: SecretValues): Promise<void> {
    this.assertWithinLimit(id, values);
    const temporary = await this.#writeTemporary(id, values);
    try {
      // link() fails when the target exists, which makes create-only atomic.
      await link(temporary, this.#file(id));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") {
        throw new SecretExistsError(`The directory already holds secret ${id}.`, { details: { id } });
      }
      throw unavailable(this.#options.directory, error);
    } finally {
      await unlink(temporary).catch(() => undefined);
    }
  }

  async get(id: SecretId): Promise<SecretValues> {
    assertSecretId(id);
    let text: string;
    try {
      text = await readFile(this.#file(id), "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") throw notFound(id);
      throw unavailable(this.#options.directory, error);
    }
    return this.#decrypt(id, text);
  }

  async update(id: SecretId, values: SecretValues, options?: UpdateOptions): Promise<void> {
    this.assertCasSupported(options);
    this.assertWithinLimit(id, values);
    await this.get(id); // must exist (and decrypt) before it is replaced
    const temporary = await this.#writeTemporary(id, values);
    await rename(temporary, this.#file(id)); // atomic replace: readers see old or new, never half
  }

  async delete(id: SecretId): Promise<void> {
    assertSecretId(id);
    try {
      await unlink(this.#file(id));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") throw notFound(id);
      throw unavailable(this.#options.directory, error);
    }
  }

  async health(): Promise<HealthReport> {
    return probeHealth(async () => {
      try {
        if (!(await stat(this.#options.directory)).isDirectory()) throw new Error("not a directory");
        await access(this.#options.directory, fsConstants.R_OK | fsConstants.W_OK);
      } catch (error) {
        throw unavailable(this.#options.directory, error);
      }
      return this.#options.directory;
    }, `The secrets directory ${this.#options.directory} could not be checked.`);
  }

  async close(): Promise<void> {
    this.#key = undefined;
  }

  #file(id: SecretId): string {
    assertSecretId(id); // ids are UUIDs, so they are safe file names
    return path.join(this.#options.directory, `${id}.secret`);
  }

  async #writeTemporary(id: SecretId, values: SecretValues): Promise<string> {
    const temporary = path.join(this.#options.directory, `.${id}.${randomUUID()}.tmp`);
    try {
      await writeFile(temporary, JSON.stringify(this.#encrypt(id, values)), { mode: 0o600 });
    } catch (error) {
      throw unavailable(this.#options.directory, error);
    }
    return temporary;
  }

  #encrypt(id: SecretId, values: SecretValues): Envelope {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.#requireKey(), iv);
    cipher.setAAD(Buffer.from(id));
    const data = Buffer.concat([cipher.update(JSON.stringify(values), "utf8"), cipher.final()]);
    return {
      v: 1,
      iv: iv.toString("base64"),
      tag: cipher.getAuthTag().toString("base64"),
      data: data.toString("base64"),
    };
  }

  #decrypt(id: SecretId, text: string): SecretValues {
    try {
      const envelope = JSON.parse(text) as Envelope;
      const decipher = createDecipheriv(
        "aes-256-gcm",
        this.#requireKey(),
        Buffer.from(envelope.iv, "base64"),
      );
      decipher.setAAD(Buffer.from(id));
      decipher.setAuthTag(Buffer.from(envelope.tag, "base64"));
      const plain = Buffer.concat([decipher.update(Buffer.from(envelope.data, "base64")), decipher.final()]);
      return JSON.parse(plain.toString("utf8")) as SecretValues;
    } catch {
      throw new IntegrityError(
        `Secret ${id} cannot be decrypted: the key is wrong or the file was altered.`,
        {
          hint: "Check COFFER_STORE_KEY; a file copied from another secret or another key never decrypts.",
          details: { id },
        },
      );
    }
  }

  #requireKey(): Buffer {
    if (!this.#key)
      throw new BackendUnavailableError("The encrypted-dir store is not initialised or is closed.");
    return this.#key;
  }
}

function notFound(id: SecretId): SecretNotFoundError {
  return new SecretNotFoundError(`The directory holds no secret ${id}.`, { details: { id } });
}

function unavailable(directory: string, error: unknown): BackendUnavailableError {
  const code = (error as NodeJS.ErrnoException).code ?? "error";
  return new BackendUnavailableError(`The secrets directory ${directory} cannot be used (${code}).`, {
    hint: "Check that the directory exists (or can be created) and that Coffer may read and write it.",
    details: { directory, reason: code },
    cause: error,
  });
}

export default defineStore({
  type: "encrypted-dir",
  description: "Each secret an AES-256-GCM encrypted file in a local directory (example plugin).",
  optionsSchema: encryptedDirectoryOptions,
  sensitiveOptions: ["key"],
  create: (options) => new EncryptedDirectoryStore(options),
});
