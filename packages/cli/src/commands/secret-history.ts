/**
 * `secret history` (who changed what and when: key names, never values) and `secret rollback`
 * (a new version with an earlier version's values; the history is kept).
 */
import { metadataToJson, type SecretVersion } from "@coffer/core";
import type { Command } from "commander";
import type { Context } from "../context.js";
import { table } from "../table.js";
import { describeSecret, refFor } from "./common.js";

export async function history(context: Context, command: Command): Promise<void> {
  const [name] = command.args as [string];
  const options = command.opts<{ private?: boolean }>();
  const client = await context.client();
  const found = await client.history(await refFor(client, name, options.private));
  const json = {
    ...found,
    versions: found.versions.map((each) => ({ ...each, created: each.created.toISOString() })),
  };
  context.result(json, () => {
    const rows = found.versions.map((each) => [
      String(each.version),
      each.created.toISOString().replace(/\.\d+Z$/, "Z"),
      each.createdBy,
      describeAction(each),
      describeChanges(each),
    ]);
    return table(["VERSION", "CREATED", "BY", "ACTION", "CHANGES"], rows);
  });
}

export async function rollback(context: Context, command: Command): Promise<void> {
  const [name] = command.args as [string];
  const options = command.opts<{ to: number; private?: boolean; expectedVersion?: number }>();
  const client = await context.client();
  const ref = await refFor(client, name, options.private);
  const metadata = await client.rollback(
    ref,
    options.to,
    options.expectedVersion === undefined ? {} : { expectedVersion: options.expectedVersion },
  );
  context.result(
    { ...metadataToJson(metadata), rolledBackTo: options.to },
    () =>
      `Rolled back ${describeSecret(metadata)} to the values of version ${options.to}: it is now version ${metadata.version}.`,
  );
}

function describeAction(version: SecretVersion): string {
  if (version.action === "rollback") return `rollback to ${version.rolledBackTo}`;
  if (version.action === "rename" && version.changes.renamedFrom !== undefined) {
    return `rename from '${version.changes.renamedFrom}'`;
  }
  if (version.action === "visibility") return version.private ? "made private" : "made public";
  return version.action;
}

/** "+new ~changed -removed", by key name. */
function describeChanges({ changes }: SecretVersion): string {
  const parts = [
    ...changes.added.map((key) => `+${key}`),
    ...changes.changed.map((key) => `~${key}`),
    ...changes.removed.map((key) => `-${key}`),
  ];
  return parts.length > 0 ? parts.join(" ") : "(values unchanged)";
}
