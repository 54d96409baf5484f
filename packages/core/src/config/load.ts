/**
 * Loading the deploy-time configuration: environment variables (`COFFER_*`) and an optional YAML
 * file, with the environment winning. Everything is checked at start; a problem is an
 * InvalidConfigError whose one-line message names the variable (or file setting) and says how to
 * fix it.
 *
 *   COFFER_STORE_TYPE=aws                →  store.type: aws
 *   COFFER_STORE_NAME_PREFIX=coffer      →  store.namePrefix: coffer
 *   COFFER_BACKUP_STORE_TYPE=vault       →  backupStore.type: vault
 *   COFFER_DATABASE_URL=postgres://…     →  databaseUrl: postgres://…
 *   COFFER_METADATA_KEYRING=@/run/secrets/metadata-keyring  →  metadataKeyring: (the file's text)
 *
 * A store option is the camelCase form of the variable's suffix (env-options.ts). Credentials
 * (the database URL and the metadata keyring among Coffer's own settings) may be given as
 * `@/path/to/file`, and options a store declares in `fileOptions` name a file
 * whose contents the store receives (file-values.ts).
 */
import { homedir } from "node:os";
import path from "node:path";
import { InvalidConfigError } from "../errors.js";
import { SECRET_VALIDATION_LEVELS } from "../references.js";
import { gatherOptions } from "./env-options.js";
import { readFileReference } from "./file-values.js";
import { checkForMistypedVariables, oneOf, validateOptions } from "./problems.js";
import {
  BACKUP_PREFIX,
  type CofferConfig,
  type Env,
  LOG_LEVELS,
  type LoadConfigOptions,
  STORE_PREFIX,
  TOP_LEVEL,
} from "./settings.js";
import { loadStoreConfig } from "./store-choice.js";
import { readConfigFile } from "./yaml-file.js";

export async function loadConfig(options: LoadConfigOptions): Promise<CofferConfig> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const sections = options.sections ?? {};
  const configFile = options.file ?? env.COFFER_CONFIG_FILE;
  const file = configFile ? await readConfigFile(path.resolve(cwd, configFile), sections) : undefined;
  const fileLabel = configFile ? path.basename(configFile) : "";
  const fileDir = configFile ? path.dirname(path.resolve(cwd, configFile)) : cwd;

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

  /**
   * A setting that may hold a credential: `@path` reads it from that file (Docker and Kubernetes
   * secrets). A relative path is taken as fileOptions take it: from the working directory for a
   * variable, from the YAML file's folder for a file setting.
   */
  const credential = (key: "databaseUrl" | "metadataKeyring"): string | undefined => {
    const setting = top(key);
    if (setting === undefined || !setting.value.startsWith("@")) return setting?.value;
    const baseDir = setting.source === TOP_LEVEL[key] ? cwd : fileDir;
    return readFileReference(`@${path.resolve(baseDir, setting.value.slice(1))}`, setting.source) as string;
  };

  const dataDir = path.resolve(cwd, top("dataDir")?.value ?? defaultDataDir(env));
  const databaseUrl = credential("databaseUrl") ?? `sqlite://${path.join(dataDir, "coffer.db")}`;
  const metadataKeyring = credential("metadataKeyring");
  const level = top("secretValidationLevel");
  const secretValidationLevel = oneOf(level, SECRET_VALIDATION_LEVELS, "SECRET_AND_KEY_EXISTS");
  const logLevel = oneOf(top("logLevel"), LOG_LEVELS, "info");

  const stores = { env, fileLabel, registry: options.registry, cwd, fileDir };
  const store = await loadStoreConfig({
    ...stores,
    prefix: STORE_PREFIX,
    fileKey: "store",
    fileSection: file?.store,
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
        ...stores,
        prefix: BACKUP_PREFIX,
        fileKey: "backupStore",
        fileSection: file?.backupStore,
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
  if (metadataKeyring !== undefined) config.metadataKeyring = metadataKeyring;
  if (configFile) config.configFile = path.resolve(cwd, configFile);
  if (backupStore) config.backupStore = backupStore;
  return config;
}

/** The per-user data directory (XDG on Linux, Application Support on macOS, LOCALAPPDATA on Windows). */
export function defaultDataDir(env: Env = process.env): string {
  if (process.platform === "darwin") return path.join(homedir(), "Library", "Application Support", "coffer");
  if (process.platform === "win32") {
    return path.join(env.LOCALAPPDATA ?? path.join(homedir(), "AppData", "Local"), "coffer");
  }
  return path.join(env.XDG_DATA_HOME || path.join(homedir(), ".local", "share"), "coffer");
}
