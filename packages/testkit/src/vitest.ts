// Vitest helpers (entry point `@coffer/testkit/vitest`, kept apart so that the main entry does not
// import vitest).
import { afterAll, beforeAll, beforeEach, describe } from "vitest";
import { announce } from "./announce.js";
import { NotAvailable } from "./errors.js";
import { startMysql } from "./mysql.js";
import { startPostgres } from "./postgres.js";
import { dockerRequired } from "./settings.js";
import type { TestDatabase } from "./types.js";

/**
 * A `describe` block whose tests share one resource started before them and stopped after them.
 *
 * If the resource is NotAvailable here (no Docker for a container), every test in the block is
 * reported as skipped with the note "<backend> not run: <reason>", and that line is printed once.
 * With COFFER_TEST_REQUIRE_DOCKER=1 (CI) the tests fail instead. Any other start-up error fails
 * every test in the block with that error.
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
          announce(skipNote);
        } else {
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
