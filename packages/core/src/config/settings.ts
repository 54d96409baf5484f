/**
 * What the loader produces and the names it reads: the shape of a loaded configuration, the
 * options `loadConfig` takes, and the variables and file settings of Coffer's own (not a store's).
 */
import type { z } from "zod";
import type { LogLevel } from "../logger.js";
import type { SecretValidationLevel } from "../references.js";
import type { StoreRegistration, StoreRegistry } from "../registry.js";

export interface StoreConfig {
  /** The store type as registered (for a custom store, the type its module declares). */
  type: string;
  /** For `COFFER_STORE_TYPE=custom`: the module path or package name it was loaded from. */
  module?: string;
  /** Options after validation by the store's schema. */
  options: Record<string, unknown>;
  /**
   * The files the registration's `fileOptions` were read from, by option (absolute paths): the
   * options hold the files' contents, and `describeStoreOptions` shows these paths instead.
   */
  optionFiles?: Record<string, string>;
  registration: StoreRegistration;
}

export interface CofferConfig {
  /** The YAML file that was read, if any. */
  configFile?: string;
  /** Overrides the deployment id the service keeps in the metadata database. */
  deploymentId?: string;
  dataDir: string;
  /** Credentials may be inside (`postgres://user:password@…`): given as `@/path` it is read from that file. */
  databaseUrl: string;
  /**
   * The metadata keyring's JSON, when the operator gives it (replicas share one); otherwise the
   * service keeps it in `<data dir>/metadata.keyring.json`. Given as `@/path`, read from that file.
   */
  metadataKeyring?: string;
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

export type Env = Record<string, string | undefined>;

export const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;

/** Coffer's own settings: the file key and the variable that overrides it. */
export const TOP_LEVEL = {
  deploymentId: "COFFER_DEPLOYMENT_ID",
  dataDir: "COFFER_DATA_DIR",
  databaseUrl: "COFFER_DATABASE_URL",
  metadataKeyring: "COFFER_METADATA_KEYRING",
  secretValidationLevel: "COFFER_SECRET_VALIDATION_LEVEL",
  logLevel: "COFFER_LOG_LEVEL",
} as const;

/** Variables other parts of Coffer read; the loader accepts them without complaint. */
export const OTHER_KNOWN_VARIABLES = [
  "COFFER_CONFIG_FILE",
  "COFFER_URL",
  "COFFER_TOKEN",
  "COFFER_USER",
  "COFFER_PROFILE",
];

export const STORE_PREFIX = "COFFER_STORE_";
export const BACKUP_PREFIX = "COFFER_BACKUP_STORE_";
