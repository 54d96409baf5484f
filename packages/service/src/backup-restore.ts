/**
 * Restoring an archive through the service — never around it — so every rule of a write holds
 * (names, sizes, the write protocol, history). Each secret is written AS ITS OWNER: the service
 * makes the actor of a create the owner, so acting as the archive's owner is all it takes for
 * owners to survive, with no new service API; a private secret is created private and stays so.
 *
 * Three passes over the archive, none holding more than one secret:
 *   1. verify: decrypt to the end and check checksum and counts — a damaged archive writes nothing;
 *   2. plan: look each secret up — new, identical (already there), or in conflict; with
 *      `--on-conflict fail` any conflict stops here, still with nothing written;
 *   3. apply: create / overwrite / skip, journaled (backup-journal.ts) so a rerun resumes, each
 *      write read back and compared (the verified counts).
 *
 * Plan and apply handle several secrets at once (`concurrency`, default 8; bounded-stream.ts):
 * each write waits on commits (the audit trail gathers the records of concurrent requests into
 * one) and, on a remote store, round trips, which then overlap. Entries of one name are handled
 * one after another. The journal is per entry, so a run killed with several writes in flight
 * leaves each either done or started, and a rerun redoes the started ones.
 *
 * History, when the archive carries it, is replayed as successive versions of the values under
 * the secret's final name and visibility (so a secret private now is never public on the way);
 * the restored versions are new writes, dated now and written by the owner.
 */

import type { ArchiveDecryption, ArchivedSecret, ArchiveInput, ArchiveSummary } from "@coffer/backup";
import { type Actor, SecretExistsError, type SecretMetadata, SecretNotFoundError } from "@coffer/core";
import { archives } from "./archives-on-demand.js";
import { RestoreJournal } from "./backup-journal.js";
import { forEachBounded } from "./bounded-stream.js";
import type { SecretsService } from "./service.js";

export type ConflictPolicy = "skip" | "overwrite" | "fail";
export const CONFLICT_POLICIES: readonly ConflictPolicy[] = ["skip", "overwrite", "fail"];

export interface RestoreOptions {
  onConflict?: ConflictPolicy;
  dryRun?: boolean;
  /** Where the resume journal lives (the deployment's data directory); none: no resume. */
  journalDir?: string;
  onProgress?: (progress: RestoreProgress) => void;
  /** Test hook: wait this long before each write (to kill a restore mid-way). */
  writeDelayMs?: number;
  /** Secrets looked up and written at once (default 8). */
  concurrency?: number;
}

const DEFAULT_CONCURRENCY = 8;

export interface RestoreProgress {
  phase: "verify" | "plan" | "restore";
  secrets: number;
  total?: number;
}

/** A secret in conflict: name, owner and visibility only (never values). */
export interface ConflictEntry {
  name: string;
  owner: string;
  private: boolean;
}

export interface RestorePlan {
  /** Secrets in the archive. */
  secrets: number;
  create: number;
  /** Already there with the same owner, visibility and values. */
  identical: number;
  /** Finished by an earlier run of this restore (journal). */
  alreadyRestored: number;
  /** Left half-written by an earlier run; redone. */
  resume: number;
  conflicts: number;
  /** The first 100 conflicts. */
  conflictList: ConflictEntry[];
}

export interface RestoreReport {
  dryRun: boolean;
  onConflict: ConflictPolicy;
  archive: {
    sha256: string;
    createdAt: string;
    storeType: string;
    withHistory: boolean;
    counts: ArchiveSummary["counts"];
  };
  plan: RestorePlan;
  created: number;
  overwritten: number;
  skipped: number;
  identical: number;
  alreadyRestored: number;
  /** Secrets whose values in the deployment were read back equal to the archive's. */
  verified: number;
  /** History versions written. */
  historyVersions: number;
}

const CONFLICT_LIST_LIMIT = 100;

