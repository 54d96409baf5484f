/**
 * Prefect-style access to one secret:
 *
 *   import { Secret } from "@coffer/client";
 *   const db = await Secret("db").get();          // { username: "app", port: 5432, … }
 *   const password = await Secret("db").get("password");
 *   if (await Secret("feature-flags").exists()) …
 *
 * Like Prefect's Secret block, `get()` returns each value JSON-decoded when it parses as JSON and
 * as the stored string otherwise: "5432" comes back as the number 5432, '{"a":1}' as an object,
 * "hunter2" as "hunter2" — but only when decoding loses nothing (see decodeValue): "1.50" and
 * "12345678901234567890" stay text. Store text that must stay text and looks like JSON (a numeric PIN such as
 * "0042" does not parse, but "42" does) as JSON text ('"42"'), or read it raw with `values()`.
 *
 * Local overrides (COFFER_LOCAL_SECRET_<NAME>, the `secrets:` section of the configuration file)
 * win over the store; see local-secrets.ts.
 */
import { SecretNotFoundError, type SecretValues } from "@coffer/core";
import type { CofferClient } from "./client.js";

/** A JSON-decoded value: what `JSON.parse` gives, or the text itself when it is not JSON. */
export type DecodedValue =
  | string
  | number
  | boolean
  | null
  | DecodedValue[]
  | { [key: string]: DecodedValue };

export class SecretHandle {
  readonly name: string;
  readonly #client: CofferClient | (() => CofferClient);
  readonly #options: { private?: boolean };

  constructor(
    client: CofferClient | (() => CofferClient),
    name: string,
    options: { private?: boolean } = {},
  ) {
    this.#client = client;
    this.name = name;
    this.#options = options;
  }

  /** Every value, JSON-decoded where it parses. SecretNotFoundError when the secret does not exist. */
  get(): Promise<Record<string, DecodedValue>>;
  /** One value, JSON-decoded where it parses. SecretNotFoundError when the secret or key does not exist. */
  get(key: string): Promise<DecodedValue>;
  async get(key?: string): Promise<Record<string, DecodedValue> | DecodedValue> {
    const values = await this.values();
    if (key === undefined) {
      return Object.fromEntries(Object.entries(values).map(([k, value]) => [k, decodeValue(value)]));
    }
    if (!Object.hasOwn(values, key)) {
      const keys = Object.keys(values);
      throw new SecretNotFoundError(`The secret '${this.name}' has no key '${key}'.`, {
        hint: `Its keys are: ${keys.length ? keys.join(", ") : "(none)"}.`,
        details: { name: this.name, key },
      });
    }
    return decodeValue(values[key]!);
  }

  /** The values exactly as stored (strings), local overrides applied. */
  async values(): Promise<SecretValues> {
    return (await this.#resolve().resolveValues(this.name, this.#options)).values;
  }

  /** Whether the secret exists, as a local override or in the store. */
  exists(): Promise<boolean> {
    return this.#resolve().has(this.name, this.#options);
  }

  toString(): string {
    return `Secret(${this.name})`;
  }

  #resolve(): CofferClient {
    return typeof this.#client === "function" ? this.#client() : this.#client;
  }
}

/** Whether JSON.parse hands revivers the source text of each primitive (Node 21 and later). */
const supportsSourceAccess = (() => {
  let seen = false;
  JSON.parse("1", (_key, value: unknown, context?: { source?: string }) => {
    seen = context?.source === "1";
    return value;
  });
  return seen;
})();

/**
 * Prefect's rule, made lossless: a value is returned JSON-parsed only when parsing loses nothing,
 * else as the stored text. Lossless means: no whitespace around the value, and every number in it
 * reads back as the same text (`String(n)` equals its source), so "12345678901234567890" (past
 * 2^53), "1.50", "1e3" and "-0" stay text instead of becoming 12345678901234567000, 1.5, 1000, 0.
 * Whitespace inside an object or array is layout, so pretty-printed JSON still decodes.
 */
export function decodeValue(text: string): DecodedValue {
  if (text.trim() !== text) return text;
  let exact = true;
  let parsed: DecodedValue;
  try {
    parsed = JSON.parse(text, (_key, value: unknown, context?: { source?: string }) => {
      if (typeof value === "number" && context?.source !== undefined && String(value) !== context.source) {
        exact = false;
      }
      return value;
    }) as DecodedValue;
  } catch {
    return text;
  }
  if (!exact) return text;
  // A runtime without JSON.parse source access (the reviver's context) falls back to the whole
  // text reading back exactly — the stricter form of the same rule.
  if (!supportsSourceAccess && JSON.stringify(parsed) !== text) return text;
  return parsed;
}
