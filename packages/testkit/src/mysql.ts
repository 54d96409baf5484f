/** A MySQL (or MariaDB) server for a test file, in a container: there is no embedded fallback. */
import { MySqlContainer } from "@testcontainers/mysql";
import { announce, seconds } from "./announce.js";
import { once } from "./once.js";
import { notAvailable, planContainer } from "./plan.js";
import { imageFor } from "./settings.js";
import type { TestDatabase } from "./types.js";

export const MYSQL_IMAGE_ENV = "COFFER_TEST_MYSQL_IMAGE";
export const MYSQL_DEFAULT_IMAGE = "mysql:8.4";

/**
 * Starts a real MySQL server for a test file: `MySqlContainer` running $COFFER_TEST_MYSQL_IMAGE
 * (default mysql:8.4; CI uses local/mariadb:10.11). There is no embedded MySQL, so without Docker
 * or the image this throws NotAvailable with the reason.
 */
export async function startMysql(): Promise<TestDatabase> {
  const image = imageFor(MYSQL_IMAGE_ENV, MYSQL_DEFAULT_IMAGE);
  const plan = await planContainer(image);
  if (plan.action !== "run") throw notAvailable("mysql", plan);
  const started = performance.now();
  const container = await new MySqlContainer(image).start();
  announce(`mysql: testcontainers ${image} (${seconds(started)})`);
  return {
    url: container.getConnectionUri(),
    dialect: "mysql",
    via: "testcontainers",
    image,
    stop: once(async () => {
      await container.stop();
    }),
  };
}
