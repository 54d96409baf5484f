/**
 * Files: `secret export` (values to a plain-text file: JSON, YAML, dotenv or shell), `secret validate` and `secret resolve`
 * (the {{name.key}} references in a YAML or JSON configuration file).
 */
import {
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  ftruncateSync,
  lstatSync,
  openSync,
  writeSync,
} from "node:fs";
import path from "node:path";
import { currentAuditContext, withAuditContext } from "@coffer/audit/context";
import { findReferences, metadataToJson, type SecretValidationLevel, ValidationError } from "@coffer/core";
import type { Command } from "commander";
import { parseDocument, stringify } from "yaml";
import { CliError, usageError } from "../cli-errors.js";
import type { Context } from "../context.js";
import {
  allowedVariables,
  defaultEnding,
  outputFormatFor,
  serializeValues,
  type ValueFormat,
} from "../secret-formats.js";
import { describeYamlError, readInputFile, where } from "../values-input.js";
import { describeSecret, listKeys, refFor } from "./common.js";

export async function exportSecret(context: Context, command: Command): Promise<void> {
  const [name] = command.args as [string];
  const options = command.opts<{
    private?: boolean;
    output?: string;
    force?: boolean;
    format?: ValueFormat;
    allowEnv?: string[];
  }>();
  const toStdout = options.output === "-";
  // Checked before anything is read: `-o api.txt` would otherwise get YAML under another name.
  if (options.output !== undefined && !toStdout) outputFormatFor(options.output, options.format);
  if (toStdout && context.json && options.format !== undefined && options.format !== "json") {
    throw usageError(
      `With --json and -o -, export prints its JSON result, so --format ${options.format} has nowhere to go.`,
      `Leave out --json to print ${options.format}, or write it to a file with -o.`,
    );
  }
  const client = await context.client();
  const ref = await refFor(client, name, options.private);
  // Recorded as an export, not a plain read (local mode; a server records a read).
  const secret = await withAuditContext({ ...auditContextNow(), readAs: "secret.export" }, () =>
    client.get(ref),
  );
  const allowed = allowedVariables(options.allowEnv);
  const output =
    options.output ??
    `${secret.name.replace(/[^A-Za-z0-9._-]/g, "_")}.${defaultEnding(options.format ?? "yaml")}`;
  const metadata = metadataToJson(secret.metadata());
  if (toStdout) {
    // Standard output: the document (YAML unless --format says), or with --json the one JSON result
    // every command prints, the values in it (schemas/secret-export.json; `jq .values` is the document).
    if (context.json)
      context.result({ secret: metadata, output, format: "json", values: secret.values }, () => "");
    else process.stdout.write(serializeValues(secret.values, options.format ?? "yaml", allowed));
    return;
  }
  const format = outputFormatFor(output, options.format);
  // Serialised before the file is opened: a key that cannot be a variable leaves no file behind.
  const text = serializeValues(secret.values, format, allowed);
  writePrivateFile(output, text, Boolean(options.force));
  context.note(
    `warning: ${output} holds the values of ${describeSecret(secret)} in plain text (mode 0600); delete it when you are done.`,
  );
  context.result(
    { secret: metadata, output: path.resolve(output), format },
    () => `Exported ${describeSecret(secret)} (${listKeys(secret.keys)}) to ${output}.`,
  );
}

export async function validate(context: Context, command: Command): Promise<void> {
  const [file] = command.args as [string];
  const options = command.opts<{ level?: SecretValidationLevel }>();
  const config = readConfigFile(file);
  const references = findReferences(config).length;
  const client = await context.client();
  const problems = await client.validateReferences(config, options.level);
  context.result({ file, references, problems }, () => {
    if (problems.length === 0) {
      return references === 0
        ? `${file} has no {{name.key}} references.`
        : `All ${references} ${references === 1 ? "reference" : "references"} in ${file} check out.`;
    }
    return problems.map((problem) => `${problem.path || "/"}: ${problem.message}`).join("\n");
  });
  if (problems.length > 0) {
    throw new CliError(
      "invalidInput",
      `${problems.length} of ${references} references in ${file} do not resolve.`,
      "Create the missing secrets or keys (coffer secret create / update), or fix the references.",
    );
  }
}

export async function resolve(context: Context, command: Command): Promise<void> {
  const [file] = command.args as [string];
  const options = command.opts<{ output?: string; force?: boolean }>();
  const toFile = options.output !== undefined && options.output !== "-";
  const format = toFile ? outputFormat(options.output!) : formatOf(file);
  const config = readConfigFile(file);
  const client = await context.client();
  const resolved = await client.resolveReferences(config);
  const text = serialize(resolved, format);
  if (!toFile) {
    // --json: the one result object (schemas/secret-resolve.json), the document in it.
    context.result({ file, output: "-", format: "json", document: resolved }, () => text);
    return;
  }
  writePrivateFile(options.output!, text, Boolean(options.force));
  context.note(
    `warning: ${options.output} holds secret values in plain text (mode 0600); delete it when you are done.`,
  );
  context.result(
    { file, output: path.resolve(options.output!), format },
    () => `Wrote ${file} with its references resolved to ${options.output}.`,
  );
}

