// The sql store's conformance suite under a KMS key source, run the same way for every key source
// (aws-kms, azure-keys, gcp-kms, vault-transit): on a SQLite file, then on PostgreSQL and on
// MySQL/MariaDB. Each key-source package keeps only what is its own: how to build its store, which
// options it refuses and how an unreachable KMS looks.
import { describeStoreConformance } from "@coffer/conformance";
import type { SecretsStore, StoreContext, StoreRegistration } from "@coffer/core";
import { sqliteStoreContext } from "./store-test-helpers.js";
import { describeWithDatabase } from "./vitest.js";

/** What the sql store declares, whatever wraps its data keys. */
const SQL_STORE_CAPABILITIES = {
  access: "read-write",
  maxValueBytes: 1_048_576,
  batchGetMax: 500,
  versions: true,
  cas: true,
  softDelete: false,
} as const;

/** The revisions the sql store keeps of a secret. */
const SQL_STORE_KEPT_REVISIONS = 10;

export interface KeySourceConformanceOptions {
  /** How the suite names the key source: "sql on …, keys from <name>". */
  name: string;
  /** Prefix of the deployment ids, e.g. "gcp-kms" (the SQL servers get "<id>-postgres", …). */
  id: string;
  /** The sql store's registration with this key source. */
  registration: StoreRegistration;
  /** A store under this key source with the given context (its database URL included). */
  storeFor: (context: StoreContext) => SecretsStore;
  /** Options the registration must refuse (checked once, on SQLite). */
  invalidOptions: unknown[];
  /** A store whose database is fine but whose KMS is not there (checked once, on SQLite). */
  unreachable: () => SecretsStore;
}

export function describeKeySourceConformance(options: KeySourceConformanceOptions): void {
  const { name, id, registration, storeFor } = options;
  const common = {
    capabilities: SQL_STORE_CAPABILITIES,
    keptRevisions: SQL_STORE_KEPT_REVISIONS,
    registration,
  };

  // One SQLite file for every store the suite builds: they must see each other's data.
  const sqlite = sqliteStoreContext(`${id}-deployment`);
  describeStoreConformance(`sql on a SQLite file, keys from ${name}`, {
    ...common,
    create: () => storeFor(sqlite),
    invalidOptions: options.invalidOptions,
    unreachable: options.unreachable,
  });

  for (const engine of ["postgres", "mysql"] as const) {
    describeWithDatabase(engine, (getDb) => {
      describeStoreConformance(`sql on ${engine}, keys from ${name}`, {
        ...common,
        create: () => storeFor({ ...sqliteStoreContext(`${id}-${engine}`), databaseUrl: getDb().url }),
      });
    });
  }
}
