/** The encrypted-dir store's class: the SecretsStore contract over files (the format is envelope.ts). */
import { randomUUID } from "node:crypto";
import { constants as fsConstants } from "node:fs";
import { access, link, mkdir, readFile, rename, stat, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import type { HealthReport, SecretId, SecretValues, StoreCapabilities, UpdateOptions } from "@coffer/core";
import {
  AbstractSecretsStore,
  assertSecretId,
  BackendUnavailableError,
  InvalidConfigError,
  isCofferError,
  probeHealth,
} from "@coffer/core";
import { backendCapabilities, secretExists, secretNotFound } from "@coffer/store-kit";
import { open, seal } from "./envelope.js";
import type { ParsedEncryptedDirStoreOptions } from "./options.js";

const WHERE = "The directory";
const code = (error: unknown) => (error as NodeJS.ErrnoException).code;

export class EncryptedDirStore extends AbstractSecretsStore {
  readonly type = "encrypted-dir";
  #key: Buffer | undefined;

  constructor(readonly options: ParsedEncryptedDirStoreOptions) {
    super();
  }

  capabilities(): StoreCapabilities {
    return backendCapabilities({ maxValueBytes: this.options.maxValueBytes });
  }

  async init(): Promise<void> {
    const key = Buffer.from(this.options.key, "base64");
    if (key.length !== 32) {
      throw new InvalidConfigError(`The encrypted-dir store's key is ${key.length} bytes; it must be 32.`, {
        hint: "Set COFFER_STORE_KEY to 32 random bytes in base64, e.g. from `openssl rand -base64 32`.",
      });
    }
    this.#key = key;
    await this.#guard(async () => {
      await mkdir(this.options.directory, { recursive: true, mode: 0o700 });
      await access(this.options.directory, fsConstants.R_OK | fsConstants.W_OK);
    });
  }

  async create(id: SecretId, values: SecretValues): Promise<void> {
    this.assertWithinLimit(id, values);
    const temporary = await this.#writeTemporary(id, values);
    try {
      // link() fails when the target exists, which makes create-only atomic.
      await this.#guard(() => link(temporary, this.#file(id)), { EEXIST: () => secretExists(id, WHERE) });
    } finally {
      await unlink(temporary).catch(() => undefined);
    }
  }

  async get(id: SecretId): Promise<SecretValues> {
    const text = await this.#guard(() => readFile(this.#file(id), "utf8"), {
      ENOENT: () => secretNotFound(id, WHERE),
    });
    return open(this.#requireKey(), id, text);
  }

  async update(id: SecretId, values: SecretValues, options?: UpdateOptions): Promise<void> {
    this.assertCasSupported(options);
    this.assertWithinLimit(id, values);
    await this.get(id); // must exist (and decrypt) before it is replaced
    const temporary = await this.#writeTemporary(id, values);
    await rename(temporary, this.#file(id)); // atomic replace: readers see old or new, never half
  }

  async delete(id: SecretId): Promise<void> {
    await this.#guard(() => unlink(this.#file(id)), { ENOENT: () => secretNotFound(id, WHERE) });
  }

  async health(): Promise<HealthReport> {
    return probeHealth(async () => {
      await this.#guard(async () => {
        if (!(await stat(this.options.directory)).isDirectory()) throw new Error("not a directory");
        await access(this.options.directory, fsConstants.R_OK | fsConstants.W_OK);
      });
      return this.options.directory;
    }, `The secrets directory ${this.options.directory} could not be checked.`);
  }

  async close(): Promise<void> {
    this.#key = undefined;
  }

  #file(id: SecretId): string {
    assertSecretId(id); // ids are UUIDs, so they are safe file names
    return path.join(this.options.directory, `${id}.secret`);
  }

  async #writeTemporary(id: SecretId, values: SecretValues): Promise<string> {
    const temporary = path.join(this.options.directory, `.${id}.${randomUUID()}.tmp`);
    const text = seal(this.#requireKey(), id, values);
    await this.#guard(() => writeFile(temporary, text, { mode: 0o600 }));
    return temporary;
  }

  /** Runs a file-system step: the listed error codes become their errors, any other one an outage. */
  async #guard<T>(step: () => Promise<T>, expected: Record<string, () => Error> = {}): Promise<T> {
    try {
      return await step();
    } catch (error) {
      if (isCofferError(error)) throw error;
      const known = expected[code(error) ?? ""];
      if (known) throw known();
      const reason = code(error) ?? "error";
      throw new BackendUnavailableError(
        `The secrets directory ${this.options.directory} cannot be used (${reason}).`,
        {
          hint: "Check that the directory exists (or can be created) and that Coffer may read and write it.",
          details: { directory: this.options.directory, reason },
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
