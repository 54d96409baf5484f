/** `coffer backup [create]`, `coffer backup verify` and `coffer restore`. */
import { createReadStream, createWriteStream, readFileSync, rmSync } from "node:fs";
import { finished } from "node:stream/promises";
import type { ArchiveDecryption, ArchiveEncryption, ArchiveSummary } from "@coffer/backup";
import type { Command } from "commander";
import { CliError, usageError } from "../cli-errors.js";
import type { Context } from "../context.js";
import { ask } from "../prompt.js";
import { formatBytes, ProgressReporter } from "./backup-progress.js";

interface KeyOptions {
  passphraseFile?: string;
  identityFile?: string;
}

function readKeyFile(file: string, what: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new CliError(
      "invalidInput",
      `Cannot read the ${what} file ${file}: ${(error as NodeJS.ErrnoException).code ?? "error"}.`,
    );
  }
}

/** The passphrase: the file's first line, else asked (hidden) at the terminal. */
async function passphrase(options: KeyOptions, confirm: boolean): Promise<string> {
  if (options.passphraseFile) {
    const first = readKeyFile(options.passphraseFile, "passphrase").split(/\r?\n/)[0] ?? "";
    if (first === "")
      throw new CliError("invalidInput", `The passphrase file ${options.passphraseFile} is empty.`);
    return first;
  }
  if (!process.stdin.isTTY) {
    throw usageError(
      "A backup passphrase is needed, and standard input is not a terminal to ask it at.",
      "Give --passphrase-file FILE (or --recipient / --identity-file).",
    );
  }
  const answer = await ask("Backup passphrase: ", { hidden: true });
  if (answer === "") throw usageError("The passphrase is empty.");
  if (confirm) {
    const again = await ask("Again: ", { hidden: true });
    if (again !== answer) throw usageError("The two passphrases differ; nothing was written.");
  }
  return answer;
}

async function decryptionFor(options: KeyOptions): Promise<ArchiveDecryption> {
  if (options.identityFile) {
    const identities = readKeyFile(options.identityFile, "identity")
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line.startsWith("AGE-SECRET-KEY-"));
    if (identities.length === 0) {
      throw new CliError(
        "invalidInput",
        `The identity file ${options.identityFile} holds no AGE-SECRET-KEY-1… line.`,
      );
    }
    return { identities };
  }
  return { passphrase: await passphrase(options, false) };
}

function summaryText(summary: ArchiveSummary): string {
  const { counts } = summary;
  return [
    `${counts.secrets} secrets, ${counts.values} values, ${counts.historyVersions} older versions.`,
    `sha256 ${summary.sha256}`,
  ].join("\n");
}

export async function create(context: Context, command: Command): Promise<void> {
  const options = command.opts<
    KeyOptions & { output: string; recipient?: string[]; withHistory?: boolean }
  >();
  if (options.recipient?.length && options.passphraseFile) {
    throw usageError("Give either --recipient or --passphrase-file, not both.");
  }
  const encryption: ArchiveEncryption = options.recipient?.length
    ? { recipients: options.recipient }
    : { passphrase: await passphrase(options, true) };
  const client = await context.client();
  const progress = new ProgressReporter({ json: context.json });
  // "wx": never overwrite an earlier backup by mistake.
  let output: ReturnType<typeof createWriteStream>;
  try {
    output = createWriteStream(options.output, { flags: "wx", mode: 0o600 });
    await new Promise<void>((resolve, reject) => output.once("open", () => resolve()).once("error", reject));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(
      "invalidInput",
      code === "EEXIST"
        ? `${options.output} already exists; nothing was written.`
        : `Cannot write ${options.output}: ${code ?? "error"}.`,
      code === "EEXIST" ? "Choose another file name, or remove the old backup first." : undefined,
    );
  }
  let result: Awaited<ReturnType<typeof client.backup>>;
  try {
    result = await client.backup(output, {
      encryption,
      withHistory: options.withHistory === true,
      onProgress: (sample) =>
        progress.update({ phase: "backup", done: sample.secrets, bytes: sample.bytes, ...totalOf(sample) }),
    });
    output.end();
    await finished(output);
  } catch (error) {
    output.destroy();
    rmSync(options.output, { force: true });
    throw error;
  } finally {
    progress.finish();
  }
  // A remote backup arrives encrypted: read it back for its counts when we can.
  let summary = result.summary;
  if (!summary && "passphrase" in encryption) {
    const { verifyArchive } = await import("@coffer/backup");
    summary = await verifyArchive(createReadStream(options.output), encryption);
  }
  const report = {
    file: options.output,
    encryptedBytes: result.encryptedBytes,
    seconds: Number(progress.elapsedSeconds.toFixed(3)),
    ...(summary
      ? {
          createdAt: summary.header.createdAt,
          withHistory: summary.header.withHistory,
          counts: summary.counts,
          sha256: summary.sha256,
        }
      : {}),
  };
  context.result(report, () =>
    [
      `Wrote ${options.output} (${formatBytes(result.encryptedBytes)}).`,
      summary ? summaryText(summary) : "Counts and checksum: coffer backup verify FILE --identity-file KEYS.",
    ].join("\n"),
  );
}

