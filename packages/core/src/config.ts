/**
 * Deploy-time configuration: environment variables (`COFFER_*`) and an optional YAML file, with
 * the environment winning. Everything is checked at start; a problem is an InvalidConfigError
 * whose one-line message names the variable (or file setting) and says how to fix it.
 *
 *   COFFER_STORE_TYPE=aws                →  store.type: aws
 *   COFFER_STORE_NAME_PREFIX=coffer      →  store.namePrefix: coffer
 *   COFFER_BACKUP_STORE_TYPE=vault       →  backupStore.type: vault
 *   COFFER_DATABASE_URL=postgres://…     →  databaseUrl: postgres://…
 *
 * A store option is the camelCase form of the variable's suffix. Credentials (a store's
 * `sensitiveOptions`) may be given as `@/path/to/file`; the file's contents are used.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { z } from "zod";
import { InvalidConfigError, isCofferError } from "./errors.js";
import type { LogLevel } from "./logger.js";
import { assertRegistration, type StoreRegistration, type StoreRegistry } from "./registry.js";

export const SECRET_VALIDATION_LEVELS = ["NONE", "SECRET_EXISTS", "SECRET_AND_KEY_EXISTS"] as const;
export type SecretValidationLevel = (typeof SECRET_VALIDATION_LEVELS)[number];
const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;

export interface StoreConfig {
  /** The store type as registered (for a custom store, the type its module declares). */
  type: string;
  /** For `COFFER_STORE_TYPE=custom`: the module path or package name it was loaded from. */
  module?: string;
  /** Options after validation by the store's schema. */
  options: Record<string, unknown>;
  registration: StoreRegistration;
}

export interface CofferConfig {
  /** The YAML file that was read, if any. */
  configFile?: string;
  /** Overrides the deployment id the service keeps in the metadata database. */
  deploymentId?: string;
  dataDir: string;
  databaseUrl: string;
  secretValidationLevel: SecretValidationLevel;
  logLevel: LogLevel;
  store: StoreConfig;
  backupStore?: StoreConfig;
  /** Extra sections (e.g. `server`) validated by the schemas the caller passed in. */
  sections: Record<string, unknown>;
}

/** A section other packages add to the file and environment, e.g. `server` / `COFFER_SERVER_`. */
export interface ConfigSection {
  schema: z.ZodType;
  envPrefix: string;
  sensitiveOptions?: readonly string[];
}

export interface LoadConfigOptions {
  registry: StoreRegistry;
  env?: Record<string, string | undefined>;
  /** A YAML file to read; defaults to COFFER_CONFIG_FILE when that is set. */
  file?: string;
  cwd?: string;
  /** The store used when nothing names one: the embedded default. */
  defaultStoreType?: string;
  sections?: Record<string, ConfigSection>;
}

const TOP_LEVEL = {
  deploymentId: "COFFER_DEPLOYMENT_ID",
  dataDir: "COFFER_DATA_DIR",
  databaseUrl: "COFFER_DATABASE_URL",
  secretValidationLevel: "COFFER_SECRET_VALIDATION_LEVEL",
  logLevel: "COFFER_LOG_LEVEL",
} as const;

/** Variables other parts of Coffer read; the loader accepts them without complaint. */
const OTHER_KNOWN_VARIABLES = [
  "COFFER_CONFIG_FILE",
  "COFFER_URL",
  "COFFER_TOKEN",
  "COFFER_USER",
  "COFFER_PROFILE",
];

const STORE_PREFIX = "COFFER_STORE_";
const BACKUP_PREFIX = "COFFER_BACKUP_STORE_";

