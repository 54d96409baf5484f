/**
 * Runs one coffer command and turns every outcome into an exit code. Errors are printed as one
 * line — what was wrong, then how to fix it — and with --debug also as a stack trace. No error
 * message carries a secret value: core errors never do, and the CLI's own name keys and files only.
 */
import { withAuditContext } from "@coffer/audit/context";
import { CommanderError } from "commander";
import { CliError } from "./cli-errors.js";
import { commandWords } from "./command-tree/index.js";
import { CLI_ERROR_CODES, EXIT_CODES, exitCodeFor, isCoreErrorCode } from "./exit-codes.js";
import { activeContext, buildProgram } from "./program.js";

/** What `--json` prints on stderr for an error: `{ "error": ErrorReport }` (schemas/error.json). */
interface ErrorReport {
  /** One of ERROR_CODES (exit-codes.ts): @coffer/core's codes and the CLI's own, one style. */
  code: string;
  exitCode: number;
  message: string;
  hint?: string;
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram(version, argv);
  try {
    // Local mode's audit records say they came from the CLI (a server records its own origin).
    await withAuditContext({ origin: { kind: "cli-local" } }, () =>
      program.parseAsync([...argv], { from: "user" }),
    );
    return EXIT_CODES.ok.code;
  } catch (error) {
    const flags = { json: argv.includes("--json"), debug: argv.includes("--debug") };
    return report(error, argv, flags);
  } finally {
    await activeContext?.close().catch(() => undefined);
  }
}

function report(error: unknown, argv: readonly string[], flags: { json: boolean; debug: boolean }): number {
  const described = describe(error, argv);
  if (described === undefined) return EXIT_CODES.ok.code;
  if (flags.json) {
    process.stderr.write(`${JSON.stringify({ error: described })}\n`);
  } else {
    process.stderr.write(`error: ${described.message}${described.hint ? ` ${described.hint}` : ""}\n`);
  }
  if (flags.debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return described.exitCode;
}

function describe(error: unknown, argv: readonly string[]): ErrorReport | undefined {
  if (error instanceof CommanderError) return describeCommanderError(error, argv);
  if (error instanceof CliError) {
    const code = error.exit === "ok" ? CLI_ERROR_CODES.error : CLI_ERROR_CODES[error.exit];
    return withHint({ code, exitCode: error.exitCode, message: error.message }, error.hint);
  }
  const typed = error as { code?: unknown; oneLine?: unknown; hint?: unknown; details?: unknown };
  if (error instanceof Error && typeof typed.oneLine === "string" && typeof typed.code === "string") {
    // A CofferError (checked by shape: the bundled CLI and a client may hold different copies).
    // A code this version does not know (a custom store's own) is reported as unexpected, so that
    // --json's codes stay one documented list.
    const code = namesSetting(typed.details)
      ? "INVALID_CONFIG"
      : isCoreErrorCode(typed.code)
        ? typed.code
        : CLI_ERROR_CODES.error;
    return withHint(
      { code, exitCode: exitCodeFor(code), message: error.message },
      typeof typed.hint === "string" ? typed.hint : undefined,
    );
  }
  const message = error instanceof Error ? error.message.split("\n")[0]! : String(error);
  return {
    code: CLI_ERROR_CODES.error,
    exitCode: EXIT_CODES.error.code,
    message: `Unexpected error: ${message}`,
    hint: "Run again with --debug for details, and report it if it persists.",
  };
}

/**
 * Whether an error is about a COFFER_* setting (the client names it in `details.variable`: a
 * malformed COFFER_URL, a COFFER_TOKEN missing): a configuration error, whatever class it came as.
 */
function namesSetting(details: unknown): boolean {
  const variable = (details as { variable?: unknown } | undefined)?.variable;
  return typeof variable === "string" && variable.startsWith("COFFER_");
}

function describeCommanderError(error: CommanderError, argv: readonly string[]): ErrorReport | undefined {
  if (error.code === "commander.helpDisplayed" || error.code === "commander.version") return undefined;
  const where = commandPath(argv);
  if (error.code === "commander.help" || error.code === "commander.executeSubCommandAsync") {
    // Help was printed because no subcommand was given.
    return {
      code: CLI_ERROR_CODES.usage,
      exitCode: EXIT_CODES.usage.code,
      message: `'${where}' needs a subcommand (listed above).`,
    };
  }
  const message = sentence(
    error.message
      .replace(/^error: /, "")
      .replace(/\s*\n\s*/g, " ")
      // An unknown --flag=value is shown without its value: it may be a secret typed in the wrong place.
      .replace(/'(--[^=' ]+)=[^']*'/g, "'$1=…'"),
  );
  let hint = `Run '${where} --help' for usage.`;
  if (error.code === "commander.unknownOption" && where === "coffer run") {
    hint = "Put -- before the command to run: coffer run -s NAME -- COMMAND ARGS…";
  }
  return { code: CLI_ERROR_CODES.usage, exitCode: EXIT_CODES.usage.code, message, hint };
}

/** `coffer secret create` from the words of argv that name commands. */
function commandPath(argv: readonly string[]): string {
  return ["coffer", ...commandWords(argv)].join(" ");
}

function withHint(report: ErrorReport, hint: string | undefined): ErrorReport {
  return hint ? { ...report, hint } : report;
}

function sentence(text: string): string {
  const trimmed = text.trim();
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?)]$/.test(capital) ? capital : `${capital}.`;
}

/** Set by build.mjs from package.json. */
declare const __COFFER_VERSION__: string | undefined;

function version(): string {
  return typeof __COFFER_VERSION__ === "string" ? __COFFER_VERSION__ : "0.0.0-dev";
}
