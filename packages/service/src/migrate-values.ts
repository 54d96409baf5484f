/**
 * Moving every secret's values from one store to another while the service keeps serving
 * (`coffer migrate`). The service runs with the target as its backup store (mirrored-store.ts), so
 * every write made meanwhile goes to both; this walks the metadata in id order and, per batch:
 *
 *  1. skips the ids the journal (migration-journal.ts) already holds as verified — a resumed run;
 *  2. reads the batch from both stores and compares keyed hashes (value-fingerprint.ts): equal is
 *     "already there", anything else is written to the target (create-or-update, so a copy repeated
 *     after a kill -9 never makes a second secret);
 *  3. reads the copies back and compares their hashes with the source's: a mismatch is "failed";
 *  4. records the batch's outcomes in the journal, in one transaction.
 *
 * A last pass compares every secret once more and copies again what differs: a writer that did not
 * mirror (another process started before the migration, see the README) may have changed a secret
 * after its batch was copied. Values never leave this module except into the target.
 */
import { randomUUID } from "node:crypto";
import { isCofferError, type SecretId, type SecretsStore, type SecretValues } from "@coffer/core";
import type { MetadataRepository } from "./metadata.js";
import { LIVE_STATES } from "./metadata.js";
import type { JournalItem, MigrationJournal } from "./migration-journal.js";
import { upsert } from "./mirrored-store.js";
import { ValueFingerprinter } from "./value-fingerprint.js";

export interface MigrationProgress {
  /** Secrets handled so far in this run (including those a resumed run skips). */
  done: number;
  total: number;
  copied: number;
  already: number;
  failed: number;
}

export interface MigrationReport {
  migrationId: string;
  /** True when this run continued a migration that an earlier run left unfinished. */
  resumed: boolean;
  total: number;
  /** Ids written to the target (by this run or the run it resumed). */
  copied: string[];
  /** Ids whose values the target already held. */
  already: string[];
  failed: Array<{ id: string; code: string }>;
  /** Secrets whose target copy was read back and matched. */
  verified: number;
  /** Ids the last pass found changed after their batch, and copied again. */
  recopied: string[];
}

export interface MigrateOptions {
  /** Secrets per batch (one metadata query, one batch read per store, one journal transaction). */
  batchSize?: number;
  /** Writes to the target in flight at once (keep within the provider's request quota). */
  concurrency?: number;
  /** Skip the last comparing pass (benchmarks of the copy alone). */
  skipFinalPass?: boolean;
  onProgress?: (progress: MigrationProgress) => void;
  /** Called after each batch is journaled (tests kill the process here). */
  afterBatch?: (batch: number) => void | Promise<void>;
}

export const NOT_IN_SOURCE = "NOT_IN_SOURCE";
export const VERIFY_MISMATCH = "VERIFY_MISMATCH";

export async function migrateValues(
  metadata: MetadataRepository,
  source: SecretsStore,
  target: SecretsStore,
  journal: MigrationJournal,
  options: MigrateOptions = {},
): Promise<MigrationReport> {
  const batchSize = options.batchSize ?? 100;
  const concurrency = options.concurrency ?? 8;
  const hash = new ValueFingerprinter();
  const total = await countLive(metadata);
  const progress: MigrationProgress = { done: 0, total, copied: 0, already: 0, failed: 0 };
  let after = "";
  let batch = 0;
  for (;;) {
    const ids = await metadata.liveIdsAfter(after, batchSize);
    if (ids.length === 0) break;
    after = ids.at(-1)!;
    const known = await journal.items(ids);
    const todo = ids.filter((id) => !known.get(id)?.verified);
    const outcomes = await copyBatch(source, target, todo, hash, concurrency);
    await journal.record(outcomes);
    progress.done += ids.length;
    for (const item of outcomes) countOutcome(progress, item);
    options.onProgress?.({ ...progress });
    await options.afterBatch?.(++batch);
  }
  const recopied = options.skipFinalPass
    ? []
    : await finalPass(metadata, source, target, journal, hash, batchSize, concurrency);
  return report(journal, total, recopied);
}

