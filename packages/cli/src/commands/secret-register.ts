/**
 * `coffer secret register-missing FILE` (ZenML's `stack register-secrets`): finds what a
 * configuration file's `{{name.key}}` references miss, asks for each missing value at the
 * terminal (hidden), and creates the secret or adds the keys — one secret at a time, each written
 * only once the user confirms it. Stopping half way (Ctrl-C, Ctrl-D) keeps the secrets confirmed
 * so far and writes nothing else: the values typed for the secret at hand are dropped.
 *
 * With --json the result is always { file, references, dryRun, missing: [{ name, action:
 * "create" | "add-keys", keys, secret? }], written: [metadata], declined: [names] }.
 *
 * What is missing is the service's answer (`validateReferences`, names and keys only, the same
 * check as `secret validate`), and each reference is read back with @coffer/core's own parser
 * (`parseReference`): there is no second reading of the syntax here.
 */
import type { CofferClient } from "@coffer/client";
import {
  findReferences,
  formatReference,
  metadataToJson,
  parseReference,
  type ReferenceProblem,
  recordOfNames,
  type SecretMetadata,
} from "@coffer/core";
import type { Command } from "commander";
import { CliError } from "../cli-errors.js";
import type { Context } from "../context.js";
import { ask, assertTerminal, confirm, endPrompts } from "../prompt.js";
import { describeSecret, listKeys } from "./common.js";
import { readConfigFile } from "./secret-files.js";

/** One secret to register: a new one, or one that exists and misses keys. */
interface Missing {
  name: string;
  /** The keys to ask for, in the order the file first references them. */
  keys: string[];
  /** The secret a reference to `name` reads, when it exists (private first, then public). */
  existing?: SecretMetadata;
}

export async function registerMissing(context: Context, command: Command): Promise<void> {
  const [file] = command.args as [string];
  const options = command.opts<{ dryRun?: boolean; private?: boolean }>();
  if (!options.dryRun) {
    // Before anything is read: a script must not find out half way that it cannot answer.
    assertTerminal(
      "secret register-missing",
      "Run it at a terminal, or pass --dry-run to list what it would ask.",
    );
  }
  const config = readConfigFile(file);
  const references = findReferences(config).length;
  const client = await context.client();
  const missing = await findMissing(client, config);

  if (missing.length === 0) {
    context.result(
      { file, references, dryRun: Boolean(options.dryRun), missing: [], written: [], declined: [] },
      () =>
        references === 0
          ? `${file} has no {{name.key}} references: nothing to register.`
          : `All ${references} ${references === 1 ? "reference" : "references"} in ${file} resolve: nothing to register.`,
    );
    return;
  }
  if (options.dryRun) {
    context.result(
      { file, references, dryRun: true, missing: missing.map(describeMissing), written: [], declined: [] },
      () =>
        [
          `${file}: ${missing.length} ${missing.length === 1 ? "secret" : "secrets"} to register; this would ask to:`,
          ...missing.map((each) => `  ${plannedChange(each, Boolean(options.private))}`),
          "Dry run: nothing was asked or written.",
        ].join("\n"),
    );
    return;
  }

  const written: SecretMetadata[] = [];
  const declined: string[] = [];
  try {
    context.note(
      `${file}: ${missing.length} ${missing.length === 1 ? "secret" : "secrets"} to register. Values are not shown as you type.`,
    );
    for (const each of missing) {
      const values = recordOfNames();
      for (const key of each.keys) {
        values[key] = await ask(`Value for ${formatReference(each.name, key)}: `, { hidden: true });
      }
      if (!(await confirm(`${capitalize(plannedChange(each, Boolean(options.private)))}?`))) {
        declined.push(each.name);
        context.note(`Skipped secret '${each.name}': nothing written for it.`);
        continue;
      }
      const saved = await write(client, each, values, Boolean(options.private));
      written.push(saved);
      context.note(
        `${each.existing ? "Added" : "Created"} ${describeSecret(saved)}: ${each.existing ? `${listKeys(each.keys)} added` : listKeys(saved.keys)} (version ${saved.version}).`,
      );
    }
  } catch (error) {
    if (error instanceof CliError && error.exit === "interrupted") {
      const kept = written.map((metadata) => `'${metadata.name}'`).join(", ");
      throw new CliError(
        "interrupted",
        written.length === 0
          ? `${error.message.split(":")[0]}: nothing was saved.`
          : `${error.message.split(":")[0]}: only the secrets confirmed before were saved (${kept}); nothing else was.`,
      );
    }
    throw error;
  } finally {
    endPrompts();
  }

  context.result(
    {
      file,
      references,
      dryRun: false,
      missing: missing.map(describeMissing),
      written: written.map(metadataToJson),
      declined,
    },
    () =>
      `Registered ${written.length} of ${missing.length} ${missing.length === 1 ? "secret" : "secrets"} from ${file}.`,
  );
  if (declined.length > 0) {
    throw new CliError(
      "cancelled",
      `Not registered: ${declined.map((name) => `'${name}'`).join(", ")}; ${file} still has references that do not resolve.`,
      "Run the command again to register them, or create them with coffer secret create.",
    );
  }
}

/** What the file misses, one entry per secret, in the order the file first references each. */
async function findMissing(client: CofferClient, config: unknown): Promise<Missing[]> {
  const problems: ReferenceProblem[] = await client.validateReferences(config, "SECRET_AND_KEY_EXISTS");
  const byName = new Map<string, Missing>();
  for (const problem of problems) {
    const { name: written, key } = parseReference(problem.reference);
    // Stored names are NFC, and so are the names the service compares (references.ts).
    const name = written.normalize("NFC");
    const entry = byName.get(name) ?? { name, keys: [] };
    if (!entry.keys.includes(key)) entry.keys.push(key);
    byName.set(name, entry);
    if (problem.problem === "key-missing" && entry.existing === undefined) {
      // The secret a reference reads, as the service picks it: the caller's private one first.
      entry.existing = await client.getMetadata({ name });
    }
  }
  return [...byName.values()];
}

/** Creates the secret, or adds the keys to the one that exists — if it has not changed since. */
async function write(
  client: CofferClient,
  missing: Missing,
  values: Record<string, string>,
  isPrivate: boolean,
): Promise<SecretMetadata> {
  if (missing.existing) {
    return client.update(
      { id: missing.existing.id },
      { values },
      { expectedVersion: missing.existing.version },
    );
  }
  return (await client.create({ name: missing.name, values, private: isPrivate })).metadata();
}

function plannedChange(missing: Missing, isPrivate: boolean): string {
  return missing.existing
    ? `add ${listKeys(missing.keys)} to ${describeSecret(missing.existing)}`
    : `create ${isPrivate ? "private" : "public"} secret '${missing.name}' with ${listKeys(missing.keys)}`;
}

function describeMissing(missing: Missing) {
  return {
    name: missing.name,
    action: missing.existing ? "add-keys" : "create",
    keys: missing.keys,
    ...(missing.existing ? { secret: metadataToJson(missing.existing) } : {}),
  };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
