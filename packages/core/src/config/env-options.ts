/**
 * Gathering a store's (or a section's) options from the YAML file and the environment, the
 * environment winning option by option: `COFFER_STORE_NAME_PREFIX` is option `namePrefix`, and
 * environment text is coerced to what the option's schema expects (number, boolean, JSON).
 * Unknown options are refused here, with a suggestion; the schema checks the values afterwards
 * (problems.ts).
 */
import type { z } from "zod";
import { InvalidConfigError } from "../errors.js";
import { readFileReference, readOptionFile } from "./file-values.js";
import type { Env } from "./settings.js";
import { suggest } from "./text.js";
import { baseKind, objectShape } from "./zod-shape.js";

export interface OptionSource {
  schema: z.ZodType;
  env: Env;
  prefix: string;
  /** Variable suffixes that are not options (`TYPE`, `MODULE`). */
  reserved: string[];
  fileSection: unknown;
  fileKey: string;
  fileLabel: string;
  /** What the options belong to, for messages: "the 'aws' store". */
  what: string;
  sensitive: readonly string[];
  /** Options whose value is the path of a file to read (the registration's `fileOptions`). */
  files?: readonly string[];
  /** Where a relative path in a variable starts from. */
  cwd?: string;
  /** Where a relative path in the YAML file starts from: the file's directory. */
  fileDir?: string;
}

export interface RawOptions {
  values: Record<string, unknown>;
  /** Where each option came from, for messages: `COFFER_STORE_REGION` or `store.region in x.yaml`. */
  sources: Record<string, string>;
  /** The absolute path each file-valued option was read from. */
  files: Record<string, string>;
  prefix: string;
  fileKey: string;
  fileLabel: string;
  sensitive: readonly string[];
}

/** `namePrefix` → `NAME_PREFIX`. */
export function optionToEnvSuffix(option: string): string {
  return option.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();
}

export function gatherOptions(source: OptionSource): RawOptions {
  const shape = objectShape(source.schema);
  const known = shape ? Object.keys(shape) : undefined;
  const fileValued = source.files ?? [];
  const raw: RawOptions = {
    values: {},
    sources: {},
    files: {},
    prefix: source.prefix,
    fileKey: source.fileKey,
    fileLabel: source.fileLabel,
    sensitive: source.sensitive,
  };

  if (source.fileSection !== undefined && source.fileSection !== null) {
    if (typeof source.fileSection !== "object" || Array.isArray(source.fileSection)) {
      throw new InvalidConfigError(`'${source.fileKey}' in ${source.fileLabel} must be a mapping.`, {
        hint: `Write the settings of ${source.what} as 'option: value' lines under '${source.fileKey}:'.`,
      });
    }
    for (const [key, value] of Object.entries(source.fileSection)) {
      const label = `${source.fileKey}.${key} in ${source.fileLabel}`;
      if (known && !known.includes(key)) {
        throw new InvalidConfigError(`${label} is not an option of ${source.what}.`, {
          hint: `Remove it, or use one of: ${known.join(", ")}.${suggest(key, known)}`,
          details: { setting: `${source.fileKey}.${key}` },
        });
      }
      if (fileValued.includes(key)) {
        const { text, file } = readOptionFile(value, {
          label,
          details: { setting: `${source.fileKey}.${key}` },
          baseDir: source.fileDir ?? source.cwd ?? process.cwd(),
        });
        raw.values[key] = fromText(shape?.[key], text, label, source.sensitive.includes(key));
        raw.files[key] = file;
      } else {
        raw.values[key] = source.sensitive.includes(key) ? readFileReference(value, label) : value;
      }
      raw.sources[key] = label;
    }
  }

  for (const [variable, value] of Object.entries(source.env)) {
    // An empty variable counts as unset (compose files and shells pass empty values around).
    if (!variable.startsWith(source.prefix) || value === undefined || value === "") continue;
    const suffix = variable.slice(source.prefix.length);
    if (source.reserved.includes(suffix)) continue;
    const option = known?.find((key) => optionToEnvSuffix(key) === suffix);
    if (!option) {
      const knownVars = (known ?? []).map((key) => source.prefix + optionToEnvSuffix(key));
      throw new InvalidConfigError(`${variable} is not an option of ${source.what}.`, {
        hint: knownVars.length
          ? `Unset it, or use one of: ${knownVars.join(", ")}.${suggest(variable, knownVars)}`
          : `Unset it: ${source.what} takes no options.`,
        details: { variable },
      });
    }
    const sensitive = source.sensitive.includes(option);
    let text: string;
    if (fileValued.includes(option)) {
      const read = readOptionFile(value, {
        label: variable,
        details: { variable },
        baseDir: source.cwd ?? process.cwd(),
      });
      text = read.text;
      raw.files[option] = read.file;
    } else {
      text = sensitive ? (readFileReference(value, variable) as string) : value;
    }
    raw.values[option] = fromText(shape?.[option], text, variable, sensitive);
    raw.sources[option] = variable;
  }
  return raw;
}

function fromText(field: z.ZodType | undefined, text: string, label: string, sensitive: boolean): unknown {
  return field ? coerceFromEnv(field, text, label, sensitive) : text;
}

/** Environment values are text; turn them into what the option's schema expects. */
export function coerceFromEnv(field: z.ZodType, text: string, variable: string, sensitive: boolean): unknown {
  const kind = baseKind(field);
  const shown = sensitive ? "" : ` (got '${text.slice(0, 60)}')`;
  switch (kind) {
    case "number":
    case "int":
    case "bigint": {
      const value = Number(text.trim());
      if (text.trim() === "" || Number.isNaN(value)) {
        throw new InvalidConfigError(`${variable} must be a number${shown}.`, {
          hint: `Set ${variable} to a number such as 30.`,
          details: { variable },
        });
      }
      return value;
    }
    case "boolean": {
      const normalized = text.trim().toLowerCase();
      if (["true", "1", "yes", "on"].includes(normalized)) return true;
      if (["false", "0", "no", "off"].includes(normalized)) return false;
      throw new InvalidConfigError(`${variable} must be true or false${shown}.`, {
        hint: `Set ${variable} to true or false.`,
        details: { variable },
      });
    }
    case "object":
    case "record":
    case "array":
    case "tuple":
      try {
        return JSON.parse(text);
      } catch {
        throw new InvalidConfigError(`${variable} must be JSON${shown}.`, {
          hint: `Set ${variable} to a JSON ${kind === "array" || kind === "tuple" ? 'array, e.g. ["a","b"]' : 'object, e.g. {"team":"payments"}'}.`,
          details: { variable },
        });
      }
    default:
      return text;
  }
}
