/**
 * `coffer secret import FILE`: many secrets at once (secrets-document.ts reads the file). The
 * whole file is checked, and every secret looked up, before the first write: a bad line, a bad
 * name or key, or (with --on-conflict fail) a secret that exists already writes nothing. Then each
 * secret is created, or with --on-conflict overwrite replaced (its values become the file's,
 * written only if it is still the version looked up), or skipped. The output names secrets and
 * keys, never values.
 */
import path from "node:path";
import {
  metadataToJson,
  type SecretMetadata,
  SecretNotFoundError,
  serializedSize,
  ValueTooLargeError,
} from "@coffer/core";
import type { Command } from "commander";
import { CliError, usageError } from "../cli-errors.js";
import type { Context } from "../context.js";
import { formatOfName } from "../secret-formats.js";
import { type ImportFormat, readSecretsFile, type SecretToImport } from "../secrets-document.js";
import { listKeys } from "./common.js";

type Policy = "skip" | "overwrite" | "fail";
type Action = "create" | "update" | "skip" | "conflict";

interface Step {
  secret: SecretToImport;
  action: Action;
  existing?: SecretMetadata;
}

export async function importSecrets(context: Context, command: Command): Promise<void> {
  const [file] = command.args as [string];
  const options = command.opts<{
    format?: ImportFormat;
    name?: string;
    onConflict: Policy;
    private?: boolean;
    dryRun?: boolean;
  }>();
  const format = importFormat(file, options.format);
  if (format === "dotenv" && options.name === undefined) {
    throw usageError(
      `${path.basename(file)} is a dotenv file, which holds one secret: name it with --name.`,
      `Write: coffer secret import ${file} --name NAME.`,
    );
  }
  if (format !== "dotenv" && options.name !== undefined) {
    throw usageError(
      `--name is for a dotenv file; a ${format} file names its secrets itself.`,
      "Leave out --name.",
    );
  }
  const secrets = readSecretsFile(file, format, options.name);
  const isPrivate = Boolean(options.private);

  const client = await context.client();
  await checkSizes(client, secrets, file);
  const steps: Step[] = [];
  for (const secret of secrets) {
    const existing = await lookUp(client, secret.name, isPrivate);
    const action: Action =
      existing === undefined
        ? "create"
        : options.onConflict === "overwrite"
          ? "update"
          : options.onConflict === "skip"
            ? "skip"
            : "conflict";
    steps.push(existing === undefined ? { secret, action } : { secret, action, existing });
  }
  const conflicts = steps.filter((step) => step.action === "conflict").map((step) => step.secret.name);
  const visibility = isPrivate ? "private" : "public";

  const report = (written: Map<string, SecretMetadata>) => ({
    file: path.resolve(file),
    format,
    onConflict: options.onConflict,
    private: isPrivate,
    dryRun: Boolean(options.dryRun),
    secrets: steps.map((step) => {
      const metadata = written.get(step.secret.name);
      return {
        name: step.secret.name,
        action: step.action,
        keys: Object.keys(step.secret.values),
        ...(metadata ? { secret: metadataToJson(metadata) } : {}),
      };
    }),
    counts: {
      create: count(steps, "create"),
      update: count(steps, "update"),
      skip: count(steps, "skip"),
      conflict: count(steps, "conflict"),
    },
  });

  if (options.dryRun) {
    context.result(report(new Map()), () => planText(steps, visibility, file));
    if (conflicts.length > 0) throw conflictError(conflicts, visibility, true);
    return;
  }
  if (conflicts.length > 0) throw conflictError(conflicts, visibility, false);

  const written = new Map<string, SecretMetadata>();
  for (const step of steps) {
    try {
      if (step.action === "create") {
        const made = await client.create({
          name: step.secret.name,
          values: step.secret.values,
          private: isPrivate,
        });
        written.set(step.secret.name, made.metadata());
      } else if (step.action === "update") {
        const updated = await client.update(
          { id: step.existing!.id },
          { values: step.secret.values, mode: "replace" },
          { expectedVersion: step.existing!.version },
        );
        written.set(step.secret.name, updated);
      }
    } catch (error) {
      // Say what is already in, so that a second run (with --on-conflict skip) finishes the job.
      if (written.size > 0 && error instanceof Error) {
        error.message = `${error.message} (imported before this: ${[...written.keys()].join(", ")}; the rest of ${file} was not written)`;
      }
      throw error;
    }
  }
  context.result(report(written), () => {
    const done = steps.map(
      (step) =>
        `${ACTION_DONE[step.action]} ${visibility} secret '${step.secret.name}' (${listKeys(Object.keys(step.secret.values))})`,
    );
    const summary = `Imported ${file}: ${count(steps, "create")} created, ${count(steps, "update")} updated, ${count(steps, "skip")} skipped.`;
    return [...done, summary].join("\n");
  });
}

