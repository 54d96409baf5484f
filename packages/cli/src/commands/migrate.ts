/**
 * `coffer migrate --to FILE`: moves every value from the current store to the store in FILE's
 * `store:` section, the metadata database staying where it is. The service runs with the target as
 * its backup store, so writes made by this process meanwhile reach both; the copy is journaled in
 * the metadata database (resumable after kill -9) and verified by keyed hashes. Other processes
 * writing meanwhile: see the README (configure the target as their backup store first).
 */

import type { MigrationProgress, MigrationReport } from "@coffer/service";
import type { Command } from "commander";
import { CliError } from "../cli-errors.js";
import type { Context } from "../context.js";
import { asLocalUser, currentConfig, fileConfig, open, storeIdentity, storeSettings } from "./deployment.js";

interface MigrateOptions {
  to: string;
  dryRun?: boolean;
  batchSize?: number;
  concurrency?: number;
}

export async function migrate(context: Context, command: Command): Promise<void> {
  const options = command.optsWithGlobals<MigrateOptions & { config?: string }>();
  const current = await currentConfig(options.config);
  const target = (await fileConfig(options.to)).store;
  const identity = storeIdentity(target);
  if (identity === storeIdentity(current.store)) {
    throw new CliError(
      "usage",
      `${options.to} names the store already in use.`,
      "Give --to a file whose store: section is the new store.",
    );
  }
  if (current.backupStore && storeIdentity(current.backupStore) !== identity) {
    throw new CliError(
      "config",
      `A backup store (${current.backupStore.type}) is configured, and it is not the migration's target.`,
      "Unset COFFER_BACKUP_STORE_* (or backupStore:), or set it to the target, then run coffer migrate again.",
    );
  }
  const service = await open({ ...current, backupStore: target });
  try {
    if (options.dryRun) {
      const plan = await service.migrationPlan(identity);
      const result = { dryRun: true, target: storeSettings(target), ...plan };
      context.result(result, () =>
        [
          `Would migrate ${plan.total} secrets from ${current.store.type} to ${target.type} (${options.to}).`,
          `Already in the target: ${plan.alreadyInTarget}; to copy: ${plan.total - plan.alreadyInTarget}.`,
          plan.unfinished
            ? `An unfinished migration to it (${plan.unfinished.items} secrets journaled) would be resumed.`
            : "",
          "Nothing was copied (--dry-run).",
        ]
          .filter(Boolean)
          .join("\n"),
      );
      return;
    }
    const report = await asLocalUser(() =>
      service.migrateValues(identity, {
        ...(options.batchSize ? { batchSize: options.batchSize } : {}),
        ...(options.concurrency ? { concurrency: options.concurrency } : {}),
        onProgress: (progress) => {
          if (!context.json) context.note(progressLine(progress));
        },
      }),
    );
    const next = switchSteps(options.to, storeSettings(target));
    context.result({ ...report, target: storeSettings(target), next }, () => summary(report, next));
    if (report.failed.length > 0) {
      throw new CliError(
        "unavailable",
        `${report.failed.length} secrets were not migrated (listed above).`,
        "Fix the cause, then run the same coffer migrate again: it resumes and retries only those.",
      );
    }
  } finally {
    await service.close();
  }
}

function progressLine(p: MigrationProgress): string {
  const percent = p.total === 0 ? 100 : Math.floor((p.done / p.total) * 100);
  return `… ${p.done}/${p.total} (${percent}%): ${p.copied} copied, ${p.already} already there, ${p.failed} failed`;
}

/** Exactly what to change once every value is in the target. */
function switchSteps(file: string, settings: Record<string, unknown>): string[] {
  return [
    `Replace the store: section of your configuration with the one in ${file} (or set COFFER_STORE_TYPE=${String(settings.type)} and its COFFER_STORE_* options).`,
    "Leave COFFER_DATABASE_URL (databaseUrl:) as it is: the metadata stays where it is.",
    "If you set the target as COFFER_BACKUP_STORE_* on your servers for the migration, remove it.",
    "Restart every server and client with the new settings; keep the old store until you have checked them (coffer diff).",
  ];
}

function summary(report: MigrationReport, next: string[]): string {
  const lines = [
    `${report.resumed ? "Resumed and finished" : "Finished"} migration ${report.migrationId}: ${report.total} secrets.`,
    `copied: ${report.copied.length}, already there: ${report.already.length}, failed: ${report.failed.length}, verified: ${report.verified}.`,
  ];
  if (report.recopied.length > 0)
    lines.push(`copied again after changing meanwhile: ${report.recopied.join(", ")}`);
  for (const failure of report.failed) lines.push(`failed: ${failure.id} (${failure.code})`);
  if (report.failed.length === 0)
    lines.push("", "Now switch the store:", ...next.map((step, i) => `  ${i + 1}. ${step}`));
  return lines.join("\n");
}
