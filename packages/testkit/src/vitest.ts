// Vitest helpers (entry point `@coffer/testkit/vitest`, kept apart so that the main entry does not
// import vitest).
import { afterAll, beforeAll, beforeEach, describe } from "vitest";
import { announce } from "./announce.js";
import { NotAvailable } from "./errors.js";
import { startMysql } from "./mysql.js";
import { startPostgres } from "./postgres.js";
import { recordOutcome } from "./run-record.js";
import { dockerRequired } from "./settings.js";
import type { TestDatabase } from "./types.js";

/**
 * A `describe` block whose tests share one resource started before them and stopped after them.
 *
 * If the resource is NotAvailable here (no Docker, or an image that is neither present nor
 * pullable), every test in the block is reported as skipped with the note "<backend> not run:
 * <reason>". Under `./dev test` the run's one summary line says so at the end (run-record.ts);
 * a lone vitest process prints the note once per block. When Docker is required
 * (COFFER_TEST_REQUIRE_DOCKER=1, or CI without COFFER_CI_DOCKER=0) the tests fail instead. Any
 * other start-up error fails every test in the block with that error.
 */
export function describeWith<T extends { stop(): Promise<void> }>(
  title: string,
  start: () => Promise<T>,
  body: (get: () => T) => void,
): void {
  describe(title, () => {
    let resource: T | undefined;
    let skipNote: string | undefined;
    let failure: unknown;

    beforeAll(async () => {
      try {
        resource = await start();
      } catch (error) {
        if (error instanceof NotAvailable && !dockerRequired()) {
          skipNote = `${error.backend} not run: ${error.reason}`;
          const recorded = recordOutcome({
            backend: error.backend,
            problem: error.problem,
            outcome: "skipped",
          });
          if (!recorded) announce(skipNote);
        } else {
          if (error instanceof NotAvailable) {
            recordOutcome({ backend: error.backend, problem: error.problem, outcome: "failed" });
          }
          failure = error;
        }
      }
    });

    afterAll(async () => {
      await resource?.stop();
    });

    beforeEach((context) => {
      if (skipNote !== undefined) context.skip(skipNote);
      if (failure !== undefined) throw failure;
    });

    body(() => {
      if (!resource) throw new Error(`${title}: not started (call the getter inside a test or hook)`);
      return resource;
    });
  });
}

/**
 * `describeWith` for a database: `describeWithDatabase("mysql", (getDb) => { test(…) })`.
 * `getDb()` returns the running TestDatabase inside tests and hooks.
 */
export function describeWithDatabase(
  dialect: TestDatabase["dialect"],
  body: (getDb: () => TestDatabase) => void,
): void {
  describeWith(dialect, dialect === "postgres" ? () => startPostgres() : startMysql, body);
}

export { describeKeySourceConformance, type KeySourceConformanceOptions } from "./key-source-conformance.js";