export async function loadConfig(options: LoadConfigOptions): Promise<CofferConfig> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const sections = options.sections ?? {};
  const configFile = options.file ?? env.COFFER_CONFIG_FILE;
  const file = configFile ? await readConfigFile(path.resolve(cwd, configFile), sections) : undefined;
  const fileLabel = configFile ? path.basename(configFile) : "";

  checkForMistypedVariables(env, sections);

  const top = (key: keyof typeof TOP_LEVEL): { value: string; source: string } | undefined => {
    const fromEnv = env[TOP_LEVEL[key]];
    if (fromEnv !== undefined && fromEnv !== "") return { value: fromEnv, source: TOP_LEVEL[key] };
    const fromFile = file?.[key];
    if (fromFile === undefined) return undefined;
    if (typeof fromFile !== "string") {
      throw new InvalidConfigError(`Setting '${key}' in ${fileLabel} must be a string.`, {
        hint: `Write it as ${key}: "…", or set ${TOP_LEVEL[key]} instead.`,
        details: { setting: key },
      });
    }
    return { value: fromFile, source: `${key} in ${fileLabel}` };
  };

  const dataDir = path.resolve(cwd, top("dataDir")?.value ?? defaultDataDir(env));
  const databaseUrl = top("databaseUrl")?.value ?? `sqlite://${path.join(dataDir, "coffer.db")}`;
  const level = top("secretValidationLevel");
  const secretValidationLevel = oneOf(level, SECRET_VALIDATION_LEVELS, "SECRET_AND_KEY_EXISTS");
  const logLevel = oneOf(top("logLevel"), LOG_LEVELS, "info");

  const store = await loadStoreConfig({
    prefix: STORE_PREFIX,
    fileKey: "store",
    env,
    fileSection: file?.store,
    fileLabel,
    registry: options.registry,
    cwd: configFile ? path.dirname(path.resolve(cwd, configFile)) : cwd,
    defaultType: options.defaultStoreType ?? "sql",
  });
  const hasBackup = Boolean(env[`${BACKUP_PREFIX}TYPE`] || file?.backupStore);
  const strayBackupVariable = Object.keys(env).find((name) => name.startsWith(BACKUP_PREFIX) && env[name]);
  if (!hasBackup && strayBackupVariable) {
    throw new InvalidConfigError(
      `${BACKUP_PREFIX}TYPE is missing, but ${strayBackupVariable} configures a backup store.`,
      {
        hint: `Set ${BACKUP_PREFIX}TYPE, or unset the ${BACKUP_PREFIX}* variables.`,
        details: { variable: `${BACKUP_PREFIX}TYPE` },
      },
    );
  }
  const backupStore = hasBackup
    ? await loadStoreConfig({
        prefix: BACKUP_PREFIX,
        fileKey: "backupStore",
        env,
        fileSection: file?.backupStore,
        fileLabel,
        registry: options.registry,
        cwd: configFile ? path.dirname(path.resolve(cwd, configFile)) : cwd,
        defaultType: undefined,
      })
    : undefined;

  const loadedSections: Record<string, unknown> = {};
  for (const [name, section] of Object.entries(sections)) {
    const raw = gatherOptions({
      schema: section.schema,
      env,
      prefix: section.envPrefix,
      reserved: [],
      fileSection: file?.[name],
      fileKey: name,
      fileLabel,
      what: `the ${name} settings`,
      sensitive: section.sensitiveOptions ?? [],
    });
    loadedSections[name] = validateOptions(section.schema, raw, `the ${name} settings`);
  }

  const config: CofferConfig = {
    dataDir,
    databaseUrl,
    secretValidationLevel,
    logLevel,
    store,
    sections: loadedSections,
  };
  const deploymentId = top("deploymentId")?.value;
  if (deploymentId !== undefined) config.deploymentId = deploymentId;
  if (configFile) config.configFile = path.resolve(cwd, configFile);
  if (backupStore) config.backupStore = backupStore;
  return config;
}

/** The per-user data directory (XDG on Linux, Application Support on macOS, LOCALAPPDATA on Windows). */
export function defaultDataDir(env: Record<string, string | undefined> = process.env): string {
  if (process.platform === "darwin") return path.join(homedir(), "Library", "Application Support", "coffer");
  if (process.platform === "win32") {
    return path.join(env.LOCALAPPDATA ?? path.join(homedir(), "AppData", "Local"), "coffer");
  }
  return path.join(env.XDG_DATA_HOME || path.join(homedir(), ".local", "share"), "coffer");
}

/** `namePrefix` → `NAME_PREFIX`. */
export function optionToEnvSuffix(option: string): string {
  return option.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();
}

/** A printable copy of a store's options with credentials hidden. */
export function describeStoreOptions(store: StoreConfig): Record<string, unknown> {
  const sensitive = new Set(store.registration.sensitiveOptions ?? []);
  return Object.fromEntries(
    Object.entries(store.options).map(([key, value]) => [
      key,
      sensitive.has(key) && value !== undefined ? "[redacted]" : value,
    ]),
  );
}

// --- the YAML file ------------------------------------------------------------------------------

type FileConfig = Record<string, unknown>;

