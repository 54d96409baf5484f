/** `secret create`, `update`, `rename` and `delete`. Their output names keys, never values. */
import { metadataToJson, type UpdateSecretInput, validateKey, validateSecretValues } from "@coffer/core";
import type { Command } from "commander";
import { CliError, usageError } from "../cli-errors.js";
import { CREATE_RESERVED_KEYS, UPDATE_RESERVED_KEYS } from "../command-tree/secret.js";
import type { Context } from "../context.js";
import { parseDotenv } from "../dotenv.js";
import { ask, assertTerminal, confirm, endPrompts } from "../prompt.js";
import { formatOfName } from "../secret-formats.js";
import { type Assignment, InputReader, parseValuesDocument, splitArguments } from "../values-input.js";
import { describeSecret, listKeys, refFor } from "./common.js";

interface ValueOptions {
  /** Every --values given, in order (repeatable: their keys add up, and a key in two is an error). */
  values?: string[];
  /** How to read them: by default a `.env` file as dotenv, anything else as JSON or YAML. */
  valuesFormat?: "dotenv" | "json" | "yaml";
  interactive?: boolean;
}

export async function create(context: Context, command: Command): Promise<void> {
  const options = command.opts<ValueOptions & { private?: boolean | string }>();
  // `--private db`: the flag alone, then the name (see parsePrivateFlag in command-tree/secret.ts).
  const wordAfterPrivate = typeof options.private === "string" ? [options.private] : [];
  if (typeof options.private === "string" && process.argv.includes(`--private=${options.private}`)) {
    // Not a name but `--private=…` with something other than true/false (not quoted: it may be
    // a value meant for a key named private).
    throw usageError(
      "--private takes true or false.",
      "Write --private, --private=true or --private=false; a key named 'private' goes in --values.",
    );
  }
  const { name, assignments } = nameAndAssignments(
    command,
    CREATE_RESERVED_KEYS,
    "secret create",
    wordAfterPrivate,
  );
  const values = await gatherValues(context, options, assignments);
  if (Object.keys(values).length === 0) {
    throw usageError("No keys given: nothing to create.", "Give --KEY=VALUE pairs, --values, or -i.");
  }
  const client = await context.client();
  const secret = await client.create({
    name,
    values,
    private: options.private === true || typeof options.private === "string",
  });
  context.result(
    metadataToJson(secret.metadata()),
    () =>
      `Created ${describeSecret(secret)} with ${listKeys(secret.keys)} (version ${secret.version}, id ${secret.id}).`,
  );
}

export async function update(context: Context, command: Command): Promise<void> {
  const options = command.opts<
    ValueOptions & { removeKeys?: string[]; replace?: boolean; private?: boolean; expectedVersion?: number }
  >();
  const { name, assignments } = nameAndAssignments(command, UPDATE_RESERVED_KEYS, "secret update");
  const values = await gatherValues(context, options, assignments);
  const removeKeys = (options.removeKeys ?? [])
    .flatMap((list) => list.split(","))
    .map((key) => key.trim())
    .filter((key) => key !== "");
  const setKeys = Object.keys(values);
  if (options.replace && removeKeys.length > 0) {
    throw usageError(
      "--replace and --remove-keys do not go together.",
      "With --replace, leave the keys to drop out of the values.",
    );
  }
  if (options.replace && setKeys.length === 0) {
    throw usageError("--replace needs the new values.", "Give them as --KEY=VALUE, --values or -i.");
  }
  const input: UpdateSecretInput = {};
  if (setKeys.length > 0) input.values = values;
  if (options.replace) input.mode = "replace";
  if (removeKeys.length > 0) input.removeKeys = removeKeys;
  if (options.private !== undefined) input.private = options.private;
  if (Object.keys(input).length === 0) {
    throw usageError(
      "Nothing to change.",
      "Give --KEY=VALUE, --values, -i, --remove-keys or --private true|false.",
    );
  }
  const client = await context.client();
  const ref = await refFor(client, name);
  const metadata = await client.update(
    ref,
    input,
    options.expectedVersion === undefined ? {} : { expectedVersion: options.expectedVersion },
  );
  const changes = [
    setKeys.length > 0 ? `${options.replace ? "replaced the values with" : "set"} ${setKeys.join(", ")}` : "",
    removeKeys.length > 0 ? `removed ${removeKeys.join(", ")}` : "",
    options.private !== undefined ? `made it ${options.private ? "private" : "public"}` : "",
  ].filter(Boolean);
  context.result(
    metadataToJson(metadata),
    () => `Updated ${describeSecret(metadata)}: ${changes.join("; ")} (version ${metadata.version}).`,
  );
}

