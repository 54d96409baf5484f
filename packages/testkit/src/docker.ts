/**
 * Is there a Docker engine Testcontainers can use, and if not, why: asked once per process, and
 * answered from the socket files when there is nothing to ask, so a machine without Docker gets a
 * plain reason instead of Testcontainers' runtime-strategy error.
 */
import { accessSync, constants, existsSync } from "node:fs";
import { homedir, userInfo } from "node:os";
import { join } from "node:path";
import { getContainerRuntimeClient } from "testcontainers";
import { dockerDisabled } from "./settings.js";

export type DockerStatus = { available: true } | { available: false; reason: string };

/** How long to wait for a Docker engine that has a socket but does not answer. */
const ANSWER_TIMEOUT_MS = 15_000;

let status: Promise<DockerStatus> | undefined;

/**
 * Whether Testcontainers can use a Docker engine here, and if not, why. Computed once per process.
 * Without any Docker socket it answers at once, without asking Testcontainers (whose discovery
 * then only says "Could not find a working container runtime strategy").
 *
 * DOCKER_HOST is taken as the docker CLI takes it: if it names a unix socket that does not exist,
 * Docker is unavailable, even though Testcontainers would go on to try other sockets.
 */
export function dockerStatus(): Promise<DockerStatus> {
  status ??= probe();
  return status;
}

async function probe(): Promise<DockerStatus> {
  if (dockerDisabled()) return { available: false, reason: "Docker disabled by COFFER_TEST_DOCKER=0" };
  const socketProblem = findSocketProblem();
  if (socketProblem) return { available: false, reason: socketProblem };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${ANSWER_TIMEOUT_MS / 1000} s`)),
      ANSWER_TIMEOUT_MS,
    );
    timer.unref();
  });
  try {
    await Promise.race([getContainerRuntimeClient(), timeout]);
    return { available: true };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      available: false,
      reason: `the Docker engine at ${describeDockerHost()} did not answer: ${message} (DEBUG=testcontainers* shows details)`,
    };
  } finally {
    clearTimeout(timer);
  }
}

function describeDockerHost(): string {
  return process.env.DOCKER_HOST || "the default sockets";
}

/** A reason when no usable socket can exist; undefined when it is worth asking Testcontainers. */
function findSocketProblem(): string | undefined {
  if (process.platform === "win32") return undefined; // named pipes: let Testcontainers look
  const dockerHost = process.env.DOCKER_HOST;
  if (dockerHost) {
    if (!dockerHost.startsWith("unix://")) return undefined; // tcp:// or ssh://: only asking tells
    return socketFileProblem(dockerHost.slice("unix://".length), `DOCKER_HOST=${dockerHost}`);
  }
  // Testcontainers can also be configured in ~/.testcontainers.properties or TESTCONTAINERS_HOST.
  if (process.env.TESTCONTAINERS_HOST || existsSync(join(homedir(), ".testcontainers.properties"))) {
    return undefined;
  }
  const candidates = [
    "/var/run/docker.sock",
    process.env.XDG_RUNTIME_DIR && join(process.env.XDG_RUNTIME_DIR, "docker.sock"),
    `/run/user/${userInfo().uid}/docker.sock`,
    join(homedir(), ".docker", "run", "docker.sock"),
    join(homedir(), ".docker", "desktop", "docker.sock"),
  ].filter((path): path is string => Boolean(path));
  const found = candidates.find((path) => existsSync(path));
  if (!found) return "no Docker engine: DOCKER_HOST is unset and /var/run/docker.sock does not exist";
  return socketFileProblem(found, found);
}

function socketFileProblem(path: string, what: string): string | undefined {
  if (!existsSync(path)) return `no Docker engine: ${what} names ${path}, which does not exist`;
  try {
    accessSync(path, constants.R_OK | constants.W_OK);
  } catch {
    return `no permission to use the Docker socket ${path} (is this user in the docker group?)`;
  }
  return undefined;
}
