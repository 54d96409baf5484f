/**
 * How `coffer run` names environment variables. A key becomes its upper-case form with every
 * character other than A–Z, 0–9 and _ replaced by _, and a _ in front when it would start with a
 * digit: `password` → PASSWORD, `smtp.host` → SMTP_HOST, `api-key` → API_KEY, `2fa` → _2FA. With
 * a prefix (the secret's name, mapped the same way) the two are joined by _: DB_PASSWORD.
 */
import { recordOfNames, ValidationError } from "@coffer/core";
import { refusedBecause } from "./env-guard.js";

export function envName(key: string, prefix?: string): string {
  const name = normalize(prefix === undefined ? key : `${normalize(prefix)}_${key}`);
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

function normalize(text: string): string {
  return text.toUpperCase().replace(/[^A-Z0-9_]/g, "_");
}

export interface SecretForEnv {
  name: string;
  values: Record<string, string>;
  /** Where a local override came from (COFFER_LOCAL_SECRET_DB, or the config file), for errors. */
  origin?: string;
}

export interface EnvOptions {
  prefix: boolean;
  /** Variables the user allowed with --allow-env although env-guard.ts refuses them. */
  allowed?: ReadonlySet<string>;
}

/**
 * The variables for `secrets`, in order. Two keys that land on one variable are an error that names
 * both: silently letting one win would hand a program the wrong password. A variable that changes
 * how programs load or run (env-guard.ts) is an error unless `allowed` names it: a secret's writer
 * must not choose the code its readers run.
 */
export function secretsToEnv(secrets: readonly SecretForEnv[], options: EnvOptions): Record<string, string> {
  const variables = recordOfNames();
  const from = new Map<string, string>();
  const refused: Array<{ variable: string; why: string }> = [];
  for (const secret of secrets) {
    for (const [key, value] of Object.entries(secret.values)) {
      const variable = envName(key, options.prefix ? secret.name : undefined);
      const source = `${secret.name}.${key}`;
      const why = refusedBecause(variable);
      if (why !== undefined && !options.allowed?.has(variable)) {
        const origin = secret.origin ? ` (a local override from ${secret.origin})` : "";
        refused.push({
          variable,
          why: `the key '${key}' of secret '${secret.name}'${origin} would set ${variable}: ${why}`,
        });
      }
      const earlier = from.get(variable);
      if (earlier !== undefined) {
        throw new ValidationError(`Keys ${earlier} and ${source} both become the variable ${variable}.`, {
          hint: options.prefix
            ? "Rename one of the keys, or run with one of the secrets."
            : "Pass --prefix to put each secret's name in front (DB_PASSWORD), or rename one of the keys.",
          details: { field: "keys", variable },
        });
      }
      from.set(variable, source);
      variables[variable] = value;
    }
  }
  if (refused.length > 0) {
    const names = [...new Set(refused.map((entry) => entry.variable))];
    throw new ValidationError(
      `coffer run refuses variables that change how programs load or run, and nothing was run: ${refused.map((entry) => entry.why).join("; ")}.`,
      {
        hint: `If you trust everyone who may write these secrets, allow each by name: ${names.map((name) => `--allow-env ${name}`).join(" ")}.`,
        details: { field: "keys", variables: names },
      },
    );
  }
  return variables;
}

/** `a,b\,c` → ["a", "b,c"]: names are comma-separated, and \, is a comma inside a name. */
export function splitNames(lists: readonly string[]): string[] {
  return lists
    .flatMap((list) => list.split(/(?<!\\),/))
    .map((name) => name.replace(/\\,/g, ",").trim())
    .filter((name) => name !== "");
}