export async function rename(context: Context, command: Command): Promise<void> {
  const [name, newName] = command.args as [string, string];
  const options = command.opts<{ private?: boolean }>();
  const client = await context.client();
  const before = await client.getMetadata(await refFor(client, name, options.private));
  const metadata = await client.rename({ id: before.id }, newName, { expectedVersion: before.version });
  context.result(
    metadataToJson(metadata),
    () => `Renamed ${describeSecret(before)} to '${metadata.name}' (version ${metadata.version}).`,
  );
}

export async function remove(context: Context, command: Command): Promise<void> {
  const [name] = command.args as [string];
  const options = command.opts<{ private?: boolean; yes?: boolean }>();
  const client = await context.client();
  const metadata = await client.getMetadata(await refFor(client, name, options.private));
  if (!options.yes) {
    if (!process.stdin.isTTY) {
      throw usageError(
        "Deleting asks for confirmation, and there is no terminal to ask on.",
        "Pass -y to delete without asking.",
      );
    }
    let confirmed: boolean;
    try {
      confirmed = await confirm(`Delete ${describeSecret(metadata)} (${listKeys(metadata.keys)})?`);
    } finally {
      endPrompts();
    }
    if (!confirmed) throw new CliError("cancelled", "Nothing deleted.");
  }
  // Delete what was shown: if it changed meanwhile, this is a conflict rather than a surprise.
  await client.delete({ id: metadata.id }, { expectedVersion: metadata.version });
  // --json: the secret as it was, like every command that acts on one secret (schemas/).
  context.result(metadataToJson(metadata), () => `Deleted ${describeSecret(metadata)}.`);
}

// --- values ------------------------------------------------------------------------------------

function nameAndAssignments(command: Command, reserved: string[], where: string, before: string[] = []) {
  const { positionals, assignments } = splitArguments([...before, ...command.args], reserved, where);
  const [name, ...extra] = positionals;
  if (name === undefined) {
    throw usageError("The secret's name is missing.", `Write: coffer ${where} NAME --KEY=VALUE …`);
  }
  if (extra.length > 0) {
    throw usageError(
      // Not quoted: a stray word is often a value that lost its --KEY=.
      `${extra.length === 1 ? "An argument" : `${extra.length} arguments`} after the name ${extra.length === 1 ? "is" : "are"} not --KEY=VALUE.`,
      "Give values as --KEY=VALUE (quote a value that has spaces).",
    );
  }
  return { name, assignments };
}

async function gatherValues(
  context: Context,
  options: ValueOptions,
  assignments: Assignment[],
): Promise<Record<string, string>> {
  if (options.interactive && (assignments.length > 0 || options.values !== undefined)) {
    throw usageError(
      "-i asks for every value, so it does not go with --KEY=VALUE or --values.",
      "Use one or the other.",
    );
  }
  const reader = new InputReader();
  const pairs: Array<[string, string]> = [];
  const documents = options.values ?? [];
  documents.forEach((raw, index) => {
    const flag = documents.length > 1 ? `--values #${index + 1}` : "--values";
    const source =
      raw.startsWith("@") && !raw.startsWith("@@")
        ? raw === "@-"
          ? "standard input"
          : `the file ${raw.slice(1)}`
        : flag;
    const text = reader.value(raw, flag, { trimNewline: false });
    const file = raw.startsWith("@") && !raw.startsWith("@@") ? raw.slice(1) : undefined;
    const dotenv =
      options.valuesFormat === "dotenv" ||
      (options.valuesFormat === undefined && file !== undefined && formatOfName(file) === "dotenv");
    if (dotenv) {
      // A .env file's variables are the keys, as written; a name given twice is refused like a key.
      const where = file === undefined ? flag : file === "-" ? "standard input" : file;
      const variables = parseDotenv(text, where, { consequence: "nothing was written", refuseRepeats: true });
      pairs.push(...variables);
    } else {
      pairs.push(...parseValuesDocument(text, source));
    }
  });
  for (const { key, raw } of assignments) {
    pairs.push([key, reader.value(raw, `--${key}`, { trimNewline: true })]);
  }
  if (options.interactive) pairs.push(...(await askForValues(context)));
  return validateSecretValues(pairs);
}

async function askForValues(context: Context): Promise<Array<[string, string]>> {
  assertTerminal("-i (interactive)", "Give values with --KEY=@file or --values @file instead.");
  context.note("Enter each key and its value; an empty key finishes. Values are not shown as you type.");
  const pairs: Array<[string, string]> = [];
  try {
    for (;;) {
      const key = await ask("Key: ");
      if (key === "") break;
      try {
        validateKey(key);
      } catch (error) {
        context.note((error as Error).message);
        continue;
      }
      if (pairs.some(([given]) => given === key)) {
        context.note(`The key '${key}' is already given.`);
        continue;
      }
      pairs.push([key, await ask(`Value for '${key}': `, { hidden: true })]);
    }
  } finally {
    endPrompts();
  }
  return pairs;
}
