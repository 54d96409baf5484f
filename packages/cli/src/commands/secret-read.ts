/** `secret get` (prints values, in a table or --format json|yaml|dotenv|shell: that is what it is for) and `secret list` (never values). */
import {
  type ListQuery,
  metadataToJson,
  type NameFilter,
  type Secret,
  type SecretMetadata,
  SecretNotFoundError,
} from "@coffer/core";
import type { Command } from "commander";
import { usageError } from "../cli-errors.js";
import type { Context } from "../context.js";
import type { ValueFormat } from "../secret-formats.js";
import { describeSecret, refFor } from "./common.js";

export async function get(context: Context, command: Command): Promise<void> {
  const [name] = command.args as [string];
  const options = command.opts<{
    private?: boolean;
    key?: string;
    newline: boolean;
    version?: number;
    format?: ValueFormat;
    allowEnv?: string[];
  }>();
  if (options.format !== undefined && context.json) {
    throw usageError(
      `--json prints get's JSON result (the secret and its values), so --format ${options.format} has nowhere to go.`,
      "Use one of them: --format json prints the values alone as a JSON object.",
    );
  }
  const client = await context.client();
  const read = options.version === undefined ? {} : { version: options.version };
  const secret = await client.get(await refFor(client, name, options.private), read);
  if (options.format !== undefined) {
    // The values alone, in the form asked for (with --key, that key only). Loaded here only, so
    // that a plain `get` starts without the YAML writer.
    const { allowedVariables, serializeValues } = await import("../secret-formats.js");
    const values =
      options.key === undefined ? secret.values : { [options.key]: keyValue(secret, options.key) };
    process.stdout.write(serializeValues(values, options.format, allowedVariables(options.allowEnv)));
    return;
  }
  if (options.key !== undefined) {
    const value = keyValue(secret, options.key);
    // --json: the same shape as without --key (schemas/secret-get.json), with only this key's value.
    if (context.json)
      context.result(
        { ...metadataToJson(secret.metadata()), values: { [options.key]: value } },
        () => undefined,
      );
    // The value and a newline for the terminal's sake ($(…) strips it); --no-newline for a file
    // that must hold exactly the value (like `vault kv get -field` into a pipe).
    else process.stdout.write(options.newline === false ? value : `${value}\n`);
    return;
  }
  // The table module (string-width) loads only here, so `get --key` starts without it.
  const { displayWidth, table } = await import("../table.js");
  context.result(secret.toWire({ values: true }), () => {
    const heading = `${describeSecret(secret)} · owner ${secret.owner} · version ${secret.version} · id ${secret.id}`;
    const values = secret.values;
    const width = Math.max(3, ...Object.keys(values).map((key) => displayWidth(key)));
    const rows = Object.keys(values).map((key) => [key, indentContinuation(values[key]!, width)]);
    return rows.length === 0 ? `${heading}\n(no keys)` : `${heading}\n${table(["KEY", "VALUE"], rows)}`;
  });
}

/** The value of `key`, or a not-found error that lists the secret's keys. */
function keyValue(secret: Secret, key: string): string {
  const value = secret.get(key);
  if (value === undefined) {
    throw new SecretNotFoundError(`The ${describeSecret(secret)} has no key '${key}'.`, {
      hint: `Its keys are: ${secret.keys.join(", ") || "(none)"}.`,
      details: { name: secret.name, key },
    });
  }
  return value;
}