export class RestoreConflictError extends SecretExistsError {
  constructor(plan: RestorePlan) {
    const first = plan.conflictList
      .slice(0, 5)
      .map((entry) => `${entry.private ? "private" : "public"} '${entry.name}' (${entry.owner})`)
      .join(", ");
    super(
      `${plan.conflicts} secrets in the backup already exist with other values or owners: ${first}${plan.conflicts > 5 ? ", …" : ""}. Nothing was restored.`,
      {
        hint: "Choose --on-conflict skip (keep what is there) or --on-conflict overwrite (the backup wins); --dry-run shows the plan.",
        details: { conflicts: plan.conflicts, names: plan.conflictList.map((entry) => entry.name) },
      },
    );
  }
}

type Existing = { metadata: SecretMetadata; values: Record<string, string> } | undefined;

export async function restoreArchive(
  service: SecretsService,
  open: () => ArchiveInput,
  decryption: ArchiveDecryption,
  options: RestoreOptions = {},
): Promise<RestoreReport> {
  const policy = options.onConflict ?? "fail";
  const progress = options.onProgress;
  const summary = await (await archives()).verifyArchive(open(), decryption, ({ secrets }) =>
    progress?.({ phase: "verify", secrets }),
  );
  const total = summary.counts.secrets;
  const journal = new RestoreJournal(options.dryRun ? undefined : options.journalDir, summary.sha256);
  try {
    const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    const plan = await planRestore(service, open, decryption, journal, total, progress, concurrency);
    const report: RestoreReport = {
      dryRun: options.dryRun === true,
      onConflict: policy,
      archive: {
        sha256: summary.sha256,
        createdAt: summary.header.createdAt,
        storeType: summary.header.source.storeType,
        withHistory: summary.header.withHistory,
        counts: summary.counts,
      },
      plan,
      created: 0,
      overwritten: 0,
      skipped: 0,
      identical: 0,
      alreadyRestored: 0,
      verified: 0,
      historyVersions: 0,
    };
    if (options.dryRun) return report;
    if (policy === "fail" && plan.conflicts > 0) throw new RestoreConflictError(plan);
    await applyRestore(service, open, decryption, journal, policy, report, { ...options, concurrency });
    journal.complete();
    return report;
  } finally {
    journal.close();
  }
}

async function* secretsOf(open: () => ArchiveInput, decryption: ArchiveDecryption) {
  let index = 0;
  for await (const record of (await archives()).readArchive(open(), decryption)) {
    if (record.kind === "secret") yield { index: index++, secret: record.secret };
  }
}

async function planRestore(
  service: SecretsService,
  open: () => ArchiveInput,
  decryption: ArchiveDecryption,
  journal: RestoreJournal,
  total: number,
  progress: RestoreOptions["onProgress"],
  concurrency: number,
): Promise<RestorePlan> {
  const plan: RestorePlan = {
    secrets: 0,
    create: 0,
    identical: 0,
    alreadyRestored: 0,
    resume: 0,
    conflicts: 0,
    conflictList: [],
  };
  // Lookups finish in any order: the listed conflicts are the first ones in archive order.
  const conflicts: Array<{ index: number; entry: ConflictEntry }> = [];
  const pulled = async function* () {
    for await (const item of secretsOf(open, decryption)) {
      plan.secrets++;
      progress?.({ phase: "plan", secrets: plan.secrets, total });
      if (journal.done.has(item.index)) plan.alreadyRestored++;
      else yield item;
    }
  };
  await forEachBounded(pulled(), concurrency, nameKey, async ({ index, secret }) => {
    const existing = await findExisting(service, secret);
    if (!existing) plan.create++;
    else if (isIdentical(existing, secret)) plan.identical++;
    else if (journal.started.has(index)) plan.resume++;
    else {
      plan.conflicts++;
      conflicts.push({ index, entry: { name: secret.name, owner: secret.owner, private: secret.private } });
      if (conflicts.length > CONFLICT_LIST_LIMIT * 2) keepFirst(conflicts);
    }
  });
  keepFirst(conflicts);
  plan.conflictList = conflicts.map(({ entry }) => entry);
  return plan;
}

