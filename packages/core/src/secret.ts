/**
 * A secret as the service, client and server hand it around: metadata in the open, values behind
 * an explicit accessor. `util.inspect`, `console.log`, `JSON.stringify` and template strings show
 * keys but never values; code that wants a value asks for it (`secret.values`, `secret.get(key)`).
 */
import { inspect } from "node:util";
import { REDACTED, redactValues, type SecretId, type SecretValues } from "./model.js";

export interface SecretMetadata {
  id: SecretId;
  name: string;
  /** Private secrets are visible to their owner only. */
  private: boolean;
  /** The user who created the secret. */
  owner: string;
  /** Starts at 1 and goes up by one with every change (values, name or visibility). */
  version: number;
  /** The keys the secret holds (key names are not secret; values are). */
  keys: string[];
  createdAt: Date;
  updatedAt: Date;
}

/** The wire form of a secret: ISO timestamps, and values only when they were asked for. */
export interface SecretJson {
  id: SecretId;
  name: string;
  private: boolean;
  owner: string;
  version: number;
  keys: string[];
  createdAt: string;
  updatedAt: string;
  values?: Record<string, string>;
}

export class Secret implements SecretMetadata {
  readonly id: SecretId;
  readonly name: string;
  readonly private: boolean;
  readonly owner: string;
  readonly version: number;
  readonly keys: string[];
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly #values: Readonly<SecretValues>;

  constructor(metadata: SecretMetadata, values: SecretValues) {
    this.id = metadata.id;
    this.name = metadata.name;
    this.private = metadata.private;
    this.owner = metadata.owner;
    this.version = metadata.version;
    this.keys = Object.keys(values);
    this.createdAt = metadata.createdAt;
    this.updatedAt = metadata.updatedAt;
    this.#values = Object.freeze({ ...values });
  }

  /** The secret's values. Reading this is asking for them: handle the result with care. */
  get values(): SecretValues {
    return { ...this.#values };
  }

  /** One value, or undefined when the secret has no such key. */
  get(key: string): string | undefined {
    return Object.hasOwn(this.#values, key) ? this.#values[key] : undefined;
  }

  metadata(): SecretMetadata {
    return {
      id: this.id,
      name: this.name,
      private: this.private,
      owner: this.owner,
      version: this.version,
      keys: [...this.keys],
      createdAt: this.createdAt,
      updatedAt: this.updatedAt,
    };
  }

  /** JSON with values redacted. Use `toWire({ values: true })` to serialise values on purpose. */
  toJSON(): SecretJson {
    return this.toWire({ values: false });
  }

  toWire(options: { values: boolean }): SecretJson {
    return {
      ...metadataToJson(this),
      values: options.values ? { ...this.#values } : redactValues(this.#values),
    };
  }

  toString(): string {
    return `Secret(${this.name})`;
  }

  [inspect.custom](): string {
    return `Secret ${inspect({ ...this.metadata(), values: redactValues(this.#values) })}`;
  }
}

export function metadataToJson(metadata: SecretMetadata): SecretJson {
  return {
    id: metadata.id,
    name: metadata.name,
    private: metadata.private,
    owner: metadata.owner,
    version: metadata.version,
    keys: [...metadata.keys],
    createdAt: metadata.createdAt.toISOString(),
    updatedAt: metadata.updatedAt.toISOString(),
  };
}

export function metadataFromJson(json: SecretJson): SecretMetadata {
  return {
    id: json.id,
    name: json.name,
    private: json.private,
    owner: json.owner,
    version: json.version,
    keys: [...json.keys],
    createdAt: new Date(json.createdAt),
    updatedAt: new Date(json.updatedAt),
  };
}

/**
 * A sensitive setting (a token, a password, an encryption key) that must not show up in logs or
 * dumps of the configuration. `reveal()` is the only way to read it.
 */
export class Sensitive {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toJSON(): string {
    return REDACTED;
  }
  toString(): string {
    return REDACTED;
  }
  [inspect.custom](): string {
    return `Sensitive(${REDACTED})`;
  }
}

/** Accepts a plain string or a Sensitive and returns the string. */
export function reveal(value: string | Sensitive): string {
  return typeof value === "string" ? value : value.reveal();
}
