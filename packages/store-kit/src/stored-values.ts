/**
 * Stored-value decoding: what a store read back must be a JSON map of strings; anything else was
 * written by something other than Coffer and is an IntegrityError (whose message holds no value).
 */
import { IntegrityError, type SecretId, type SecretValues } from "@coffer/core";

/** True for a plain object whose every value is a string. */
export function isValuesMap(value: unknown): value is SecretValues {
  return (
    value !== null &&
    typeof value === "object" &&
    !Array.isArray(value) &&
    Object.values(value).every((entry) => typeof entry === "string")
  );
}

/**
 * The values a backend holds for `id`: `stored` is JSON text (or an already parsed value).
 * `where` names the backend in the message, e.g. "Secrets Manager".
 */
export function decodeStoredValues(id: SecretId, stored: unknown, where: string): SecretValues {
  let parsed: unknown = stored;
  if (typeof stored === "string") {
    try {
      parsed = JSON.parse(stored);
    } catch {
      parsed = undefined;
    }
  }
  if (!isValuesMap(parsed)) {
    throw new IntegrityError(`Secret ${id} in ${where} does not hold a JSON map of string values.`, {
      hint: "Something other than Coffer wrote this secret's value; restore it from a backup or write it again with Coffer.",
      details: { id },
    });
  }
  return { ...parsed };
}
