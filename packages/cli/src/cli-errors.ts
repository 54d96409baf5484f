/** Errors the command line itself raises (as opposed to the typed errors of @coffer/core). */
import { EXIT_CODES, type ExitName } from "./exit-codes.js";

export class CliError extends Error {
  readonly exit: ExitName;
  readonly hint: string | undefined;

  constructor(exit: ExitName, message: string, hint?: string) {
    super(message);
    this.name = "CliError";
    this.exit = exit;
    this.hint = hint;
  }

  get exitCode(): number {
    return EXIT_CODES[this.exit].code;
  }

  get oneLine(): string {
    return this.hint ? `${this.message} ${this.hint}` : this.message;
  }
}

/** A mistake in how the command was called: exit 2. */
export function usageError(message: string, hint?: string): CliError {
  return new CliError("usage", message, hint);
}
