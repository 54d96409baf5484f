/**
 * `coffer run -s NAME[,NAME…] [--dotenv FILE] -- COMMAND ARGS…`: runs COMMAND with the secrets'
 * keys as environment variables (see env-names.ts for the naming rule), then exits as it did.
 * Precedence, lowest first: coffer's own environment, the dotenv files (a later one over an
 * earlier one), the secrets — a secret is what the store holds now, a dotenv file a local default.
 *
 * The child runs through foreground-child (npm's, also used by tap and nyc): the child gets the
 * terminal, every signal coffer receives is passed on to it, coffer exits with the child's exit
 * code — or, when a signal ended the child, ends itself by the same signal, so the shell sees
 * 128+N as if it had run COMMAND itself — and a watchdog stops the child if coffer is killed.
 */

import { constants } from "node:os";
import { currentAuditContext, withAuditContext } from "@coffer/audit/context";
import type { Command } from "commander";
import { usageError } from "../cli-errors.js";
import type { Context } from "../context.js";
import { readDotenvFiles } from "../dotenv-files.js";
import { type SecretForEnv, secretsToEnv, splitNames } from "../env-names.js";
import { type OnChange, runWatching } from "../run-watch.js";

/** `--allow-env NAME` (repeatable, comma-separated): variable names, as `coffer run` forms them. */
function allowedVariables(lists: readonly string[]): Set<string> {
  const names = lists.flatMap((list) => list.split(",")).map((name) => name.trim());
  for (const name of names) {
    if (!/^[A-Z_][A-Z0-9_]*$/.test(name)) {
      throw usageError(
        `--allow-env '${name.slice(0, 40)}' is not a variable name as coffer run forms them (A-Z, 0-9, _).`,
        "Name the variable as coffer run sets it, e.g. --allow-env NODE_OPTIONS.",
      );
    }
  }
  return new Set(names);
}

export async function run(context: Context, command: Command): Promise<void> {
  const options = command.opts<{
    secret?: string[];
    prefix?: boolean;
    allowEnv?: string[];
    dotenv?: string[];
    watch?: boolean;
    onChange?: string;
    debounce?: number;
  }>();
  const [program, ...args] = command.args;
  if (program === undefined)
    throw usageError("The command to run is missing.", "Write: coffer run -s NAME -- COMMAND ARGS…");
  if (options.secret === undefined && options.dotenv === undefined) {
    throw usageError(
      "coffer run needs -s NAME (secrets) or --dotenv FILE.",
      "Write: coffer run -s NAME -- COMMAND ARGS…",
    );
  }
  const names = splitNames(options.secret ?? []);
  if (options.secret !== undefined && names.length === 0) {
    throw usageError("-s names no secret.", "Write -s NAME or -s NAME1,NAME2.");
  }
  // Before anything is read: the same secret twice would clash with itself on every key, and
  // --prefix (the hint for two secrets' keys) would not help.
  const twice = names.find((name, index) => names.indexOf(name) !== index);
  if (twice !== undefined) {
    throw usageError(`The secret '${twice}' is named twice in -s.`, "Name each secret once.");
  }
  const allowed = allowedVariables(options.allowEnv ?? []);
  const onChange = onChangeAction(options);
  // Dotenv files first: a malformed or refused line stops everything before the store is opened.
  const fromFiles = readDotenvFiles(options.dotenv ?? [], allowed);

  const client = await context.client();
  /** The child's environment with the secrets as the store holds them now. */
  const environment = async (): Promise<NodeJS.ProcessEnv> => {
    const secrets: SecretForEnv[] = [];
    for (const name of names) {
      // Recorded as a resolve for `run` (local mode; a server records a read).
      const { values, source, origin } = await withAuditContext(
        { ...(currentAuditContext() ?? { origin: { kind: "cli-local" } }), readAs: "secret.resolve" },
        () => client.resolveValues(name),
      );
      if (source === "local" && context.debug) context.note(`coffer: ${name} comes from ${origin}`);
      secrets.push(source === "local" && origin ? { name, values, origin } : { name, values });
    }
    const variables = secretsToEnv(secrets, { prefix: Boolean(options.prefix), allowed });
    if (context.debug) {
      const replaced = Object.keys(variables).filter((name) => Object.hasOwn(fromFiles, name));
      if (replaced.length > 0)
        context.note(`coffer: secrets replace the dotenv file's ${replaced.join(", ")}`);
    }
    return { ...process.env, ...fromFiles, ...variables };
  };
  const failedToStart = (error: NodeJS.ErrnoException) => reportFailedStart(context, program, error);
  if (onChange !== undefined) {
    return runWatching({
      program,
      args,
      names,
      environment,
      changes: (watched, signal, onReady) => client.watch(watched, { signal, onReady }),
      onChange,
      debounceMs: options.debounce ?? 500,
      note: (text) => context.note(text),
      failedToStart,
      close: () => context.close(),
    });
  }
  const env = await environment();
  // Nothing of the store stays open while the command runs (it may run for days).
  await context.close();

  const { foregroundChild } = await import("foreground-child");
  let startError: NodeJS.ErrnoException | undefined;
  const child = foregroundChild(program, args, { env }, (code) =>
    startError ? failedToStart(startError) : (code ?? undefined),
  );
  child.on("error", (error: NodeJS.ErrnoException) => {
    startError = error;
  });
  // foreground-child exits the process when the child ends; until then, wait.
  await new Promise<never>(() => {});
}

/** Prints why the command could not start, as a shell would say it, and returns the shell's code. */
function reportFailedStart(context: Context, program: string, error: NodeJS.ErrnoException): number {
  const notFound = error.code === "ENOENT";
  // The shell's codes for "not found" and "not executable".
  const exitCode = notFound ? 127 : 126;
  const message = notFound
    ? `The command '${program}' was not found.`
    : `The command '${program}' cannot be run (${error.code}).`;
  const hint = notFound ? "Check its name and your PATH." : "Check that it is an executable file.";
  process.stderr.write(
    context.json
      ? `${JSON.stringify({ error: { code: notFound ? "NOT_FOUND" : "PERMISSION_DENIED", exitCode, message, hint } })}\n`
      : `error: ${message} ${hint}\n`,
  );
  return exitCode;
}

/** --watch and --on-change: what to do when a secret changes, or undefined without --watch. */
function onChangeAction(options: { watch?: boolean; onChange?: string }): OnChange | undefined {
  if (!options.watch) {
    if (options.onChange !== undefined) {
      throw usageError(
        "--on-change needs --watch.",
        "Write: coffer run --watch --on-change SIGHUP -s NAME -- COMMAND…",
      );
    }
    return undefined;
  }
  const action = options.onChange ?? "restart";
  if (action === "restart") return "restart";
  const signal = action.toUpperCase().startsWith("SIG") ? action.toUpperCase() : `SIG${action.toUpperCase()}`;
  if (!Object.hasOwn(constants.signals, signal) || signal === "SIGKILL" || signal === "SIGSTOP") {
    throw usageError(
      `--on-change '${action.slice(0, 20)}' is neither 'restart' nor a signal the command can handle.`,
      "Write --on-change restart (the default) or a signal such as SIGHUP, SIGUSR1 or SIGUSR2.",
    );
  }
  return signal as NodeJS.Signals;
}
