import { PostgreSqlContainer } from "@testcontainers/postgresql";
import { announce, seconds } from "./announce.js";
import { dockerStatus } from "./docker.js";
import { startEmbeddedPostgres } from "./embedded-postgres.js";
import { NotAvailable } from "./errors.js";
import { assertLocalImagePresent } from "./images.js";
import { once } from "./once.js";
import { dockerRequired, imageFor } from "./settings.js";
import type { TestDatabase } from "./types.js";

export const POSTGRES_IMAGE_ENV = "COFFER_TEST_POSTGRES_IMAGE";
export const POSTGRES_DEFAULT_IMAGE = "postgres:17";

export interface StartPostgresOptions {
  /**
   * Force one way. By default: a Testcontainers container when Docker is available, else an
   * embedded server (unless COFFER_TEST_REQUIRE_DOCKER=1, which makes a missing Docker an error).
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
  if (options.via === "testcontainers") return startPostgresContainer();
  const docker = await dockerStatus();
  if (docker.available) return startPostgresContainer();
  if (dockerRequired()) {
    throw new NotAvailable("postgres", `COFFER_TEST_REQUIRE_DOCKER=1 but ${docker.reason}`);
  }
  return startEmbeddedPostgres(docker.reason);
}

async function startPostgresContainer(): Promise<TestDatabase> {
  const docker = await dockerStatus();
  if (!docker.available) throw new NotAvailable("postgres", docker.reason);
  const image = imageFor(POSTGRES_IMAGE_ENV, POSTGRES_DEFAULT_IMAGE);
  await assertLocalImagePresent(image);
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
