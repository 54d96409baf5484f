/**
 * What an update asks for, checked before anything is read or written: `normalizeUpdate` turns the
 * caller's input into a `NormalizedUpdate` (or a ValidationError naming the field), `targetMetadata`
 * says what the row becomes, and `applyChange` computes the new values from the current ones.
 *
 * Prototype safety: keys such as `__proto__` or `constructor` are ordinary keys here. Values are
 * collected in null-prototype maps and combined with spreads (which define own properties), never
 * assigned one by one, which would call the prototype setter instead.
 */
import {
  recordOfNames,
  type SecretValues,
  type UpdateSecretInput,
  ValidationError,
  validateSecretName,
  validateSecretValues,
} from "@coffer/core";
import { onlyOwnerSetsVisibility } from "./errors.js";
import { parseBoolean } from "./input-checks.js";
import { scopeFor } from "./metadata.js";
import type { SecretRow } from "./schema.js";

export interface NormalizedUpdate {
  mode: "merge" | "replace";
  set: SecretValues;
  removeKeys: string[];
  name?: string;
  private?: boolean;
  touchesValues: boolean;
}

/** The metadata columns an update may change. */
export interface TargetMetadata {
  name: string;
  private: number;
  scope: string;
}

export function normalizeUpdate(input: UpdateSecretInput): NormalizedUpdate {
  if (input === null || typeof input !== "object") {
    throw new ValidationError("The update must be an object.", { details: { field: "update" } });
  }
  const mode = input.mode ?? "merge";
  if (mode !== "merge" && mode !== "replace") {
    throw new ValidationError(`The update mode '${String(mode)}' is not known.`, {
      hint: "Use 'merge' (the default) or 'replace'.",
      details: { field: "mode" },
    });
  }
  const removeKeys = [...(input.removeKeys ?? [])];
  if (!Array.isArray(input.removeKeys ?? []) || removeKeys.some((key) => typeof key !== "string")) {
    throw new ValidationError("removeKeys must be a list of key names.", {
      details: { field: "removeKeys" },
    });
  }
  const set = recordOfNames();
  if (input.values !== undefined) {
    if (input.values === null || typeof input.values !== "object" || Array.isArray(input.values)) {
      throw new ValidationError("The update's values must be an object of key/value pairs.", {
        details: { field: "values" },
      });
    }
    for (const [key, value] of Object.entries(input.values)) {
      if (value === null) {
        if (mode === "replace") {
          throw new ValidationError(`Key '${key}' is null in a replacing update.`, {
            hint: "In replace mode leave the key out instead; null removes a key only when merging.",
            details: { field: "values", key },
          });
        }
        removeKeys.push(key);
      } else {
        set[key] = value;
      }
    }
  }
  const clash = removeKeys.find((key) => Object.hasOwn(set, key));
  if (clash !== undefined) {
    throw new ValidationError(`Key '${clash}' is both set and removed.`, {
      hint: "Either give it a value or remove it.",
      details: { field: "values", key: clash },
    });
  }
  const normalized: NormalizedUpdate = {
    mode,
    set: validateSecretValues(set),
    removeKeys,
    touchesValues: input.values !== undefined || removeKeys.length > 0,
  };
  if (input.name !== undefined) normalized.name = validateSecretName(input.name);
  const isPrivate = parseBoolean(input.private, "private");
  if (isPrivate !== undefined) normalized.private = isPrivate;
  if (!normalized.touchesValues && normalized.name === undefined && normalized.private === undefined) {
    throw new ValidationError("The update changes nothing.", {
      hint: "Give new values, keys to remove, a new name or a new visibility.",
      details: { field: "update" },
    });
  }
  return normalized;
}

/**
 * The name and visibility the row takes. Only the owner may change visibility; a merge may only
 * remove keys the secret has (checked here against the metadata, before the store is read).
 */
export function targetMetadata(actorId: string, row: SecretRow, change: NormalizedUpdate): TargetMetadata {
  const isPrivate = change.private ?? Number(row.private) === 1;
  if (change.private !== undefined && isPrivate !== (Number(row.private) === 1) && row.owner !== actorId) {
    throw onlyOwnerSetsVisibility(row);
  }
  if (change.removeKeys.length > 0) {
    const keys = JSON.parse(row.keys) as string[];
    const missing = change.removeKeys.filter((key) => !keys.includes(key));
    if (missing.length > 0 && change.mode === "merge") throw noKeyToRemove(row.name, missing[0]!, keys);
  }
  return {
    name: change.name ?? row.name,
    private: isPrivate ? 1 : 0,
    scope: scopeFor(isPrivate, row.owner),
  };
}

export function applyChange(current: SecretValues, change: NormalizedUpdate, name: string): SecretValues {
  if (change.mode === "replace") return { ...change.set };
  // Spreads define own properties, so "__proto__" or "constructor" stay ordinary keys; assigning
  // them one by one (or Object.assign) would call the prototype setter instead.
  const next: SecretValues = Object.assign(recordOfNames(), current);
  for (const key of change.removeKeys) {
    if (!Object.hasOwn(next, key)) throw noKeyToRemove(name, key, Object.keys(current));
    delete next[key];
  }
  return { ...next, ...change.set };
}

function noKeyToRemove(name: string, key: string, keys: string[]): ValidationError {
  return new ValidationError(`The secret '${name}' has no key '${key}' to remove.`, {
    hint: `Its keys are: ${keys.join(", ") || "(none)"}.`,
    details: { field: "removeKeys", key },
  });
}
