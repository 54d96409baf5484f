/** `store info`, `store rotate-key` and `reconcile`: the operator's commands. */
import type { Command } from "commander";
import { CliError } from "../cli-errors.js";
import type { Context } from "../context.js";
import { table } from "../table.js";

export async function info(context: Context): Promise<void> {
  const client = await context.client();
  const info = await client.storeInfo();
  context.result(info, () => {
    const { store, metadata } = info;
    const rows: string[][] = [
      ["store", `${store.type} — ${store.description}`],
      ["values in", store.location],
      ["health", `${store.health.status} (${store.health.latencyMs.toFixed(1)} ms)`],
      ["metadata in", metadata.location],
      ["metadata health", `${metadata.status} (${metadata.latencyMs.toFixed(1)} ms)`],
    ];
    if (store.module) rows.splice(1, 0, ["module", store.module]);
    if (store.keys) {
      const count = `${store.keys.keyCount} ${store.keys.keyCount === 1 ? "key" : "keys"}`;
      rows.push(["keys", `${count} in ${store.keys.source}, active ${store.keys.activeKeyId}`]);
      if (store.keys.missing > 0) rows.push(["missing keys", String(store.keys.missing)]);
    }
    rows.push(
      ["key rotation", store.keyRotation ? "yes (coffer store rotate-key)" : "no"],
      ["largest secret", `${store.capabilities.maxValueBytes} bytes`],
      ["user", info.user],
      ["data directory", info.dataDir],
    );
    if (info.configFile) rows.push(["config file", info.configFile]);
    for (const [name, value] of Object.entries(store.options))
      rows.push([`option ${name}`, JSON.stringify(value)]);
    if (store.health.status !== "ready" && store.health.message) rows.push(["problem", store.health.message]);
    if (metadata.status !== "ready" && metadata.message) rows.push(["metadata problem", metadata.message]);
    return `${table(["", ""], rows).split("\n").slice(1).join("\n")}\nstatus: ${info.status}`;
  });
  if (info.status !== "ready") {
    throw new CliError(
      "unavailable",
      "The store or the metadata database is not healthy (see above).",
      "Fix the problem shown, then run coffer store info again.",
    );
  }
}

export async function rotateKey(context: Context, command: Command): Promise<void> {
  const options = command.opts<{ batchSize?: number; generate: boolean }>();
  const client = await context.client();
  const result = await client.rotateKey({
    generateKey: options.generate,
    ...(options.batchSize ? { batchSize: options.batchSize } : {}),
    onBatch: (progress) => {
      if (!context.json)
        context.note(`… batch ${progress.batches}: ${progress.reencrypted} re-encrypted so far`);
    },
  });
  context.result(result, () =>
    [
      result.generated
        ? `New active key ${result.activeKeyId} (was ${result.previousKeyId}).`
        : `Active key ${result.activeKeyId} (no new key made).`,
      `Re-encrypted ${result.reencrypted} ${result.reencrypted === 1 ? "secret" : "secrets"} in ${result.batches} ${result.batches === 1 ? "batch" : "batches"}.`,
      result.remaining > 0
        ? `${result.remaining} still under an older key; run again with --no-generate.`
        : "",
    ]
      .filter(Boolean)
      .join("\n"),
  );
  if (result.unreadable.length > 0) {
    throw new CliError(
      "integrity",
      `${result.unreadable.length} secrets could not be decrypted and were left as they are.`,
      "Their keys are missing from the keyring: restore the keyring file from a backup, then run coffer store rotate-key --no-generate.",
    );
  }
}

export async function reconcile(context: Context, command: Command): Promise<void> {
  const options = command.opts<{ olderThan?: number }>();
  const client = await context.client();
  // By default only writes older than the service's lease (30 s): younger ones may still be running.
  const report = await client.reconcile(
    options.olderThan === undefined ? {} : { olderThanMs: options.olderThan * 1000 },
  );
  const repaired =
    report.completedCreates.length +
    report.rolledBackCreates.length +
    report.completedUpdates.length +
    report.completedDeletes.length;
  context.result(report, () =>
    repaired === 0 && report.failed.length === 0
      ? "Nothing to repair: every write finished."
      : [
          `Completed ${report.completedCreates.length} creates, ${report.completedUpdates.length} updates and ${report.completedDeletes.length} deletes; rolled back ${report.rolledBackCreates.length} creates.`,
          report.failed.length > 0
            ? `${report.failed.length} could not be repaired now (${report.failed.map((f) => f.code).join(", ")}).`
            : "",
        ]
          .filter(Boolean)
          .join("\n"),
  );
  if (report.failed.length > 0) {
    throw new CliError(
      "unavailable",
      `${report.failed.length} interrupted writes could not be repaired.`,
      "Check coffer store info, then run coffer reconcile again.",
    );
  }
}