// --- helpers -----------------------------------------------------------------------------------

/** The format of a file read: JSON by its name, else YAML (which JSON documents are too). */
function formatOf(file: string): "json" | "yaml" {
  return /\.json$/i.test(file) ? "json" : "yaml";
}

/**
 * The format of a file written, by its name: .json is JSON; .yaml, .yml or no ending at all is
 * YAML. Any other ending (`api.env`, `.env`, `db.txt`) is refused as a usage error rather than
 * given YAML under a name that promises another format.
 */
function outputFormat(file: string): "json" | "yaml" {
  const base = path.basename(file);
  const dot = base.lastIndexOf(".");
  const ending = dot === -1 ? "" : base.slice(dot + 1).toLowerCase();
  if (ending === "json") return "json";
  if (ending === "" || ending === "yaml" || ending === "yml") return "yaml";
  throw usageError(
    `-o ${base}: coffer writes YAML (.yaml, .yml) or JSON (.json), not .${ending}.`,
    "Name the file with one of those endings, or use -o - for standard output.",
  );
}

function serialize(data: unknown, format: "json" | "yaml"): string {
  return format === "json" ? `${JSON.stringify(data, null, 2)}\n` : stringify(data);
}

/**
 * Creates (or with `force` replaces) a file only its owner can read, and writes `text` to it.
 * Never through a symbolic link (O_NOFOLLOW: `-o link --force` would rewrite the link's target,
 * wherever it points), and never into a file that is not a plain file or that has other hard
 * links (the values would show under the other name). The existing file is truncated only after
 * these checks.
 */
function writePrivateFile(file: string, text: string, force: boolean): void {
  let fd: number;
  try {
    const flags =
      constants.O_WRONLY | constants.O_CREAT | (constants.O_NOFOLLOW ?? 0) | (force ? 0 : constants.O_EXCL);
    fd = openSync(file, flags, 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") {
      const link = isSymbolicLink(file);
      throw new CliError(
        "conflict",
        `The file ${file} exists already${link ? " (a symbolic link)" : ""}.`,
        link
          ? "Choose another name with -o: coffer does not write through a symbolic link."
          : "Choose another name with -o, or pass --force to overwrite it.",
      );
    }
    if (code === "ELOOP" || (code === "EMLINK" && isSymbolicLink(file))) throw symbolicLinkError(file);
    throw new ValidationError(`The file ${file} cannot be written (${code}).`, {
      hint: "Check that its directory exists and that you may write there.",
      details: { file },
    });
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) {
      throw new ValidationError(`${file} is not a plain file, so the values are not written to it.`, {
        hint: "Choose a file name with -o (or -o - for standard output).",
        details: { file },
      });
    }
    if (stat.nlink > 1) {
      throw new ValidationError(
        `${file} has other hard links, so the values would also show under those names; nothing was written.`,
        { hint: "Remove the file first, or choose another name with -o.", details: { file } },
      );
    }
    // An existing file keeps its mode on open; make it private before any value goes in.
    fchmodSync(fd, 0o600);
    ftruncateSync(fd, 0);
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

function isSymbolicLink(file: string): boolean {
  try {
    return lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}

function symbolicLinkError(file: string): ValidationError {
  return new ValidationError(`${file} is a symbolic link; coffer does not write values through one.`, {
    hint: "Write to the real path with -o, or remove the link first.",
    details: { file },
  });
}

/** Reads a YAML or JSON configuration file; errors name the line and column, never the text. */
export function readConfigFile(file: string): unknown {
  const text = readInputFile(file);
  if (formatOf(file) === "json") {
    try {
      return JSON.parse(text);
    } catch (error) {
      const position = /position (\d+)/.exec((error as Error).message)?.[1];
      throw new ValidationError(
        `${file} is not valid JSON${position === undefined ? "" : where(text, Number(position))}.`,
        {
          hint: "Fix the JSON syntax (quotes, commas, braces).",
          details: { file },
        },
      );
    }
  }
  const document = parseDocument(text, { prettyErrors: false });
  const first = document.errors[0];
  if (first) {
    throw new ValidationError(
      `${file} is not valid YAML${where(text, first.pos[0])}: ${describeYamlError(first.code)}.`,
      {
        hint: "Fix the YAML syntax (indentation, quoting).",
        details: { file },
      },
    );
  }
  try {
    return document.toJS();
  } catch {
    throw new ValidationError(`${file} uses a YAML alias or tag that cannot be resolved.`, {
      hint: "Define each anchor before its alias, and use standard tags only.",
      details: { file },
    });
  }
}

function auditContextNow() {
  return currentAuditContext() ?? { origin: { kind: "cli-local" as const } };
}
