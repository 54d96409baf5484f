/**
 * The file `coffer secret import` reads: many secrets at once, as a JSON object or YAML mapping of
 * secret name → mapping of key → text (the rules of `--values`, values-input.ts, apply to each
 * secret's mapping), or one secret from a dotenv file (dotenv.ts, its variables the keys). The
 * whole file is read and checked here, before the command writes anything; errors name the file,
 * the secret, the key, the line — never a value.
 */
import { ValidationError, validateSecretName, validateSecretValues } from "@coffer/core";
import { isAlias, isMap, isScalar, parseDocument } from "yaml";
import { parseDotenv } from "./dotenv.js";
import {
  checkJsonValues,
  describeYamlError,
  mappingPairs,
  parseJson,
  readInputFile,
  where,
} from "./values-input.js";

export type ImportFormat = "dotenv" | "json" | "yaml";

export interface SecretToImport {
  name: string;
  values: Record<string, string>;
}

/** Reads and checks `file`; `name` is the one secret's name for a dotenv file. */
export function readSecretsFile(file: string, format: ImportFormat, name?: string): SecretToImport[] {
  const text = readInputFile(file);
  if (format === "dotenv") {
    const variables = parseDotenv(text, file, { consequence: "nothing was written", refuseRepeats: true });
    return withKeys([{ name: validateSecretName(name), values: validateSecretValues([...variables]) }], file);
  }
  return withKeys(parseSecretsDocument(text, file, format), file);
}

/** A secret without keys is a mistake in the file (as `secret create` with no keys is). */
function withKeys(secrets: SecretToImport[], file: string): SecretToImport[] {
  for (const secret of secrets) {
    if (Object.keys(secret.values).length === 0) {
      throw new ValidationError(`The secret '${secret.name}' in ${file} has no keys; nothing was written.`, {
        hint: "Give it at least one key, or leave it out.",
        details: { field: "file", file, name: secret.name },
      });
    }
  }
  return secrets;
}

export function parseSecretsDocument(text: string, file: string, format: "json" | "yaml"): SecretToImport[] {
  if (format === "json") {
    const parsed = parseJson(text, file);
    if (!isObject(parsed)) throw notAMapping(file);
    for (const [name, values] of Object.entries(parsed)) {
      if (!isObject(values)) throw notSecretValues(name, file);
      checkJsonValues(values, secretIn(name, file));
    }
  }
  // JSON is read again as YAML (a superset) for what JSON.parse hides: a name or key given twice.
  const document = parseDocument(text, {
    schema: "failsafe",
    resolveKnownTags: false,
    prettyErrors: false,
    uniqueKeys: false,
  });
  const first = document.errors[0];
  if (first) {
    throw new ValidationError(
      `${file} is malformed ${format === "json" ? "JSON" : "YAML"}${where(text, first.pos[0])}: ${describeYamlError(first.code)}.`,
      { hint: IMPORT_HINT, details: { field: "file", file } },
    );
  }
  const contents = document.contents;
  if (contents === null || (isScalar(contents) && contents.value === "")) return [];
  if (!isMap(contents)) throw notAMapping(file);
  const secrets: SecretToImport[] = [];
  const seen = new Set<string>();
  for (const item of contents.items) {
    if (!isScalar(item.key) || (item.key.tag !== undefined && item.key.tag !== "tag:yaml.org,2002:str")) {
      throw new ValidationError(`${file} has a secret name that is not plain text.`, {
        hint: IMPORT_HINT,
        details: { field: "file", file },
      });
    }
    const name = validateSecretName(String(item.key.value));
    if (seen.has(name)) {
      throw new ValidationError(`The secret '${name}' is given twice in ${file}.`, {
        hint: "Give each secret once, with all its keys.",
        details: { field: "file", file, name },
      });
    }
    seen.add(name);
    const value = isAlias(item.value) ? item.value.resolve(document) : item.value;
    if (!isMap(value)) throw notSecretValues(name, file);
    const pairs = mappingPairs(value, document, secretIn(name, file));
    secrets.push({ name, values: validateSecretValues(pairs) });
  }
  return secrets;
}

const IMPORT_HINT =
  'Write a mapping of secret names to mappings of keys to text, e.g. {"db": {"username": "app"}}.';

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function secretIn(name: string, file: string): string {
  return `secret '${name}' of ${file}`;
}

function notAMapping(file: string): ValidationError {
  return new ValidationError(`${file} is not a mapping of secret names to their keys and values.`, {
    hint: IMPORT_HINT,
    details: { field: "file", file },
  });
}

function notSecretValues(name: string, file: string): ValidationError {
  return new ValidationError(`The secret '${name}' in ${file} is not a mapping of keys to text values.`, {
    hint: `Write its keys under it, e.g. ${JSON.stringify(name)}: {"username": "app"}.`,
    details: { field: "file", file, name },
  });
}
