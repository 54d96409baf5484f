/**
 * The secret model: what a secret id, name, key and value may be, and how big a secret is.
 * These rules are the same on every backend; backends never see names, only ids.
 */
import { randomUUID } from "node:crypto";
import { ValidationError } from "./errors.js";

/** A secret's id: a lowercase UUID. Backends derive their own object names from it. */
export type SecretId = string;

/** A secret's values: a flat map of string keys to string values. */
export type SecretValues = Record<string, string>;

export const MAX_NAME_LENGTH = 255;
export const MAX_KEY_LENGTH = 255;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// \p{Cc} = C0 controls, DEL and C1 controls: invisible, and break terminals, logs and file formats.
const CONTROL = /\p{Cc}/u;

export function newSecretId(): SecretId {
  return randomUUID();
}

export function isSecretId(value: unknown): value is SecretId {
  return typeof value === "string" && UUID.test(value);
}

export function assertSecretId(value: unknown): asserts value is SecretId {
  if (!isSecretId(value)) {
    throw new ValidationError(`'${String(value).slice(0, 80)}' is not a secret id.`, {
      hint: "Secret ids are lowercase UUIDs such as 0b7e5a36-58f4-4c44-9d8e-6f2b8d0c1a2b.",
      details: { field: "id" },
    });
  }
}

