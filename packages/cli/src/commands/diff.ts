/**
 * `coffer diff A [B]`: what differs between two deployments — names, owners' private secrets, keys
 * and versions added, removed or changed — with values compared by keyed hash under a key made for
 * this run (never shown, never printed). A and B are each a backup file (diff-backup.ts), a
 * configuration file (.yaml/.yml) or a metadata database URL (opened with the current store
 * settings); with one argument, B is the
 * current deployment. Exit 0 when equal, 20 ("different") when not.
 */

import {
  diffSnapshots,
  type SecretDiff,
  type SecretsService,
  type SnapshotSource,
  ValueFingerprinter,
} from "@coffer/service";
import type { Command } from "commander";
import { CliError } from "../cli-errors.js";
import type { Context } from "../context.js";
import { currentConfig, deploymentConfig, open } from "./deployment.js";
import { type BackupKeyOptions, backupSnapshot, isBackupArgument } from "./diff-backup.js";

export async function diff(context: Context, command: Command): Promise<void> {
  const [a, b] = command.args as [string, string | undefined];
  const options = command.optsWithGlobals<{ config?: string } & BackupKeyOptions>();
  const current = () => currentConfig(options.config);
  const opened: SecretsService[] = [];
  /** A backup file, a configuration file, a database URL, or (undefined) the current deployment. */
  const source = async (argument: string | undefined): Promise<SnapshotSource> => {
    if (argument !== undefined && isBackupArgument(argument)) return backupSnapshot(argument, options);
    const service = await open(
      argument === undefined ? await current() : await deploymentConfig(argument, current),
    );
    opened.push(service);
    return service.snapshot(argument ?? "current deployment");
  };
  try {
    const result = await diffSnapshots(await source(a), await source(b), new ValueFingerprinter());
    context.result(result, () => describe(result));
    if (!result.equal) {
      throw new CliError(
        "different",
        `${a} and ${b ?? "the current deployment"} differ: ${result.counts.added} added, ${result.counts.removed} removed, ${result.counts.changed} changed.`,
      );
    }
  } finally {
    await Promise.allSettled(opened.map((service) => service.close()));
  }
}

function describe(result: SecretDiff): string {
  if (result.equal) return `Equal: ${result.counts.same} secrets, same names, keys, versions and values.`;
  const who = (s: { name: string; owner?: string }) => (s.owner ? `${s.name} (private, ${s.owner})` : s.name);
  const lines = [`--- ${result.a}`, `+++ ${result.b}`];
  for (const s of result.added) lines.push(`+ ${who(s)} v${s.version} keys: ${s.keys.join(", ")}`);
  for (const s of result.removed) lines.push(`- ${who(s)} v${s.version} keys: ${s.keys.join(", ")}`);
  for (const c of result.changed) {
    const parts: string[] = [];
    if (c.version) parts.push(`version ${c.version.from} -> ${c.version.to}`);
    if (c.keysAdded.length) parts.push(`keys added: ${c.keysAdded.join(", ")}`);
    if (c.keysRemoved.length) parts.push(`keys removed: ${c.keysRemoved.join(", ")}`);
    if (c.keysChanged.length) parts.push(`values changed: ${c.keysChanged.join(", ")}`);
    lines.push(`~ ${who(c)}: ${parts.join("; ")}`);
  }
  lines.push(
    `${result.counts.added} added, ${result.counts.removed} removed, ${result.counts.changed} changed, ${result.counts.same} the same.`,
  );
  return lines.join("\n");
}
