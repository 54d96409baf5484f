/**
 * `coffer run --dotenv FILE`: the variables of dotenv files (dotenv.ts), checked by the same
 * guard as secrets' keys (env-guard.ts). A `.env` file is often checked in or handed around, so
 * whoever wrote it must not choose the code the program loads either: NODE_OPTIONS, LD_PRELOAD, …
 * are refused unless `--allow-env NAME` names them.
 */
import { recordOfNames, ValidationError } from "@coffer/core";
import { parseDotenv } from "./dotenv.js";
import { refusedBecause } from "./env-guard.js";
import { readInputFile } from "./values-input.js";

/**
 * The variables of `files`, a later file's value replacing an earlier one's (as later lines do
 * within a file). Throws before anything runs when a file is missing, malformed or sets a refused
 * variable that `allowed` does not name.
 */
export function readDotenvFiles(
  files: readonly string[],
  allowed: ReadonlySet<string>,
): Record<string, string> {
  const variables = recordOfNames();
  const refused: Array<{ variable: string; why: string }> = [];
  for (const file of files) {
    for (const [name, value] of parseDotenv(readInputFile(file, "--dotenv"), file)) {
      const why = refusedBecause(name);
      if (why !== undefined && !allowed.has(name)) {
        refused.push({ variable: name, why: `the dotenv file ${file} would set ${name}: ${why}` });
      }
      variables[name] = value;
    }
  }
  if (refused.length > 0) {
    const names = [...new Set(refused.map((entry) => entry.variable))];
    throw new ValidationError(
      `coffer run refuses variables that change how programs load or run, and nothing was run: ${refused.map((entry) => entry.why).join("; ")}.`,
      {
        hint: `If you trust whoever wrote the file, allow each by name: ${names.map((name) => `--allow-env ${name}`).join(" ")}.`,
        details: { field: "dotenv", variables: names },
      },
    );
  }
  return variables;
}