async function readConfigFile(file: string, sections: Record<string, ConfigSection>): Promise<FileConfig> {
  const label = path.basename(file);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new InvalidConfigError(
      `The configuration file ${file} cannot be read (${(error as NodeJS.ErrnoException).code}).`,
      {
        hint: "Check the path in COFFER_CONFIG_FILE (or --config), or unset it to use environment variables only.",
        details: { file },
      },
    );
  }
  // Loaded only when there is a file to read: most starts have none, and the parser is large.
  const { parseDocument } = await import("yaml");
  const document = parseDocument(text, { prettyErrors: true });
  const first = document.errors[0];
  if (first) {
    const where = first.linePos?.[0] ? ` at line ${first.linePos[0].line}` : "";
    const problem = sentence(first.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, ""));
    throw new InvalidConfigError(`The configuration file ${label} is not valid YAML${where}: ${problem}`, {
      hint: "Fix the YAML syntax (indentation, quoting) and start again.",
      details: { file },
    });
  }
  const content: unknown = document.toJS() ?? {};
  if (content === null || typeof content !== "object" || Array.isArray(content)) {
    throw new InvalidConfigError(`The configuration file ${label} must be a mapping of settings.`, {
      hint: "Start it with settings such as 'store:' and 'databaseUrl:'.",
      details: { file },
    });
  }
  const known = [...Object.keys(TOP_LEVEL), "store", "backupStore", ...Object.keys(sections)];
  for (const key of Object.keys(content)) {
    if (key === "stores" || key === "primaryStores") {
      throw new InvalidConfigError(
        `${label} lists several stores under '${key}'; Coffer has exactly one primary store.`,
        {
          hint: "Configure one primary store under 'store:' and, for a second copy, one under 'backupStore:'.",
          details: { file, setting: key },
        },
      );
    }
    if (!known.includes(key)) {
      throw new InvalidConfigError(`'${key}' in ${label} is not a Coffer setting.`, {
        hint: `Remove it, or use one of: ${known.join(", ")}.${suggest(key, known)}`,
        details: { file, setting: key },
      });
    }
  }
  const config = content as FileConfig;
  for (const key of ["store", "backupStore"] as const) {
    const section = config[key];
    if (section === undefined || section === null) continue;
    if (Array.isArray(section)) {
      throw new InvalidConfigError(
        `'${key}' in ${label} is a list; Coffer has exactly one ${key === "store" ? "primary store" : "backup store"}.`,
        {
          hint: `Write ${key}: as a single mapping with a 'type' and that store's options.`,
          details: { file, setting: key },
        },
      );
    }
    if (typeof section !== "object") {
      throw new InvalidConfigError(`'${key}' in ${label} must be a mapping with a 'type'.`, {
        hint: `Write it as a mapping, e.g. '${key}: { type: sql }'.`,
        details: { file, setting: key },
      });
    }
  }
  return config;
}

// --- stores ------------------------------------------------------------------------------------

interface StoreSource {
  prefix: string;
  fileKey: "store" | "backupStore";
  env: Record<string, string | undefined>;
  fileSection: unknown;
  fileLabel: string;
  registry: StoreRegistry;
  cwd: string;
  defaultType: string | undefined;
}

async function loadStoreConfig(source: StoreSource): Promise<StoreConfig> {
  const { prefix, fileKey, env, fileLabel } = source;
  const typeVar = `${prefix}TYPE`;
  const fromFile = (source.fileSection ?? undefined) as Record<string, unknown> | undefined;
  const envType = env[typeVar] || undefined;
  const fileType = typeof fromFile?.type === "string" ? fromFile.type : undefined;
  const type = envType ?? fileType ?? source.defaultType;
  if (!type) {
    throw new InvalidConfigError(`${typeVar} is missing.`, {
      hint: `Set ${typeVar} to one of: ${[...source.registry.types(), "custom"].join(", ")}.`,
      details: { variable: typeVar },
    });
  }
  // The environment wins: when it names a different type, the file's options for another store
  // would only be wrong, so they are set aside.
  const fileSection = envType && fileType && envType !== fileType ? undefined : fromFile;
  const typeSource = envType ? typeVar : `${fileKey}.type in ${fileLabel}`;

  let registration: StoreRegistration;
  let module: string | undefined;
  if (type === "custom") {
    const moduleVar = `${prefix}MODULE`;
    module = env[moduleVar] || (typeof fileSection?.module === "string" ? fileSection.module : undefined);
    if (!module) {
      throw new InvalidConfigError(
        `${moduleVar} is missing: a custom store needs the module that defines it.`,
        {
          hint: `Set ${moduleVar} to a file path (./my-store.js) or an installed package name.`,
          details: { variable: moduleVar },
        },
      );
    }
    registration = await loadCustomRegistration(module, source.cwd, moduleVar);
  } else {
    try {
      registration = await source.registry.get(type);
    } catch (error) {
      if (isCofferError(error) && error.code === "INVALID_CONFIG" && !source.registry.has(type)) {
        throw new InvalidConfigError(`${typeSource} is '${type}', which is not a store type.`, {
          hint: `Use one of: ${[...source.registry.types(), "custom"].join(", ")}.${suggest(type, source.registry.types())}`,
          details: { variable: typeVar, type },
        });
      }
      throw error;
    }
  }

  const what = `the '${registration.type}' store${prefix === BACKUP_PREFIX ? " (backup)" : ""}`;
  const raw = gatherOptions({
    schema: registration.optionsSchema,
    env,
    prefix,
    reserved: type === "custom" ? ["TYPE", "MODULE"] : ["TYPE"],
    fileSection: fileSection ? omit(fileSection, ["type", "module"]) : undefined,
    fileKey,
    fileLabel,
    what,
    sensitive: registration.sensitiveOptions ?? [],
  });
  const options = validateOptions(registration.optionsSchema, raw, what) as Record<string, unknown>;
  const config: StoreConfig = { type: registration.type, options, registration };
  if (module) config.module = module;
  return config;
}