/** Keeps the CONFLICT_LIST_LIMIT conflicts earliest in the archive. */
function keepFirst(conflicts: Array<{ index: number }>): void {
  conflicts.sort((a, b) => a.index - b.index);
  conflicts.length = Math.min(conflicts.length, CONFLICT_LIST_LIMIT);
}

/** Entries of one name (public or private, any owner) are never handled at the same time. */
function nameKey({ secret }: { secret: ArchivedSecret }): string {
  return secret.name;
}

async function applyRestore(
  service: SecretsService,
  open: () => ArchiveInput,
  decryption: ArchiveDecryption,
  journal: RestoreJournal,
  policy: ConflictPolicy,
  report: RestoreReport,
  options: RestoreOptions & { concurrency: number },
): Promise<void> {
  let seen = 0;
  const pulled = async function* () {
    for await (const item of secretsOf(open, decryption)) {
      options.onProgress?.({ phase: "restore", secrets: ++seen, total: report.plan.secrets });
      if (journal.done.has(item.index)) {
        report.alreadyRestored++;
        report.verified++;
      } else yield item;
    }
  };
  await forEachBounded(pulled(), options.concurrency, nameKey, async ({ index, secret }) => {
    const existing = await findExisting(service, secret);
    if (existing && isIdentical(existing, secret)) {
      journal.finish(index);
      report.identical++;
      report.verified++;
      return;
    }
    const ours = journal.started.has(index);
    if (existing && !ours) {
      if (policy === "skip") {
        report.skipped++;
        return;
      }
      // A conflict that appeared after the plan (a write meanwhile) under "fail".
      if (policy === "fail")
        throw new RestoreConflictError({
          ...report.plan,
          conflicts: 1,
          conflictList: [{ name: secret.name, owner: secret.owner, private: secret.private }],
        });
    }
    if (options.writeDelayMs) await new Promise((resolve) => setTimeout(resolve, options.writeDelayMs));
    journal.start(index);
    if (existing) {
      await service.delete({ id: existing.metadata.owner }, { id: existing.metadata.id });
      if (!ours) report.overwritten++;
    }
    report.historyVersions += await writeSecret(service, secret);
    if (!existing || ours) report.created++;
    const after = await findExisting(service, secret);
    if (after && isIdentical(after, secret)) report.verified++;
    journal.finish(index);
  });
}

/** Creates the secret as its owner, replaying its history first. Returns history versions written. */
async function writeSecret(service: SecretsService, secret: ArchivedSecret): Promise<number> {
  const owner: Actor = { id: secret.owner };
  const steps = [...(secret.history ?? []).map((version) => version.values), secret.values];
  const first = steps[0]!;
  const created = await service.create(owner, { name: secret.name, values: first, private: secret.private });
  let previous = first;
  let written = 0;
  for (const values of steps.slice(1)) {
    if (sameValues(previous, values)) continue; // a rename or visibility version: no value change
    await service.update(owner, { id: created.id }, { values, mode: "replace" });
    previous = values;
    written++;
  }
  return written;
}

async function findExisting(service: SecretsService, secret: ArchivedSecret): Promise<Existing> {
  const owner: Actor = { id: secret.owner };
  try {
    const found = await service.get(owner, { name: secret.name, private: secret.private });
    return { metadata: found.metadata(), values: found.values };
  } catch (error) {
    if (error instanceof SecretNotFoundError) return undefined;
    throw error;
  }
}

function isIdentical(existing: NonNullable<Existing>, secret: ArchivedSecret): boolean {
  return (
    existing.metadata.owner === secret.owner &&
    existing.metadata.private === secret.private &&
    sameValues(existing.values, secret.values)
  );
}

function sameValues(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && a[key] === b[key])
  );
}
