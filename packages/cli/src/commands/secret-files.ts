/**
 * Files: `secret export` (values to a plain-text file), `secret validate` and `secret resolve`
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
import { CliError } from "../cli-errors.js";
import type { Context } from "../context.js";
import { describeYamlError, readInputFile, where } from "../values-input.js";
import { describeSecret, listKeys, refFor } from "./common.js";

export async function exportSecret(context: Context, command: Command): Promise<void> {
  const [name] = command.args as [string];
  const options = command.opts<{ private?: boolean; output?: string; force?: boolean }>();
  const client = await context.client();
  const ref = await refFor(client, name, options.private);
  // Recorded as an export, not a plain read (local mode; a server records a read).
  const secret = await withAuditContext({ ...auditContextNow(), readAs: "secret.export" }, () =>
    client.get(ref),
  );
  const output = options.output ?? `${secret.name.replace(/[^A-Za-z0-9._-]/g, "_")}.yaml`;
  const format = formatOf(output);
  const text = serialize(secret.values, format);
  if (output === "-") {
    process.stdout.write(text);
    return;
  }
  writePrivateFile(output, text, Boolean(options.force));
  context.note(
    `warning: ${output} holds the values of ${describeSecret(secret)} in plain text (mode 0600); delete it when you are done.`,
  );
  context.result(
    { file: path.resolve(output), format, secret: metadataToJson(secret.metadata()) },
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
  const config = readConfigFile(file);
  const client = await context.client();
  const resolved = await client.resolveReferences(config);
  const text = serialize(resolved, formatOf(options.output ?? file));
  if (options.output === undefined || options.output === "-") {
    context.result(resolved, () => text);
    return;
  }
  writePrivateFile(options.output, text, Boolean(options.force));
  context.note(
    `warning: ${options.output} holds secret values in plain text (mode 0600); delete it when you are done.`,
  );
  context.result(
    { file: path.resolve(options.output) },
    () => `Wrote ${file} with its references resolved to ${options.output}.`,
  );
}

// --- helpers -----------------------------------------------------------------------------------

function formatOf(file: string): "json" | "yaml" {
  return /\.json$/i.test(file) ? "json" : "yaml";
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
function readConfigFile(file: string): unknown {
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