async function loadCustomRegistration(
  specifier: string,
  cwd: string,
  variable: string,
): Promise<StoreRegistration> {
  const isPath = specifier.startsWith(".") || path.isAbsolute(specifier);
  let url: string;
  try {
    url = isPath
      ? pathToFileURL(path.resolve(cwd, specifier)).href
      : pathToFileURL(createRequire(path.join(cwd, "package.json")).resolve(specifier)).href;
  } catch {
    // Packages that only export an ESM entry cannot be found by require.resolve; let import try.
    url = specifier;
  }
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(url)) as Record<string, unknown>;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const notFound = code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND";
    throw new InvalidConfigError(
      notFound
        ? `${variable} names '${specifier}', which cannot be found.`
        : `${variable} names '${specifier}', which fails to load: ${sentence((error as Error).message.split("\n")[0]!)}`,
      {
        hint: notFound
          ? "Give a path to the built module (relative to the working directory) or install the package."
          : "Fix the module so that importing it succeeds.",
        details: { variable, module: specifier },
        cause: error,
      },
    );
  }
  const registration = loaded.default ?? loaded.store ?? loaded.registration;
  if (registration === undefined) {
    throw new InvalidConfigError(`The module '${specifier}' (${variable}) exports no store registration.`, {
      hint: "Export one as the default export: export default defineStore({ type, description, optionsSchema, create }).",
      details: { variable, module: specifier },
    });
  }
  assertRegistration(registration, `the module '${specifier}' (${variable})`);
  return registration;
}

// --- options -----------------------------------------------------------------------------------

interface OptionSource {
  schema: z.ZodType;
  env: Record<string, string | undefined>;
  prefix: string;
  reserved: string[];
  fileSection: unknown;
  fileKey: string;
  fileLabel: string;
  what: string;
  sensitive: readonly string[];
}

interface RawOptions {
  values: Record<string, unknown>;
  /** Where each option came from, for messages: `COFFER_STORE_REGION` or `store.region in x.yaml`. */
  sources: Record<string, string>;
  prefix: string;
  fileKey: string;
  fileLabel: string;
  sensitive: readonly string[];
}

function gatherOptions(source: OptionSource): RawOptions {
  const shape = objectShape(source.schema);
  const known = shape ? Object.keys(shape) : undefined;
  const raw: RawOptions = {
    values: {},
    sources: {},
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
      raw.values[key] = source.sensitive.includes(key) ? readFileReference(value, label) : value;
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
    const field = shape?.[option];
    const text = source.sensitive.includes(option) ? (readFileReference(value, variable) as string) : value;
    raw.values[option] = field
      ? coerceFromEnv(field, text, variable, source.sensitive.includes(option))
      : text;
    raw.sources[option] = variable;
  }
  return raw;
}

function validateOptions(schema: z.ZodType, raw: RawOptions, what: string): unknown {
  const result = schema.safeParse(raw.values);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => describeIssue(issue, raw, what));
  const first = problems[0]!;
  throw new InvalidConfigError(first.message, {
    hint: first.hint,
    details: { problems: problems.map((problem) => problem.message), variable: first.variable },
  });
}

