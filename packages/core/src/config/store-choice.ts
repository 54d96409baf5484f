/**
 * Picking a store for `store:` / `COFFER_STORE_*` (and the backup store): which type (the
 * environment winning over the file, the embedded default when neither names one), its
 * registration (from the registry, or a custom module), then its options gathered and checked.
 */
import { InvalidConfigError, isCofferError } from "../errors.js";
import type { StoreRegistration, StoreRegistry } from "../registry.js";
import { importStoreModule } from "../store-module.js";
import { gatherOptions } from "./env-options.js";
import { validateOptions } from "./problems.js";
import { BACKUP_PREFIX, type Env, type StoreConfig } from "./settings.js";
import { omit, suggest } from "./text.js";

export interface StoreSource {
  prefix: string;
  fileKey: "store" | "backupStore";
  env: Env;
  fileSection: unknown;
  fileLabel: string;
  registry: StoreRegistry;
  /** The working directory: relative paths in variables start here. */
  cwd: string;
  /** The YAML file's directory (the working directory without one): custom modules and file paths in the file start here. */
  fileDir: string;
  defaultType: string | undefined;
}

export async function loadStoreConfig(source: StoreSource): Promise<StoreConfig> {
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
  const typeSource = envType
    ? typeVar
    : fileType
      ? `${fileKey}.type in ${fileLabel}`
      : `The default store type (${typeVar} is not set)`;

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
    registration = await importStoreModule(module, source.fileDir, moduleVar);
  } else {
    registration = await registered(source.registry, type, typeSource, typeVar);
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
    files: registration.fileOptions ?? [],
    cwd: source.cwd,
    fileDir: source.fileDir,
  });
  const options = validateOptions(registration.optionsSchema, raw, what) as Record<string, unknown>;
  const config: StoreConfig = { type: registration.type, options, registration };
  if (module) config.module = module;
  if (Object.keys(raw.files).length > 0) config.optionFiles = raw.files;
  return config;
}

async function registered(
  registry: StoreRegistry,
  type: string,
  typeSource: string,
  typeVar: string,
): Promise<StoreRegistration> {
  try {
    return await registry.get(type);
  } catch (error) {
    if (isCofferError(error) && error.code === "INVALID_CONFIG" && !registry.has(type)) {
      throw new InvalidConfigError(`${typeSource} is '${type}', which is not a store type.`, {
        hint: `Use one of: ${[...registry.types(), "custom"].join(", ")}.${suggest(type, registry.types())}`,
        details: { variable: typeVar, type },
      });
    }
    throw error;
  }
}

/**
 * A printable copy of a store's options: credentials hidden, and a file-valued option shown as
 * `@` and the path it was read from rather than the file's contents.
 */
export function describeStoreOptions(store: StoreConfig): Record<string, unknown> {
  const sensitive = new Set(store.registration.sensitiveOptions ?? []);
  return Object.fromEntries(
    Object.entries(store.options).map(([key, value]) => {
      if (sensitive.has(key) && value !== undefined) return [key, "[redacted]"];
      const file = store.optionFiles?.[key];
      return [key, file !== undefined ? `@${file}` : value];
    }),
  );
}
