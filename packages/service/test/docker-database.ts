// A PostgreSQL or MySQL container that a test can restart, freeze and thaw, started with the docker
// CLI on a fixed 127.0.0.1 port (Testcontainers publishes on a random port, which a `docker
// restart` may change; the pool under test must find the database where it left it).
import { execFile } from "node:child_process";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface ControllableDatabase {
  url: string;
  restart(): Promise<void>;
  pause(): Promise<void>;
  unpause(): Promise<void>;
  stop(): Promise<void>;
}

const SPECS = {
  postgres: {
    image: () => process.env.COFFER_TEST_POSTGRES_IMAGE ?? "postgres:17",
    port: 5432,
    env: ["POSTGRES_USER=coffer", "POSTGRES_PASSWORD=fake-password", "POSTGRES_DB=coffer"],
    ready: ["pg_isready", "-h", "127.0.0.1", "-U", "coffer", "-d", "coffer"],
    url: (port: number) => `postgres://coffer:fake-password@127.0.0.1:${port}/coffer`,
  },
  mysql: {
    image: () => process.env.COFFER_TEST_MYSQL_IMAGE ?? "mysql:8.4",
    port: 3306,
    env: [
      "MYSQL_ROOT_PASSWORD=fake-root",
      "MYSQL_USER=coffer",
      "MYSQL_PASSWORD=fake-password",
      "MYSQL_DATABASE=coffer",
    ],
    // Over TCP as the application user: the image's first start runs a socket-only server.
    ready: ["mysql", "-h127.0.0.1", "-ucoffer", "-pfake-password", "-e", "select 1", "coffer"],
    url: (port: number) => `mysql://coffer:fake-password@127.0.0.1:${port}/coffer`,
  },
} as const;

export async function startControllableDatabase(kind: keyof typeof SPECS): Promise<ControllableDatabase> {
  const spec = SPECS[kind];
  const port = await freePort();
  const { stdout } = await run("docker", [
    "run",
    "-d",
    "--label",
    "coffer.test=data-hardening",
    "-p",
    `127.0.0.1:${port}:${spec.port}`,
    ...spec.env.flatMap((pair) => ["-e", pair]),
    spec.image(),
  ]);
  const id = stdout.trim();
  const waitReady = async () => {
    const deadline = Date.now() + 120_000;
    for (;;) {
      try {
        await run("docker", ["exec", id, ...spec.ready]);
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await sleep(500);
      }
    }
  };
  try {
    await waitReady();
  } catch (error) {
    await run("docker", ["rm", "-f", "-v", id]).catch(() => undefined);
    throw error;
  }
  return {
    url: spec.url(port),
    async restart() {
      await run("docker", ["restart", "-t", "5", id]);
      await waitReady();
    },
    async pause() {
      await run("docker", ["pause", id]);
    },
    async unpause() {
      await run("docker", ["unpause", id]);
    },
    async stop() {
      await run("docker", ["rm", "-f", "-v", id]).catch(() => undefined);
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