function describeIssue(
  issue: z.core.$ZodIssue,
  raw: RawOptions,
  what: string,
): { message: string; hint: string; variable: string | null } {
  const option = typeof issue.path[0] === "string" ? issue.path[0] : undefined;
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0] ?? "";
    const label = raw.sources[key] ?? key;
    return { message: `${label} is not an option of ${what}.`, hint: "Remove it.", variable: label };
  }
  if (!option) {
    return {
      message: `The options of ${what} are invalid: ${issue.message}.`,
      hint: `Check the ${raw.prefix}* variables${raw.fileLabel ? ` and '${raw.fileKey}' in ${raw.fileLabel}` : ""}.`,
      variable: null,
    };
  }
  const variable = raw.prefix + optionToEnvSuffix(option);
  const label = raw.sources[option] ?? variable;
  const alternative = raw.fileLabel ? ` (or ${raw.fileKey}.${option} in ${raw.fileLabel})` : "";
  if (raw.values[option] === undefined) {
    return {
      message: `${variable} is missing: ${what} needs it.`,
      hint: `Set ${variable}${alternative}.`,
      variable,
    };
  }
  const shown = raw.sensitive.includes(option)
    ? ""
    : ` (got ${JSON.stringify(raw.values[option])?.slice(0, 60)})`;
  return {
    message: `${label} is invalid${shown}: ${issue.message.replace(/^Invalid input: /, "")}.`,
    hint: `Fix ${label} and start again.`,
    variable: label,
  };
}

/** Environment values are text; turn them into what the option's schema expects. */
function coerceFromEnv(field: z.ZodType, text: string, variable: string, sensitive: boolean): unknown {
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

function readFileReference(value: unknown, label: string): unknown {
  if (typeof value !== "string" || !value.startsWith("@")) return value;
  const file = value.slice(1);
  try {
    return readFileSync(file, "utf8").replace(/\r?\n$/, "");
  } catch (error) {
    throw new InvalidConfigError(
      `${label} points to the file ${file}, which cannot be read (${(error as NodeJS.ErrnoException).code}).`,
      {
        hint: "Check the path after '@', or give the value directly.",
        details: { variable: label, file },
      },
    );
  }
}

interface ZodInternals {
  _zod?: {
    def?: { type?: string; innerType?: ZodInternals; in?: ZodInternals; shape?: Record<string, z.ZodType> };
  };
}

/** The fields of an object schema, looking through optional/default/transform wrappers. */
function objectShape(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  let current = schema as unknown as ZodInternals | undefined;
  for (let depth = 0; current && depth < 10; depth++) {
    const def = current._zod?.def;
    if (!def) return undefined;
    if (def.type === "object") return def.shape;
    current = def.innerType ?? def.in;
  }
  return undefined;
}

function baseKind(schema: z.ZodType): string | undefined {
  let current = schema as unknown as ZodInternals | undefined;
  for (let depth = 0; current && depth < 10; depth++) {
    const def = current._zod?.def;
    if (!def) return undefined;
    if (def.innerType) current = def.innerType;
    else if (def.type === "pipe" && def.in) current = def.in;
    else return def.type;
  }
  return undefined;
}

// --- helpers -----------------------------------------------------------------------------------

function oneOf<T extends string>(
  found: { value: string; source: string } | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  if (!found) return fallback;
  const match = allowed.find((candidate) => candidate.toLowerCase() === found.value.toLowerCase());
  if (match) return match;
  throw new InvalidConfigError(`${found.source} is '${found.value}', which is not allowed.`, {
    hint: `Use one of: ${allowed.join(", ")}.`,
    details: { variable: found.source },
  });
}

function checkForMistypedVariables(
  env: Record<string, string | undefined>,
  sections: Record<string, ConfigSection>,
): void {
  const known = [...Object.values(TOP_LEVEL), ...OTHER_KNOWN_VARIABLES];
  const prefixes = [
    STORE_PREFIX,
    BACKUP_PREFIX,
    ...Object.values(sections).map((section) => section.envPrefix),
  ];
  for (const variable of Object.keys(env)) {
    if (!variable.startsWith("COFFER_") || known.includes(variable)) continue;
    if (prefixes.some((prefix) => variable.startsWith(prefix))) continue;
    const close = known.find((candidate) => editDistance(candidate, variable) <= 2);
    if (close) {
      throw new InvalidConfigError(`${variable} is not a Coffer setting.`, {
        hint: `Did you mean ${close}? Rename it.`,
        details: { variable },
      });
    }
  }
}

function suggest(word: string, candidates: readonly string[]): string {
  const close = candidates.find(
    (candidate) => editDistance(candidate.toLowerCase(), word.toLowerCase()) <= 2,
  );
  return close ? ` Did you mean ${close}?` : "";
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** Ends a borrowed message with a full stop, so that the hint after it reads as a new sentence. */
function sentence(text: string): string {
  return /[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`;
}

function omit(object: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([key]) => !keys.includes(key)));
}