export async function list(context: Context, command: Command): Promise<void> {
  const options = command.opts<{
    name?: string;
    nameContains?: string;
    nameStartsWith?: string;
    nameEndsWith?: string;
    private?: boolean;
    owner?: string;
    createdAfter?: string;
    createdBefore?: string;
    updatedAfter?: string;
    updatedBefore?: string;
    sort: "name" | "created" | "updated";
    desc?: boolean;
    limit: number;
    cursor?: string;
    all?: boolean;
  }>();
  const query: ListQuery = {
    sort: { by: options.sort, direction: options.desc ? "desc" : "asc" },
    limit: options.limit,
  };
  const nameFilter = pickNameFilter(options);
  if (nameFilter !== undefined) query.name = nameFilter;
  if (options.private !== undefined) query.private = options.private;
  if (options.owner !== undefined) query.owner = options.owner;
  if (options.createdAfter || options.createdBefore) {
    query.created = range(options.createdAfter, options.createdBefore);
  }
  if (options.updatedAfter || options.updatedBefore) {
    query.updated = range(options.updatedAfter, options.updatedBefore);
  }
  if (options.all && options.cursor)
    throw usageError("--all and --cursor do not go together.", "Use one of them.");
  if (options.cursor) query.cursor = options.cursor;

  const client = await context.client();
  const items: SecretMetadata[] = [];
  let nextCursor: string | undefined;
  if (options.all) {
    for await (const item of client.listAll(query)) items.push(item);
  } else {
    const page = await client.list(query);
    items.push(...page.items);
    nextCursor = page.nextCursor;
  }
  const { table } = await import("../table.js");
  context.result({ items: items.map(metadataToJson), ...(nextCursor ? { nextCursor } : {}) }, () => {
    if (items.length === 0) return options.cursor ? "No more secrets." : "No secrets.";
    const rows = items.map((item) => [
      item.name,
      item.private ? "private" : "public",
      item.owner,
      String(item.version),
      item.updatedAt.toISOString().replace(/\.\d+Z$/, "Z"),
      item.keys.join(","),
    ]);
    return table(["NAME", "VISIBILITY", "OWNER", "VERSION", "UPDATED", "KEYS"], rows);
  });
  if (nextCursor && !context.json) {
    context.note(`More secrets: run again with --cursor ${nextCursor} (or --all for every page).`);
  }
}

function pickNameFilter(options: {
  name?: string;
  nameContains?: string;
  nameStartsWith?: string;
  nameEndsWith?: string;
}): NameFilter | undefined {
  const given: NameFilter[] = [];
  if (options.name !== undefined) given.push(zenmlNameFilter(options.name));
  if (options.nameContains !== undefined) given.push({ contains: options.nameContains });
  if (options.nameStartsWith !== undefined) given.push({ startsWith: options.nameStartsWith });
  if (options.nameEndsWith !== undefined) given.push({ endsWith: options.nameEndsWith });
  if (given.length > 1) {
    throw usageError(
      "Give at most one of --name, --name-contains, --name-starts-with, --name-ends-with.",
      "Filter on one of them.",
    );
  }
  return given[0];
}

/** ZenML's filter operators for text, and the list filter each one is. */
const ZENML_OPERATORS: Record<string, (text: string) => NameFilter> = {
  equals: (text) => ({ equals: text }),
  contains: (text) => ({ contains: text }),
  startswith: (text) => ({ startsWith: text }),
  endswith: (text) => ({ endsWith: text }),
};
/** ZenML's other operators, which a name filter here does not have. */
const ZENML_UNSUPPORTED = ["notequals", "oneof", "in", "gt", "gte", "lt", "lte"];

/**
 * `--name` as ZenML users write it: `contains:api`, `startswith:payments/`, `endswith:-prod`,
 * `equals:db` (so a name that itself starts with one of these words is written `equals:WORD:…`).
 * Any other text is the exact name. ZenML's operators with no counterpart here are refused rather
 * than taken as a name that silently matches nothing.
 */
function zenmlNameFilter(name: string): NameFilter {
  const match = /^([a-z]+):(.*)$/is.exec(name);
  if (match === null) return { equals: name };
  const operator = match[1]!.toLowerCase();
  const filter = Object.hasOwn(ZENML_OPERATORS, operator) ? ZENML_OPERATORS[operator] : undefined;
  if (filter) return filter(match[2]!);
  if (ZENML_UNSUPPORTED.includes(operator)) {
    throw usageError(
      `--name '${operator}:…' is a ZenML filter that coffer does not have.`,
      "Use --name with equals:, contains:, startswith: or endswith: (or --name-contains, --name-starts-with, --name-ends-with).",
    );
  }
  return { equals: name };
}

function range(after: string | undefined, before: string | undefined) {
  return { ...(after ? { after } : {}), ...(before ? { before } : {}) };
}

/** Lines after the first of a multi-line value start under the value column. */
function indentContinuation(value: string, keyWidth: number): string {
  return value.replace(/\r?\n/g, `\n${" ".repeat(keyWidth + 2)}`);
}