type Client = Awaited<ReturnType<Context["client"]>>;

/**
 * Refuses, before the first write, a secret larger than the store takes (capability
 * maxValueBytes, counted as the store counts it): otherwise the secrets before it would be
 * written and the import stop halfway. When the store's description cannot be read (a server
 * that does not show it to this user), the store's own check at each write remains.
 */
async function checkSizes(client: Client, secrets: readonly SecretToImport[], file: string): Promise<void> {
  let maxBytes: number;
  try {
    maxBytes = (await client.storeInfo()).store.capabilities.maxValueBytes;
  } catch {
    return;
  }
  for (const secret of secrets) {
    const size = serializedSize(secret.values);
    if (size > maxBytes) {
      throw new ValueTooLargeError(
        `The secret '${secret.name}' in ${file} is ${size} bytes, ${size - maxBytes} over the store's limit of ${maxBytes} bytes; nothing was written.`,
        {
          hint: "Split it into several secrets or shorten its values.",
          details: { name: secret.name, sizeBytes: size, maxBytes },
        },
      );
    }
  }
}

/** The format of the file: --format, else its name (.env, .json, .yaml/.yml). */
function importFormat(file: string, given: ImportFormat | undefined): ImportFormat {
  if (given !== undefined) return given;
  const named = formatOfName(file);
  if (named === "dotenv" || named === "json" || named === "yaml") return named;
  throw usageError(
    `${path.basename(file)}: say what it holds with --format dotenv|json|yaml (coffer reads .env, .json, .yaml and .yml by their name).`,
    "A JSON or YAML file maps secret names to their keys and values; a dotenv file holds one secret (--name).",
  );
}

/** The secret `name` of this visibility, or undefined when there is none. */
async function lookUp(client: Client, name: string, isPrivate: boolean): Promise<SecretMetadata | undefined> {
  try {
    return await client.getMetadata({ name, private: isPrivate });
  } catch (error) {
    if (error instanceof SecretNotFoundError) return undefined;
    throw error;
  }
}

function count(steps: readonly Step[], action: Action): number {
  return steps.filter((step) => step.action === action).length;
}

const ACTION_DONE: Record<Action, string> = {
  create: "created",
  update: "replaced the values of",
  skip: "skipped",
  conflict: "conflict:",
};

function planText(steps: readonly Step[], visibility: string, file: string): string {
  if (steps.length === 0) return `${file} holds no secrets: nothing to import.`;
  const lines = steps.map(
    (step) =>
      `${step.action.padEnd(8)} ${visibility} secret '${step.secret.name}' (${listKeys(Object.keys(step.secret.values))})`,
  );
  return [...lines, "Dry run: nothing was written."].join("\n");
}

function conflictError(names: readonly string[], visibility: string, dryRun: boolean): CliError {
  return new CliError(
    "conflict",
    `${names.length === 1 ? "A" : names.length} ${visibility} ${names.length === 1 ? "secret" : "secrets"} of the file ${names.length === 1 ? "exists" : "exist"} already (${names.map((name) => `'${name}'`).join(", ")}); ${dryRun ? "without --dry-run, the import would stop here and write nothing" : "nothing was written"}.`,
    "Choose --on-conflict skip (keep them) or --on-conflict overwrite (replace their values with the file's).",
  );
}
