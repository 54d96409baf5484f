/**
 * `coffer diff A [B]`: what differs between two deployments — names, owners' private secrets, keys
 * and versions added, removed or changed — with values compared by keyed hash under a key made for
 * this run (never shown, never printed). A and B are each a backup file (diff-backup.ts), a
 * configuration file (.yaml/.yml) or a metadata database URL (opened with the current store
 * settings); with one argument, B is the current deployment — in remote mode the server's, to
 * which a backup file is uploaded (its admin diff endpoint). The comparison is the service's, and
 * is recorded in the deployment's audit log. Exit 0 when equal, 20 ("different") when not.
 */

import {
  diffSnapshots,
  type SecretDiff,
  type SecretsService,
  type SnapshotSource,
  ValueFingerprinter,
} from "@coffer/service";
import type { Command } from "commander";
import { CliError, usageError } from "../cli-errors.js";
import type { Context } from "../context.js";
import { asLocalUser, currentConfig, deploymentConfig, open } from "./deployment.js";
import {
  type BackupKeyOptions,
  backupDecryption,
  backupSnapshot,
  isBackupArgument,
  openBackupFile,
} from "./diff-backup.js";

type Side = { service: SecretsService; label: string } | { source: SnapshotSource };

export async function diff(context: Context, command: Command): Promise<void> {
  const [a, b] = command.args as [string, string | undefined];
  const options = command.optsWithGlobals<{ config?: string } & BackupKeyOptions>();
  const result =
    b === undefined && isBackupArgument(a)
      ? await archiveAgainstCurrent(context, a, options)
      : await direct(context, a, b, options);
  context.result(result, () => describe(result));
  if (!result.equal) {
    throw new CliError(
      "different",
      `${a} and ${b ?? "the current deployment"} differ: ${result.counts.added} added, ${result.counts.removed} removed, ${result.counts.changed} changed.`,
    );
  }
}

/**
 * A backup file against the current deployment, through the client: in local mode the service
 * compares; in remote mode the file is uploaded to the server's admin diff endpoint.
 */
async function archiveAgainstCurrent(
  context: Context,
  file: string,
  options: BackupKeyOptions,
): Promise<SecretDiff> {
  const decryption = backupDecryption(options);
  const client = await context.client();
  const result = await client.diffArchive(openBackupFile(file), { decryption });
  const current = client.mode === "remote" ? `the deployment at ${client.server}` : "current deployment";
  return { ...result, a: file, b: current };
}

/**
 * Deployments opened here (configuration files, database URLs, the local current deployment) and
 * backup files: the comparison runs through a deployment's service when there is one, so that the
 * deployment's audit log records it.
 */
async function direct(
  context: Context,
  a: string,
  b: string | undefined,
  options: { config?: string } & BackupKeyOptions,
): Promise<SecretDiff> {
  if (b === undefined && (await context.client()).mode === "remote") {
    throw usageError(
      "Against a server, coffer diff compares a backup file with the server's deployment.",
      "Give a backup file (coffer diff FILE --passphrase-file P), or two deployments (coffer diff a.yaml b.yaml).",
    );
  }
  const current = () => currentConfig(options.config);
  const opened: SecretsService[] = [];
  /** A backup file, a configuration file, a database URL, or (undefined) the current deployment. */
  const side = async (argument: string | undefined): Promise<Side> => {
    if (argument !== undefined && isBackupArgument(argument))
      return { source: backupSnapshot(argument, options) };
    const service = await open(
      argument === undefined ? await current() : await deploymentConfig(argument, current),
    );
    opened.push(service);
    return { service, label: argument ?? "current deployment" };
  };
  try {
    const left = await side(a);
    const right = await side(b);
    // A deployment read for the other's comparison records the read in its own audit log.
    const sourceOf = (s: Side) => ("source" in s ? s.source : s.service.readForDiff(s.label));
    const against = (s: Side): "archive" | "deployment" => ("source" in s ? "archive" : "deployment");
    if ("service" in right) {
      const other = sourceOf(left);
      return await asLocalUser(() =>
        right.service.diff(other, { label: right.label, side: "b", against: against(left) }),
      );
    }
    if ("service" in left) {
      return await asLocalUser(() =>
        left.service.diff(right.source, { label: left.label, side: "a", against: "archive" }),
      );
    }
    // Two backup files: no deployment is read, so there is nothing to audit.
    return await diffSnapshots(left.source, right.source, new ValueFingerprinter());
  } finally {
    await Promise.allSettled(opened.map((service) => service.close()));
  }
}

function describe(result: SecretDiff): string {
  if (result.equal) {
    const { same } = result.counts;
    return `Equal: ${same} ${same === 1 ? "secret" : "secrets"}, same names, keys, versions and values.`;
  }
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