function describeControl(text: string): string {
  const match = CONTROL.exec(text);
  const code = match ? match[0].codePointAt(0)! : 0;
  return `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
}

/**
 * Throws a ValidationError unless `name` is a valid secret name (1–255 characters, no controls),
 * and returns it in Unicode normalization form C. Names are compared as stored, code point by
 * code point, so "café" typed as é (NFC) and as e + combining accent (NFD) would otherwise be two
 * secrets that look the same: every name is normalised to NFC on the way in (creates, lookups,
 * filters, references), so either form finds the same secret.
 */
export function validateSecretName(name: unknown, field = "name"): string {
  if (typeof name !== "string") {
    throw new ValidationError(`The secret ${field} must be a string.`, {
      hint: "Give the secret a name such as 'db' or 'payments/stripe'.",
      details: { field },
    });
  }
  const length = [...name].length;
  if (length === 0) {
    throw new ValidationError(`The secret ${field} is empty.`, {
      hint: "Give the secret a name of 1 to 255 characters.",
      details: { field },
    });
  }
  if (length > MAX_NAME_LENGTH) {
    throw new ValidationError(
      `The secret ${field} is ${length} characters long; the limit is ${MAX_NAME_LENGTH}.`,
      {
        hint: "Choose a shorter name.",
        details: { field, length, max: MAX_NAME_LENGTH },
      },
    );
  }
  if (!name.isWellFormed()) {
    throw new ValidationError(`The secret ${field} is not well-formed Unicode (it holds a lone surrogate).`, {
      hint: "Names are text; use letters, digits and punctuation.",
      details: { field },
    });
  }
  if (CONTROL.test(name)) {
    throw new ValidationError(
      `The secret ${field} contains the control character ${describeControl(name)}.`,
      {
        hint: "Names may not contain tabs, newlines or other control characters.",
        details: { field },
      },
    );
  }
  if (name.trim() !== name) {
    throw new ValidationError(`The secret ${field} '${name}' starts or ends with whitespace.`, {
      hint: "Remove the leading and trailing spaces.",
      details: { field },
    });
  }
  return name.normalize("NFC");
}

/**
 * Throws a ValidationError unless `text` can reach a database query as it is: a string that is
 * well-formed Unicode (no lone surrogate, which a driver would silently turn into U+FFFD) and
 * holds no NUL (PostgreSQL text cannot hold one, so the query would fail there but not on SQLite
 * or MySQL). Used for every filter, owner and identifier a client sends.
 */
export function validateQueryText(text: unknown, field: string): string {
  if (typeof text !== "string") {
    throw new ValidationError(`'${field}' must be a string.`, { details: { field } });
  }
  if (!text.isWellFormed()) {
    throw new ValidationError(`'${field}' is not well-formed Unicode (it holds a lone surrogate).`, {
      hint: "Send text encoded as UTF-8.",
      details: { field },
    });
  }
  if (text.includes("\u0000")) {
    throw new ValidationError(`'${field}' contains a NUL character (U+0000).`, {
      hint: "Remove the NUL character; no name, key, owner or identifier can contain one.",
      details: { field },
    });
  }
  return text;
}

/** Throws a ValidationError unless `key` is a valid key (1–255 characters, no controls). */
export function validateKey(key: string): string {
  if (key.length === 0) {
    throw new ValidationError("A secret key is empty.", {
      hint: "Every key needs a name, such as 'password'.",
      details: { field: "values" },
    });
  }
  if ([...key].length > MAX_KEY_LENGTH) {
    throw new ValidationError(`The key '${key.slice(0, 40)}…' is longer than ${MAX_KEY_LENGTH} characters.`, {
      hint: "Choose a shorter key.",
      details: { field: "values", max: MAX_KEY_LENGTH },
    });
  }
  if (!key.isWellFormed()) {
    throw new ValidationError("A key is not well-formed Unicode (it holds a lone surrogate).", {
      hint: "Keys are text; use letters, digits and punctuation.",
      details: { field: "values" },
    });
  }
  if (CONTROL.test(key)) {
    throw new ValidationError(
      `The key ${JSON.stringify(key)} contains the control character ${describeControl(key)}.`,
      {
        hint: "Keys may not contain tabs, newlines or other control characters.",
        details: { field: "values", key },
      },
    );
  }
  return key;
}

/**
 * Checks a whole set of values: keys valid and unique, every value a string. Accepts either an
 * object or a list of [key, value] pairs (what a CLI or a parser produces, where a key can repeat).
 * Returns a fresh plain object; the input is never kept.
 */
export function validateSecretValues(input: unknown): SecretValues {
  const entries = toEntries(input);
  const values: SecretValues = recordOfNames();
  for (const [key, value] of entries) {
    validateKey(key);
    if (Object.hasOwn(values, key)) {
      throw new ValidationError(`The key '${key}' is given twice.`, {
        hint: "Give each key once.",
        details: { field: "values", key },
      });
    }
    if (typeof value !== "string") {
      throw new ValidationError(`The value of key '${key}' is ${describeType(value)}, not a string.`, {
        hint: nonStringValueHint(value),
        details: { field: "values", key },
      });
    }
    if (!value.isWellFormed()) {
      throw new ValidationError(
        `The value of key '${key}' is not well-formed Unicode (it holds a lone surrogate).`,
        {
          hint: "Store binary data as base64 text.",
          details: { field: "values", key },
        },
      );
    }
    values[key] = value;
  }
  return { ...values };
}

function toEntries(input: unknown): Array<[string, unknown]> {
  if (Array.isArray(input)) {
    return input.map((pair, index) => {
      if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== "string") {
        throw new ValidationError(`Entry ${index} of the values is not a [key, value] pair.`, {
          details: { field: "values" },
        });
      }
      return [pair[0], pair[1]] as [string, unknown];
    });
  }
  if (input === null || typeof input !== "object") {
    throw new ValidationError(
      `The secret values are ${describeType(input)}, not an object of key/value pairs.`,
      {
        hint: 'Pass values as an object such as {"username": "app", "password": "…"}.',
        details: { field: "values" },
      },
    );
  }
  return Object.entries(input);
}

/**
 * Values are strings everywhere (CLI, client, server): a JSON number, boolean or null is refused,
 * never converted, with a hint to quote it — so `{"port": 5432}` never silently becomes "5432" on
 * one front end and an error on another.
 */
export function nonStringValueHint(value: unknown): string {
  // The value itself is never echoed: the client meant it as a secret.
  if (typeof value === "number") return 'Values are strings: quote the number, e.g. "8080" rather than 8080.';
  if (typeof value === "boolean") return 'Values are strings: quote it, e.g. "true" rather than true.';
  if (value === null) return 'Values are strings: quote it ("null"), or leave the key out.';
  return "Values are strings: encode objects and arrays as text (for example JSON) and quote them.";
}

function describeType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}

/**
 * The size of a secret as every backend counts it: the UTF-8 bytes of its JSON encoding, which
 * is what the cloud stores hold. Declared limits (`maxValueBytes`) are in these units.
 */
export function serializedSize(values: SecretValues): number {
  return Buffer.byteLength(JSON.stringify(values), "utf8");
}

/** Values with every value replaced, for display and logs. Keys stay visible; values never do. */
/**
 * An empty record for names someone else chose (secret keys, variable names): it has no
 * prototype, so `__proto__` or `constructor` is stored and found like any other name instead of
 * setting the prototype or finding Object's function.
 */
export function recordOfNames<T = string>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

export function redactValues(values: SecretValues): Record<string, string> {
  return Object.fromEntries(Object.keys(values).map((key) => [key, REDACTED]));
}

export const REDACTED = "[redacted]";
