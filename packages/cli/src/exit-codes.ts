/**
 * The coffer command's exit codes. They are stable: scripts may test for them. Each typed error of
 * @coffer/core maps to one; the README's table is generated from `EXIT_CODES` (a test checks).
 */
import type { ErrorCode } from "@coffer/core";

export const EXIT_CODES = {
  ok: { code: 0, meaning: "success" },
  error: { code: 1, meaning: "unexpected error (a bug: run again with --debug and report it)" },
  usage: { code: 2, meaning: "usage: unknown command or flag, missing or malformed argument" },
  notFound: { code: 3, meaning: "not found: no such secret (or key) for you" },
  conflict: { code: 4, meaning: "conflict: the name is taken, or the secret changed since you read it" },
  invalidInput: {
    code: 5,
    meaning: "invalid input: a bad name, key or value, an unreadable or malformed file, reference problems",
  },
  config: { code: 6, meaning: "configuration: a COFFER_* setting or the configuration file is wrong" },
  unavailable: {
    code: 7,
    meaning: "backend unavailable: the store or database did not answer (retry later)",
  },
  denied: { code: 8, meaning: "denied: the backend refused access, or only the owner may do this" },
  notSupported: { code: 9, meaning: "not supported by the configured store" },
  integrity: { code: 10, meaning: "integrity: stored data failed a check (wrong key, tampering)" },
  cancelled: { code: 11, meaning: "cancelled: you answered no at a confirmation" },
  // 20, clear of the 12+ that other typed errors may take next: a finding, not a failure.
  different: { code: 20, meaning: "different: coffer diff found differences (listed on standard output)" },
  interrupted: { code: 130, meaning: "interrupted (Ctrl-C, or end of input at a prompt)" },
} as const;

export type ExitName = keyof typeof EXIT_CODES;

const BY_ERROR_CODE: Record<ErrorCode, ExitName> = {
  NOT_FOUND: "notFound",
  ALREADY_EXISTS: "conflict",
  VERSION_CONFLICT: "conflict",
  VALIDATION: "invalidInput",
  VALUE_TOO_LARGE: "invalidInput",
  INVALID_CONFIG: "config",
  BACKEND_UNAVAILABLE: "unavailable",
  AUDIT_UNAVAILABLE: "unavailable",
  ACCESS_DENIED: "denied",
  PERMISSION_DENIED: "denied",
  UNAUTHENTICATED: "denied",
  NOT_SUPPORTED: "notSupported",
  INTEGRITY: "integrity",
};

/**
 * The `error.code` that `--json` prints for an error the CLI raises itself (a CliError names its
 * exit): the same upper-case style as @coffer/core's codes, and the core code itself wherever one
 * means the same, so a script checks one list of codes whichever layer refused.
 */
export const CLI_ERROR_CODES: Record<Exclude<ExitName, "ok">, string> = {
  error: "UNEXPECTED",
  usage: "USAGE",
  notFound: "NOT_FOUND",
  conflict: "ALREADY_EXISTS",
  invalidInput: "VALIDATION",
  config: "INVALID_CONFIG",
  unavailable: "BACKEND_UNAVAILABLE",
  denied: "PERMISSION_DENIED",
  notSupported: "NOT_SUPPORTED",
  integrity: "INTEGRITY",
  cancelled: "CANCELLED",
  different: "DIFFERENT",
  interrupted: "INTERRUPTED",
};

/** Every `error.code` the command prints: @coffer/core's codes and the CLI's own (schemas/error.json). */
export const ERROR_CODES: readonly string[] = [
  ...new Set([...Object.keys(BY_ERROR_CODE), ...Object.values(CLI_ERROR_CODES)]),
].sort();

/** Whether `code` is one of @coffer/core's error codes. */
export function isCoreErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(BY_ERROR_CODE, code);
}

/** The exit code for a core error code (1 for a code this version does not know). */
export function exitCodeFor(code: ErrorCode | string): number {
  const name = Object.hasOwn(BY_ERROR_CODE, code) ? BY_ERROR_CODE[code as ErrorCode] : "error";
  return EXIT_CODES[name].code;
}
