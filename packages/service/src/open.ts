/**
 * Opening a service: the metadata database (migrated), the deployment id, and the configured store
 * (initialised), from the parts a composition root wires (parts.ts). Start-up fails fast, with a
 * typed error, when any part is not usable.
 */
import { randomUUID } from "node:crypto";
import { type AuditTrail, auditSettingsFrom, openAuditTrail } from "@coffer/audit";
import { InvalidConfigError, type SecretsStore } from "@coffer/core";
import type { CofferConfig } from "@coffer/core/config";
import { type Database, migrate } from "@coffer/sql";
import { sealBackfillMigration, sealColumnMigration } from "./integrity-migrations.js";
import { MetadataRepository } from "./metadata.js";
import { loadMetadataKeyring } from "./metadata-keyring.js";
import { MetadataSealer } from "./metadata-seal.js";
import { MirroredStore } from "./mirrored-store.js";
import { configRoot, type ServiceParts, type ServiceRoot, serviceRoot } from "./parts.js";
import { laterMetadataMigrations, MIGRATIONS_TABLE, metadataMigrations } from "./schema.js";
import type { SecretsService } from "./service.js";

export type { ServiceParts } from "./parts.js";

/** Opens a service from deploy-time configuration (see loadConfig in @coffer/core/config). */
export async function openService(
  config: CofferConfig,
  extras: Parameters<typeof configRoot>[1] = {},
): Promise<SecretsService> {
  return startService(configRoot(config, extras));
}

/** Opens a service from its parts: settings, a store, and optionally a logger or a clock. */
export async function createService(parts: ServiceParts): Promise<SecretsService> {
  return startService(serviceRoot(parts));
}

/**
 * Starts the service a composition root describes (parts.ts): migrates the metadata database,
 * settles the deployment id, builds and initialises the store, then builds the service.
 */
export async function startService(root: ServiceRoot): Promise<SecretsService> {
  const settings = root.resolve("settings");
  const logger = root.resolve("logger");
  const clock = root.resolve("clock");
  const database = root.resolve("database");
  let store: SecretsStore | undefined;
  let audit: AuditTrail | undefined;
  try {
    const schema = { ...metadataMigrations, ...sealColumnMigration };
    await migrate(database, MIGRATIONS_TABLE, schema);
    const keyring = await loadMetadataKeyring({
      dataDir: settings.dataDir,
      metadata: new MetadataRepository(database),
      ...(settings.metadataKeyring !== undefined ? { keyring: settings.metadataKeyring } : {}),
    });
    const sealer = new MetadataSealer(keyring);
    // Seals the rows written before sealing existed, once per database (integrity-migrations.ts).
    await migrate(database, MIGRATIONS_TABLE, {
      ...schema,
      ...sealBackfillMigration(sealer),
      ...laterMetadataMigrations,
    });
    // The audit key is derived from this keyring (never the same key for two purposes: chain.ts).
    audit = await openAuditTrail({
      settings: auditSettingsFrom(settings.audit),
      database,
      dataDir: settings.dataDir,
      keys: keyring,
      logger,
      clock,
    });
    const deploymentId = await deployment(database, settings.deploymentId, clock());
    const context = { deploymentId, dataDir: settings.dataDir, databaseUrl: settings.databaseUrl, logger };
    store = root.resolve("store")(context);
    const backupStore = root.resolve("backupStore");
    if (backupStore) store = new MirroredStore(store, backupStore(context), logger);
    await store.init();
    return root.resolve("service")({
      database,
      sealer,
      store,
      deploymentId,
      logger,
      clock,
      audit,
      ...(settings.validationLevel ? { validationLevel: settings.validationLevel } : {}),
      ...(settings.hooks ? { hooks: settings.hooks } : {}),
      ...(settings.leaseMs !== undefined ? { leaseMs: settings.leaseMs } : {}),
      ...(settings.lockWaitMs !== undefined ? { lockWaitMs: settings.lockWaitMs } : {}),
      ...(settings.changes ? { changes: settings.changes } : {}),
      ...(settings.metadataCache ? { metadataCache: settings.metadataCache } : {}),
    });
  } catch (error) {
    await store?.close().catch(() => undefined);
    await audit?.close().catch(() => undefined);
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
