/**
 * What the backends of one test run did, collected across vitest's worker processes so that
 * `./dev test` can say it in ONE line at the end instead of one line per test file.
 *
 * scripts/run-tests.mjs creates a directory and names it in COFFER_TEST_RUN_DIR; each worker
 * appends one JSON line per suite whose backend did not run as a container. Without the variable
 * (vitest run directly) nothing is recorded and each process prints its own lines, as before.
 * Only node:fs here: run-tests.mjs imports this file on its own.
 */
import { appendFileSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const RUN_DIR_ENV = "COFFER_TEST_RUN_DIR";
const OUTCOMES = "outcomes.jsonl";

export interface Outcome {
  /** What did not run as a container, e.g. "postgres", "aws emulator". */
  backend: string;
  /** Why: no engine, or an image that cannot be had. */
  problem: string;
  /** What happened instead. */
  outcome: "embedded" | "skipped" | "failed";
}

export function runDir(env: Record<string, string | undefined> = process.env): string | undefined {
  return env[RUN_DIR_ENV] || undefined;
}

/** Records one suite's outcome; true when recorded (the caller then need not print it). */
export function recordOutcome(outcome: Outcome): boolean {
  const dir = runDir();
  if (!dir) return false;
  try {
    // One short O_APPEND write per line: lines from parallel workers do not interleave.
    appendFileSync(join(dir, OUTCOMES), `${JSON.stringify(outcome)}\n`);
    return true;
  } catch {
    return false;
  }
}

export function readOutcomes(dir: string): Outcome[] {
  let text: string;
  try {
    text = readFileSync(join(dir, OUTCOMES), "utf8");
  } catch {
    return [];
  }
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as Outcome];
      } catch {
        return [];
      }
    });
}

const HOW_TO_PROVIDE =
  "To run them: start Docker and make the images available (docker pull IMAGE; or, without a registry, " +
  "scripts/ci/build-images.sh and the COFFER_TEST_*_IMAGE variables, see docs/ci.md)";

/** The one line `./dev test` prints at the end, or undefined when every backend ran. */
export function summarizeOutcomes(outcomes: readonly Outcome[]): string | undefined {
  if (outcomes.length === 0) return undefined;
  const groups = new Map<string, { outcome: Outcome; suites: number }>();
  for (const outcome of outcomes) {
    const key = `${outcome.outcome}\u0000${outcome.backend}\u0000${outcome.problem}`;
    const group = groups.get(key);
    if (group) group.suites++;
    else groups.set(key, { outcome, suites: 1 });
  }
  const verb = { embedded: "ran on embedded PostgreSQL", skipped: "skipped", failed: "FAILED" };
  const parts = [...groups.values()].map(
    ({ outcome, suites }) =>
      `${outcome.backend} ${verb[outcome.outcome]} in ${suites} ${suites === 1 ? "suite" : "suites"} (${shorten(outcome.problem)})`,
  );
  const failed = outcomes.some((outcome) => outcome.outcome === "failed");
  const head = failed
    ? "[testkit] Docker backends could not run and this run requires them"
    : "[testkit] Docker backends did not run here, so their tests used the fallbacks";
  const tail = failed
    ? "Provide Docker and the images, or set COFFER_CI_DOCKER=0 to use the fallbacks on purpose"
    : HOW_TO_PROVIDE;
  return `${head}: ${parts.join("; ")}. ${tail}.`;
}

function shorten(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > 240 ? `${line.slice(0, 237)}...` : line;
}