/** Copies what differs in one batch and reads it back. */
async function copyBatch(
  source: SecretsStore,
  target: SecretsStore,
  ids: readonly SecretId[],
  hash: ValueFingerprinter,
  concurrency: number,
): Promise<JournalItem[]> {
  if (ids.length === 0) return [];
  const [from, there] = await Promise.all([source.getMany(ids), target.getMany(ids)]);
  const outcomes = new Map<SecretId, JournalItem>();
  const toWrite: Array<[SecretId, SecretValues]> = [];
  // Each source value is hashed once, for the comparison before and the verification after.
  const sourceHash = new Map<SecretId, string>();
  for (const id of ids) {
    const values = from.get(id);
    if (!values) {
      outcomes.set(id, { id, outcome: "failed", verified: false, code: NOT_IN_SOURCE });
      continue;
    }
    sourceHash.set(id, hash.secret(values));
    if (there.has(id) && hash.secret(there.get(id)!) === sourceHash.get(id))
      outcomes.set(id, { id, outcome: "already", verified: true });
    else toWrite.push([id, values]);
  }
  await inParallel(toWrite, concurrency, async ([id, values]) => {
    try {
      // The batch read just showed whether the target has it: one request instead of a failed
      // update and a create. The other call only when that changed meanwhile.
      if (there.has(id)) await upsert(target, id, values);
      else await createOrUpdate(target, id, values);
      outcomes.set(id, { id, outcome: "copied", verified: false });
    } catch (error) {
      outcomes.set(id, { id, outcome: "failed", verified: false, code: codeOf(error) });
    }
  });
  const written = toWrite.map(([id]) => id).filter((id) => outcomes.get(id)!.outcome === "copied");
  if (written.length > 0) {
    const readBack = await target.getMany(written);
    for (const id of written) {
      const copy = readBack.get(id);
      const matches = copy !== undefined && hash.secret(copy) === sourceHash.get(id);
      outcomes.set(
        id,
        matches
          ? { id, outcome: "copied", verified: true }
          : { id, outcome: "failed", verified: false, code: VERIFY_MISMATCH },
      );
    }
  }
  return ids.map((id) => outcomes.get(id)!);
}

/** Compares every live secret once more; copies again (and re-verifies) the ones that differ. */
async function finalPass(
  metadata: MetadataRepository,
  source: SecretsStore,
  target: SecretsStore,
  journal: MigrationJournal,
  hash: ValueFingerprinter,
  batchSize: number,
  concurrency: number,
): Promise<string[]> {
  const recopied: string[] = [];
  let after = "";
  for (;;) {
    const ids = await metadata.liveIdsAfter(after, batchSize);
    if (ids.length === 0) return recopied;
    after = ids.at(-1)!;
    const [from, there] = await Promise.all([source.getMany(ids), target.getMany(ids)]);
    const differ = ids.filter((id) => {
      const values = from.get(id);
      const copy = there.get(id);
      if (!values) return false; // failed as NOT_IN_SOURCE already, or deleted meanwhile
      return copy === undefined || hash.secret(copy) !== hash.secret(values);
    });
    if (differ.length === 0) continue;
    const outcomes = await copyBatch(source, target, differ, hash, concurrency);
    await journal.record(outcomes);
    recopied.push(...outcomes.filter((item) => item.outcome === "copied").map((item) => item.id));
  }
}

async function report(
  journal: MigrationJournal,
  total: number,
  recopied: string[],
): Promise<MigrationReport> {
  const out: MigrationReport = {
    migrationId: journal.migrationId,
    resumed: journal.resumed,
    total,
    copied: [],
    already: [],
    failed: [],
    verified: 0,
    recopied,
  };
  for (const item of await journal.all()) {
    if (item.verified) out.verified++;
    if (item.outcome === "failed") out.failed.push({ id: item.id, code: item.code ?? "UNKNOWN" });
    else out[item.outcome].push(item.id);
  }
  return out;
}

async function countLive(metadata: MetadataRepository): Promise<number> {
  const row = await metadata.run((db) =>
    db
      .selectFrom("coffer_secrets")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("state", "in", LIVE_STATES)
      .executeTakeFirstOrThrow(),
  );
  return Number(row.n);
}

function countOutcome(progress: MigrationProgress, item: JournalItem): void {
  progress[item.outcome === "already" ? "already" : item.outcome === "copied" ? "copied" : "failed"]++;
}

async function createOrUpdate(store: SecretsStore, id: SecretId, values: SecretValues): Promise<void> {
  try {
    await store.create(id, values);
  } catch (error) {
    if (codeOf(error) !== "ALREADY_EXISTS") throw error;
    await upsert(store, id, values);
  }
}

/** Runs `work` over `items` with at most `limit` in flight. */
async function inParallel<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(workers);
}

/** By the error's code, not its class (see upsert in mirrored-store.ts). */
function codeOf(error: unknown): string {
  if (isCofferError(error)) return error.code;
  const code = (error as { code?: unknown })?.code;
  return typeof code === "string" && /^[A-Z_]+$/.test(code) ? code : "UNKNOWN";
}

export function newMigrationId(): string {
  return randomUUID();
}
