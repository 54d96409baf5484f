/**
 * The wording of configuration problems that are found by checking rather than by reading: a
 * schema's issues turned into one line naming the variable (or file setting) and the fix, a
 * setting outside its allowed values, and a `COFFER_*` variable that is a typo of a real one.
 */
import type { z } from "zod";
import { InvalidConfigError } from "../errors.js";
import { optionToEnvSuffix, type RawOptions } from "./env-options.js";
import {
  BACKUP_PREFIX,
  type ConfigSection,
  type Env,
  OTHER_KNOWN_VARIABLES,
  STORE_PREFIX,
  TOP_LEVEL,
} from "./settings.js";
import { editDistance } from "./text.js";

/** Checks gathered options against their schema; the first issue becomes the error's message. */
export function validateOptions(schema: z.ZodType, raw: RawOptions, what: string): unknown {
  const result = schema.safeParse(raw.values);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => describeIssue(issue, raw, what));
  const first = problems[0]!;
  throw new InvalidConfigError(first.message, {
    hint: first.hint,
    details: { problems: problems.map((problem) => problem.message), variable: first.variable },
  });
}

function describeIssue(
  issue: z.core.$ZodIssue,
  raw: RawOptions,
  what: string,
): { message: string; hint: string; variable: string | null } {
  const option = typeof issue.path[0] === "string" ? issue.path[0] : undefined;
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0] ?? "";
    const label = raw.sources[key] ?? key;
    return { message: `${label} is not an option of ${what}.`, hint: "Remove it.", variable: label };
  }
  if (!option) {
    return {
      message: `The options of ${what} are invalid: ${issue.message}.`,
      hint: `Check the ${raw.prefix}* variables${raw.fileLabel ? ` and '${raw.fileKey}' in ${raw.fileLabel}` : ""}.`,
      variable: null,
    };
  }
  const variable = raw.prefix + optionToEnvSuffix(option);
  const label = raw.sources[option] ?? variable;
  const alternative = raw.fileLabel ? ` (or ${raw.fileKey}.${option} in ${raw.fileLabel})` : "";
  if (raw.values[option] === undefined) {
    return {
      message: `${variable} is missing: ${what} needs it.`,
      hint: `Set ${variable}${alternative}.`,
      variable,
    };
  }
  const shown = raw.sensitive.includes(option)
    ? ""
    : ` (got ${JSON.stringify(raw.values[option])?.slice(0, 60)})`;
  return {
    message: `${label} is invalid${shown}: ${issue.message.replace(/^Invalid input: /, "")}.`,
    hint: `Fix ${label} and start again.`,
    variable: label,
  };
}

/** The allowed value `found` names (case-insensitively), `fallback` when nothing was set. */
export function oneOf<T extends string>(
  found: { value: string; source: string } | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  if (!found) return fallback;
  const match = allowed.find((candidate) => candidate.toLowerCase() === found.value.toLowerCase());
  if (match) return match;
  throw new InvalidConfigError(`${found.source} is '${found.value}', which is not allowed.`, {
    hint: `Use one of: ${allowed.join(", ")}.`,
    details: { variable: found.source },
  });
}

/** Refuses a `COFFER_*` variable that is two edits or fewer from a real one: a typo loses a setting. */
export function checkForMistypedVariables(env: Env, sections: Record<string, ConfigSection>): void {
  const known: string[] = [...Object.values(TOP_LEVEL), ...OTHER_KNOWN_VARIABLES];
  const prefixes = [
    STORE_PREFIX,
    BACKUP_PREFIX,
    ...Object.values(sections).map((section) => section.envPrefix),
  ];
  for (const variable of Object.keys(env)) {
    if (!variable.startsWith("COFFER_") || known.includes(variable)) continue;
    if (prefixes.some((prefix) => variable.startsWith(prefix))) continue;
    const close = known.find((candidate) => editDistance(candidate, variable) <= 2);
    if (close) {
      throw new InvalidConfigError(`${variable} is not a Coffer setting.`, {
        hint: `Did you mean ${close}? Rename it.`,
        details: { variable },
      });
    }
  }
}
