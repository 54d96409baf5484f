/**
 * A secret's values as environment variables, written for a dotenv reader (`--format dotenv`) or
 * for a POSIX shell to `eval`/`source` (`--format shell`). Written here, not by a library: the
 * rules are a few lines, and what matters is that real readers get the value back byte for byte,
 * which test/env-formats.test.ts checks — shell output with a real bash and dash, dotenv output
 * with our strict reader (dotenv.ts) and Node's util.parseEnv — over fixed
 * awkward values and arbitrary strings (fast-check).
 *
 * Names follow `coffer run` (env-names.ts): `smtp.host` → SMTP_HOST. A key whose name would hold
 * no letter or digit (`-`, `日本`, `_`) is refused rather than written as `__`, and so are two
 * keys that become one name: a usage error naming the keys, before anything is written. A value
 * holding NUL cannot be an environment variable's value and is refused too (never quoted).
 */
import { ValidationError } from "@coffer/core";
import { usageError } from "./cli-errors.js";
import { refusedBecause } from "./env-guard.js";
import { envName } from "./env-names.js";

export type EnvFormat = "dotenv" | "shell";

/**
 * The variable for each key, in the secret's key order. Throws a usage error for a key that
 * cannot be a variable name or two keys that share one, and (unless `allowed` names it) for a
 * variable that changes how programs load or run — whoever writes a secret must not choose the
 * code that runs in the shell that sources it, as with `coffer run` (env-guard.ts).
 */
export function variablesFor(
  values: Readonly<Record<string, string>>,
  format: EnvFormat,
  allowed: ReadonlySet<string> = new Set(),
): Array<[variable: string, value: string]> {
  const byVariable = new Map<string, string>();
  const variables: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(values)) {
    const variable = envName(key);
    if (!/[A-Z0-9]/.test(variable)) {
      throw usageError(
        `The key '${key}' cannot be a variable name in --format ${format}: it has no letter A-Z or digit.`,
        "Rename the key (coffer secret update), or use --format json or yaml.",
      );
    }
    const earlier = byVariable.get(variable);
    if (earlier !== undefined) {
      throw usageError(
        `The keys '${earlier}' and '${key}' both become the variable ${variable} in --format ${format}.`,
        "Rename one of the keys, or use --format json or yaml.",
      );
    }
    byVariable.set(variable, key);
    if (value.includes("\u0000")) {
      throw new ValidationError(
        `The value of key '${key}' holds a NUL character, which no environment variable can.`,
        { hint: "Use --format json or yaml.", details: { field: "values", key } },
      );
    }
    const why = refusedBecause(variable);
    if (why !== undefined && !allowed.has(variable)) {
      throw new ValidationError(
        `The key '${key}' would set ${variable}, which coffer does not write in --format ${format} (${why}); nothing was written.`,
        {
          hint: `If you trust everyone who may write this secret: --allow-env ${variable}.`,
          details: { field: "keys", variables: [variable] },
        },
      );
    }
    variables.push([variable, value]);
  }
  return variables;
}

/**
 * `NAME='value'` lines, one a variable, for dotenv readers. The quote is chosen so that the
 * value reads back as written in both our reader and Node's (which knows no escapes but `\n`):
 * single quotes when the value has no `'`, else backticks when it has no backtick — both keep
 * the text exactly, newlines included — else double quotes with `\\ \" \n \r` escapes (read
 * exactly by dotenv.ts; Node's reader cannot represent such a value). A carriage return always
 * takes the escaped form, since readers turn a raw CR LF into LF.
 */
export function toDotenv(variables: ReadonlyArray<readonly [string, string]>): string {
  return variables.map(([name, value]) => `${name}=${dotenvQuote(value)}\n`).join("");
}

export function dotenvQuote(value: string): string {
  if (!value.includes("\r")) {
    if (!value.includes("'")) return `'${value}'`;
    if (!value.includes("`")) return `\`${value}\``;
  }
  const escaped = value.replace(/[\\"\n\r]/g, (char) => DOUBLE_QUOTE_ESCAPES[char]!);
  return `"${escaped}"`;
}

const DOUBLE_QUOTE_ESCAPES: Record<string, string> = { "\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r" };

/**
 * `export NAME='value'` lines for `eval "$(coffer secret get … --format shell)"` or `source`:
 * POSIX single quotes, in which every byte but `'` is literal (`$`, backticks, `\`, newlines);
 * a `'` is closed, escaped and reopened (`'\''`). bash, dash, zsh and ksh read it the same.
 */
export function toShell(variables: ReadonlyArray<readonly [string, string]>): string {
  return variables.map(([name, value]) => `export ${name}=${shellQuote(value)}\n`).join("");
}

export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", "'\\''")}'`;
}
