/**
 * Opening a service: the metadata database (migrated), the deployment id, and the configured store
 * (initialised). Start-up fails fast, with a typed error, when any part is not usable.
 */
import { randomUUID } from "node:crypto";
import {
  createLogger,
  InvalidConfigError,
  type Logger,
  type SecretsStore,
  type StoreContext,
} from "@coffer/core";
import type { CofferConfig } from "@coffer/core/config";
import { type Database, migrate, openDatabase } from "@coffer/sql";
import { sealBackfillMigration, sealColumnMigration } from "./integrity-migrations.js";
import { MetadataRepository } from "./metadata.js";
import { loadMetadataKeyring } from "./metadata-keyring.js";
import { MetadataSealer } from "./metadata-seal.js";
import { MirroredStore } from "./mirrored-store.js";
import { MIGRATIONS_TABLE, metadataMigrations } from "./schema.js";
import { SecretsService, type ServiceHooks } from "./service.js";

export interface ServiceParts {
  databaseUrl: string;
  /** Builds the store once the deployment id is known (stores tag what they create with it). */
  store: (context: StoreContext) => SecretsStore;
  /** An optional backup store: written through, read when the primary cannot answer. */
  backupStore?: (context: StoreContext) => SecretsStore;
  dataDir: string;
  deploymentId?: string;
  validationLevel?: CofferConfig["secretValidationLevel"];
  logger?: Logger;
  clock?: () => number;
  hooks?: ServiceHooks;
  leaseMs?: number;
  lockWaitMs?: number;
  /**
   * The keyring that seals metadata rows, as JSON (`{"active": …, "keys": {…}}`); by default the
   * file `<dataDir>/metadata.keyring.json`, created on first start (see metadata-keyring.ts).
   */
  metadataKeyring?: string;
}

/** Opens a service from deploy-time configuration (see loadConfig in @coffer/core). */
export async function openService(
  config: CofferConfig,
  extras: Pick<
    ServiceParts,
    "logger" | "clock" | "hooks" | "leaseMs" | "lockWaitMs" | "metadataKeyring"
  > = {},
): Promise<SecretsService> {
  return createService({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    validationLevel: config.secretValidationLevel,
    store: (context) => config.store.registration.create(config.store.options, context),
    ...(config.backupStore
      ? {
          backupStore: (context: StoreContext) =>
            config.backupStore!.registration.create(config.backupStore!.options, context),
        }
      : {}),
    ...(config.deploymentId ? { deploymentId: config.deploymentId } : {}),
    ...extras,
    logger: extras.logger ?? createLogger({ level: config.logLevel, base: { component: "coffer" } }),
  });
}

export async function createService(parts: ServiceParts): Promise<SecretsService> {
  const logger = parts.logger ?? createLogger({ level: "warn" });
  const clock = parts.clock ?? Date.now;
  const database = openDatabase(parts.databaseUrl);
  let store: SecretsStore | undefined;
  try {
    const schema = { ...metadataMigrations, ...sealColumnMigration };
    await migrate(database, MIGRATIONS_TABLE, schema);
    const keyring = await loadMetadataKeyring({
      dataDir: parts.dataDir,
      metadata: new MetadataRepository(database),
      ...(parts.metadataKeyring !== undefined ? { keyring: parts.metadataKeyring } : {}),
    });
    const sealer = new MetadataSealer(keyring);
    // Seals the rows written before sealing existed, once per database (integrity-migrations.ts).
    await migrate(database, MIGRATIONS_TABLE, { ...schema, ...sealBackfillMigration(sealer) });
    const deploymentId = await deployment(database, parts.deploymentId, clock());
    const context = { deploymentId, dataDir: parts.dataDir, databaseUrl: parts.databaseUrl, logger };
    store = parts.store(context);
    if (parts.backupStore) store = new MirroredStore(store, parts.backupStore(context), logger);
    await store.init();
    return new SecretsService({
      database,
      sealer,
      store,
      deploymentId,
      logger,
      clock,
      ...(parts.validationLevel ? { validationLevel: parts.validationLevel } : {}),
      ...(parts.hooks ? { hooks: parts.hooks } : {}),
      ...(parts.leaseMs !== undefined ? { leaseMs: parts.leaseMs } : {}),
      ...(parts.lockWaitMs !== undefined ? { lockWaitMs: parts.lockWaitMs } : {}),
    });
  } catch (error) {
    await store?.close().catch(() => undefined);
    await database.close();
    throw error;
  }
}

async function deployment(database: Database, configured: string | undefined, now: number): Promise<string> {
  const id = await new MetadataRepository(database).deploymentId(configured ?? randomUUID(), now);
  if (configured !== undefined && configured !== id) {
    throw new InvalidConfigError(
      `COFFER_DEPLOYMENT_ID is '${configured}', but the metadata database ${database.location} belongs to deployment '${id}'.`,
      {
        hint: "Unset COFFER_DEPLOYMENT_ID, or point COFFER_DATABASE_URL at that deployment's database: secrets are tagged with the id, so changing it would hide them.",
        details: { variable: "COFFER_DEPLOYMENT_ID" },
      },
    );
  }
  return id;
}