function totalOf(sample: object): { total?: number } {
  const total = (sample as { total?: number }).total;
  return total === undefined ? {} : { total };
}

export async function verify(context: Context, command: Command): Promise<void> {
  const [file] = command.args as [string];
  const decryption = await decryptionFor(command.opts<KeyOptions>());
  const { verifyArchive } = await import("@coffer/backup");
  const progress = new ProgressReporter({ json: context.json });
  let summary: ArchiveSummary;
  try {
    summary = await verifyArchive(openFile(file)(), decryption, ({ secrets }) =>
      progress.update({ phase: "verify", done: secrets }),
    );
  } finally {
    progress.finish();
  }
  const report = {
    file,
    ok: true,
    formatVersion: summary.header.formatVersion,
    createdAt: summary.header.createdAt,
    source: summary.header.source,
    withHistory: summary.header.withHistory,
    counts: summary.counts,
    sha256: summary.sha256,
  };
  context.result(
    report,
    () =>
      `${file} is intact (format ${summary.header.formatVersion}, made ${summary.header.createdAt} from a '${summary.header.source.storeType}' store).\n${summaryText(summary)}`,
  );
}

function openFile(file: string) {
  try {
    readFileSync(file, { flag: "r" }).length;
  } catch (error) {
    throw new CliError(
      "invalidInput",
      `Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? "error"}.`,
    );
  }
  return () => createReadStream(file);
}

export async function restore(context: Context, command: Command): Promise<void> {
  const [file] = command.args as [string];
  const options = command.opts<
    KeyOptions & { onConflict: "skip" | "overwrite" | "fail"; dryRun?: boolean }
  >();
  const open = openFile(file);
  const decryption = await decryptionFor(options);
  const client = await context.client();
  const progress = new ProgressReporter({ json: context.json });
  const delay = Number(process.env.COFFER_TEST_RESTORE_WRITE_DELAY_MS ?? 0);
  let report: Awaited<ReturnType<typeof client.restore>>;
  try {
    report = await client.restore(open, {
      decryption,
      onConflict: options.onConflict,
      dryRun: options.dryRun === true,
      onProgress: (sample) =>
        progress.update({ phase: sample.phase, done: sample.secrets, ...totalOf(sample) }),
      ...(delay > 0 ? { writeDelayMs: delay } : {}),
    });
  } finally {
    progress.finish();
  }
  context.result(report, () => {
    const { plan } = report;
    const lines = [
      `Archive: ${report.archive.counts.secrets} secrets from a '${report.archive.storeType}' store, made ${report.archive.createdAt}; sha256 ${report.archive.sha256}.`,
      `Plan: ${plan.create} to create, ${plan.identical} already identical, ${plan.alreadyRestored} restored by an earlier run, ${plan.resume} to finish, ${plan.conflicts} in conflict (${report.onConflict}).`,
    ];
    for (const entry of plan.conflictList.slice(0, 20)) {
      lines.push(
        `  conflict: ${entry.private ? "private" : "public"} '${entry.name}' (owner ${entry.owner})`,
      );
    }
    if (report.dryRun) lines.push("Dry run: nothing was written.");
    else
      lines.push(
        `Restored: ${report.created} created, ${report.overwritten} overwritten, ${report.skipped} skipped, ${report.identical + report.alreadyRestored} already there; ${report.verified} of ${report.archive.counts.secrets} verified.`,
      );
    return lines.join("\n");
  });
}
