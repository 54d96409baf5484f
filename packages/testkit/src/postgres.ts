/**
 * A PostgreSQL server for a test file: a container when the plan says one can run, else the
 * embedded server (recorded for the run's summary), or NotAvailable when Docker is required.
 */
import { PostgreSqlContainer } from "@testcontainers/postgresql";
import { announce, seconds } from "./announce.js";
import { startEmbeddedPostgres } from "./embedded-postgres.js";
import { once } from "./once.js";
import { notAvailable, planContainer } from "./plan.js";
import { recordOutcome } from "./run-record.js";
import { imageFor } from "./settings.js";
import type { TestDatabase } from "./types.js";

export const POSTGRES_IMAGE_ENV = "COFFER_TEST_POSTGRES_IMAGE";
export const POSTGRES_DEFAULT_IMAGE = "postgres:17";

export interface StartPostgresOptions {
  /**
   * Force one way. By default: a Testcontainers container when Docker and the image are available,
   * else an embedded server — unless Docker is required (COFFER_TEST_REQUIRE_DOCKER=1, or CI
   * without COFFER_CI_DOCKER=0), which makes that an error (see plan.ts).
   */
  via?: "testcontainers" | "embedded";
}

/**
 * Starts a real PostgreSQL server for a test file. With Docker: `PostgreSqlContainer` running
 * $COFFER_TEST_POSTGRES_IMAGE (default postgres:17). Without: the PostgreSQL binaries of the
 * embedded-postgres package, on a free 127.0.0.1 port, with a data directory in a temp dir.
 */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<TestDatabase> {
  if (options.via === "embedded") return startEmbeddedPostgres();
  const image = imageFor(POSTGRES_IMAGE_ENV, POSTGRES_DEFAULT_IMAGE);
  const plan = await planContainer(image);
  if (plan.action === "run") return startPostgresContainer(image);
  if (plan.action === "fail" || options.via === "testcontainers") throw notAvailable("postgres", plan);
  // The run's summary line says why; a lone process says it on its own start line.
  const recorded = recordOutcome({ backend: "postgres", problem: plan.problem, outcome: "embedded" });
  return startEmbeddedPostgres(recorded ? undefined : plan.problem);
}

async function startPostgresContainer(image: string): Promise<TestDatabase> {
  const started = performance.now();
  // fsync off: test data need not survive a crash, and it makes DDL-heavy tests much faster.
  const container = await new PostgreSqlContainer(image)
    .withCommand([
      "postgres",
      "-c",
      "fsync=off",
      "-c",
      "synchronous_commit=off",
      "-c",
      "full_page_writes=off",
    ])
    .start();
  announce(`postgres: testcontainers ${image} (${seconds(started)})`);
  return {
    url: container.getConnectionUri(),
    dialect: "postgres",
    via: "testcontainers",
    image,
    stop: once(async () => {
      await container.stop();
    }),
  };
}
