/**
 * The application's composition root: every part `openService` / `createService` wires together,
 * registered here once, by name — settings, clock, logger, the metadata database, the store and
 * the backup store, and the service itself. Swapping a part (a fixed clock in a test, another
 * logger, a database opened elsewhere, a different store) is one `root.register(…)` before
 * `startService(root)`. See CompositionRoot in @coffer/core for the rules (built once, on first
 * use; a part in use cannot be replaced).
 */
import {
  CompositionRoot,
  createLogger,
  type Logger,
  type SecretsStore,
  type SecretValidationLevel,
  type StoreContext,
} from "@coffer/core";
import type { CofferConfig } from "@coffer/core/config";
import { type Database, openDatabase } from "@coffer/sql";
import { metadataCacheSettings } from "./metadata-cache-section.js";
import { SecretsService, type ServiceHooks, type ServiceOptions } from "./service.js";

/** What the parts are configured with: plain values, no behaviour. */
export interface ServiceSettings {
  databaseUrl: string;
  dataDir: string;
  deploymentId?: string;
  validationLevel?: SecretValidationLevel;
  hooks?: ServiceHooks;
  leaseMs?: number;
  lockWaitMs?: number;
  /** The change feed's retention and polling (change-log.ts, change-feed.ts). */
  changes?: ServiceOptions["changes"];
  /** The read cache of metadata lookups (metadata-cache.ts): its bound, 0 = off. */
  metadataCache?: ServiceOptions["metadataCache"];
  /**
   * The keyring that seals metadata rows, as JSON (`{"active": …, "keys": {…}}`); by default the
   * file `<dataDir>/metadata.keyring.json`, created on first start (see metadata-keyring.ts).
   */
  metadataKeyring?: string;
  /**
   * The audit settings (`audit:` / COFFER_AUDIT_*, see @coffer/audit); absent: the defaults, the
   * database sink, required.
   */
  audit?: unknown;
}

/** The parts of a running service, by name. */
export interface ApplicationParts {
  settings: ServiceSettings;
  /** Milliseconds since the epoch. */
  clock: () => number;
  logger: Logger;
  /** The metadata database, opened (startService migrates it). */
  database: Database;
  /** Builds the store once the deployment id is known (stores tag what they create with it). */
  store: (context: StoreContext) => SecretsStore;
  /** An optional backup store: written through, read when the primary cannot answer. */
  backupStore: ((context: StoreContext) => SecretsStore) | undefined;
  /** Builds the service from the wired, initialised parts. */
  service: (options: ServiceOptions) => SecretsService;
}

export type ServiceRoot = CompositionRoot<ApplicationParts>;

/** The parts as `createService` takes them: settings, a store, and optionally a few parts. */
export interface ServiceParts extends ServiceSettings {
  store: (context: StoreContext) => SecretsStore;
  backupStore?: (context: StoreContext) => SecretsStore;
  logger?: Logger;
  clock?: () => number;
}

/** A composition root holding the default parts, and those `parts` gives. */
export function serviceRoot(parts: ServiceParts): ServiceRoot {
  const { store, backupStore, logger, clock, ...settings } = parts;
  return new CompositionRoot<ApplicationParts>()
    .provide("settings", settings)
    .provide("clock", clock ?? Date.now)
    .register("logger", () => logger ?? createLogger({ level: "warn" }))
    .register("database", (root) => openDatabase(root.resolve("settings").databaseUrl))
    .provide("store", store)
    .provide("backupStore", backupStore)
    .provide("service", (options) => new SecretsService(options));
}

/** The composition root for deploy-time configuration (see loadConfig in @coffer/core/config). */
export function configRoot(
  config: CofferConfig,
  extras: Partial<
    Pick<ServiceParts, "logger" | "clock" | "hooks" | "leaseMs" | "lockWaitMs" | "metadataKeyring">
  > = {},
): ServiceRoot {
  const { backupStore } = config;
  return serviceRoot({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    validationLevel: config.secretValidationLevel,
    store: (context) => config.store.registration.create(config.store.options, context),
    ...(backupStore
      ? {
          backupStore: (context: StoreContext) =>
            backupStore.registration.create(backupStore.options, context),
        }
      : {}),
    ...(config.deploymentId ? { deploymentId: config.deploymentId } : {}),
    ...(config.metadataKeyring !== undefined ? { metadataKeyring: config.metadataKeyring } : {}),
    ...(config.sections.audit !== undefined ? { audit: config.sections.audit } : {}),
    ...(config.sections.metadataCache !== undefined
      ? { metadataCache: metadataCacheSettings.parse(config.sections.metadataCache) }
      : {}),
    ...extras,
    logger: extras.logger ?? createLogger({ level: config.logLevel, base: { component: "coffer" } }),
  });
}
