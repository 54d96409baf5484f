// Fixtures for the tests of the KMS key sources (entry `@coffer/store-sql/testing`, never for
// production code): a raw look at the sql store's tables, as someone holding a copy of the database
// would have it.
// It lives here, not in @coffer/testkit, because it knows the store's tables and their columns,
// and testkit cannot depend on store-sql (store-sql's own tests use testkit).
import type { StoreContext } from "@coffer/core";
import { openDatabase } from "@coffer/sql";
import { DATA_KEYS_TABLE, type SqlStore, VALUES_TABLE } from "../index.js";

export type Row = Record<string, unknown>;

/** The deployment's rows of one table, in key order. */
export async function rows(
  context: Pick<StoreContext, "databaseUrl" | "deploymentId">,
  table: string,
): Promise<Row[]> {
  const database = openDatabase(context.databaseUrl);
  try {
    // biome-ignore lint/suspicious/noExplicitAny: a raw look at the store's tables
    const db = database.db as any;
    return await db
      .selectFrom(table)
      .selectAll()
      .where("deployment_id", "=", context.deploymentId)
      .orderBy(table === VALUES_TABLE ? "secret_id" : "key_id")
      .execute();
  } finally {
    await database.close();
  }
}

/** Copies this deployment's data keys and values under another deployment id, as an attacker would. */
export async function copyRowsTo(context: StoreContext, deploymentId: string): Promise<void> {
  const database = openDatabase(context.databaseUrl);
  try {
    // biome-ignore lint/suspicious/noExplicitAny: copying rows as an attacker would
    const db = database.db as any;
    for (const table of [DATA_KEYS_TABLE, VALUES_TABLE]) {
      const all = await db
        .selectFrom(table)
        .selectAll()
        .where("deployment_id", "=", context.deploymentId)
        .execute();
      await db
        .insertInto(table)
        .values(all.map((row: Row) => ({ ...row, deployment_id: deploymentId })))
        .execute();
    }
  } finally {
    await database.close();
  }
}

/** Removes every data key row, as a bad restore would. */
export async function dropDataKeys(context: StoreContext): Promise<void> {
  const database = openDatabase(context.databaseUrl);
  try {
    // biome-ignore lint/suspicious/noExplicitAny: removing rows as a bad restore would
    await (database.db as any).deleteFrom(DATA_KEYS_TABLE).execute();
  } finally {
    await database.close();
  }
}

/** Runs `work` with the store, then closes it, whatever happened. */
export async function withStore<T>(store: SqlStore, work: (store: SqlStore) => Promise<T>): Promise<T> {
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}
