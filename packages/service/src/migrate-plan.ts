/**
 * A migration's plan (`coffer migrate --dry-run`): how many secrets, how many of them the target
 * already holds (by id, reading both sides' presence only), and whether an unfinished migration to
 * the same target would be resumed. Writes nothing.
 */
import type { SecretsStore } from "@coffer/core";
import type { Database } from "@coffer/sql";
import type { MetadataRepository } from "./metadata.js";
import { MigrationJournal } from "./migration-journal.js";

export interface MigrationPlan {
  total: number;
  /** Secrets the target store already holds values for (same or not: the run compares them). */
  alreadyInTarget: number;
  unfinished?: { id: string; items: number };
}

export async function planMigration(
  metadata: MetadataRepository,
  database: Database,
  target: SecretsStore,
  identity: string,
  batchSize = 100,
): Promise<MigrationPlan> {
  let total = 0;
  let alreadyInTarget = 0;
  let after = "";
  for (;;) {
    const ids = await metadata.liveIdsAfter(after, batchSize);
    if (ids.length === 0) break;
    after = ids.at(-1)!;
    total += ids.length;
    alreadyInTarget += (await target.getMany(ids)).size;
  }
  const unfinished = await MigrationJournal.peek(database, identity);
  return { total, alreadyInTarget, ...(unfinished ? { unfinished } : {}) };
}
