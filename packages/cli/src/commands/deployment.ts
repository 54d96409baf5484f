/**
 * Opening deployments directly (not through the client) for the operator's commands that need two
 * stores at once — `coffer migrate` and `coffer diff`: the current configuration, a configuration
 * file on its own, or a metadata database URL with the current store settings.
 */
import { createHash } from "node:crypto";
import path from "node:path";
import { currentAuditContext, withAuditContext } from "@coffer/audit/context";
import { localUser } from "@coffer/client";
import { z } from "@coffer/core";
import { type CofferConfig, describeStoreOptions, loadConfig, type StoreConfig } from "@coffer/core/config";
import { openService, type SecretsService } from "@coffer/service";
import { builtinStores } from "@coffer/stores";

/**
 * The sections other parts of Coffer add to the file (the client's `secrets:`, the server's
 * `server:`): accepted here unread, so one configuration file serves every command.
 */
const OTHER_SECTIONS = {
  secrets: { schema: z.record(z.string(), z.unknown()), envPrefix: "COFFER_LOCAL_SECRET_" },
  server: { schema: z.record(z.string(), z.unknown()), envPrefix: "COFFER_SERVER_" },
};

/** The current deployment's configuration: COFFER_* variables and --config / COFFER_CONFIG_FILE. */
export function currentConfig(
  file: string | undefined,
  env: Record<string, string | undefined> = process.env,
): Promise<CofferConfig> {
  return loadConfig({
    registry: builtinStores(),
    env,
    ...(file ? { file } : {}),
    sections: OTHER_SECTIONS,
  });
}

/**
 * A configuration file read on its own: the environment is left out, so that the current
 * deployment's COFFER_STORE_* variables never mix into the file's `store:`.
 */
export function fileConfig(file: string): Promise<CofferConfig> {
  return loadConfig({ registry: builtinStores(), env: {}, file, sections: OTHER_SECTIONS });
}

/** What names a store in a journal and a report: its type and a hash of its options (no credentials). */
export function storeIdentity(store: StoreConfig): string {
  const options = JSON.stringify(Object.entries(store.options).sort(([a], [b]) => a.localeCompare(b)));
  return `${store.type}:${createHash("sha256").update(options).digest("base64url").slice(0, 22)}`;
}

/** The store's settings as an operator writes them, secrets redacted. */
export function storeSettings(store: StoreConfig): Record<string, unknown> {
  return { type: store.type, ...describeStoreOptions(store) };
}

/**
 * What `coffer diff` was given: a YAML configuration file, or a metadata database URL opened with
 * the current store settings (a SQLite file's directory taken as its data directory, where its
 * keyrings are).
 */
export async function deploymentConfig(
  argument: string,
  current: () => Promise<CofferConfig>,
): Promise<CofferConfig> {
  if (/\.ya?ml$/i.test(argument)) return fileConfig(argument);
  const base = await current();
  const { deploymentId: _ignored, ...rest } = base;
  const sqlite = /^sqlite:\/\/(.+)$/.exec(argument);
  return {
    ...rest,
    databaseUrl: argument,
    ...(sqlite ? { dataDir: path.dirname(path.resolve(sqlite[1]!)) } : {}),
  };
}

export function open(config: CofferConfig): Promise<SecretsService> {
  return openService({ ...config, logLevel: "error" });
}

/**
 * Runs a deployment-wide call (migrate, diff) on a deployment opened here with the local user as
 * the audit log's actor: such calls take no actor and are recorded as the context's (else as
 * "operator"). A user the system cannot name leaves it at "operator".
 */
export function asLocalUser<T>(work: () => Promise<T>): Promise<T> {
  let id: string;
  try {
    id = localUser(undefined, process.env);
  } catch {
    return work();
  }
  const context = currentAuditContext();
  return withAuditContext(
    { ...context, origin: context?.origin ?? { kind: "cli-local" }, actor: { id } },
    work,
  );
}
