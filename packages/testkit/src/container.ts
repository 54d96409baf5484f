/**
 * Any other test backend as a container (emulator images, for instance): one spec says the image,
 * its override variable, the port and when it is ready, and the common plan decides whether it runs.
 */
import {
  GenericContainer,
  type GenericContainer as GenericContainerType,
  type StartedTestContainer,
  Wait,
} from "testcontainers";
import { announce, seconds } from "./announce.js";
import { once } from "./once.js";
import { notAvailable, planContainer } from "./plan.js";
import { imageFor } from "./settings.js";

/** When a started container counts as ready. */
export type ReadyWhen =
  /** A line of its output matches (`times` lines, default 1). */
  | { log: string | RegExp; times?: number }
  /** GET `path` on the exposed port answers `status` (default 200); `https` skips certificate checks. */
  | { http: string; status?: number; https?: boolean }
  /** The exposed port listens inside the container (needs /bin/sh in the image). */
  | { port: true };

export interface ContainerSpec {
  /** Short name for logs and errors, e.g. "vault". */
  name: string;
  /** Upstream image used by default, e.g. "hashicorp/vault:1.20". */
  image: string;
  /** Environment variable that overrides the image, e.g. "COFFER_TEST_VAULT_IMAGE". */
  imageEnv: string;
  /** The container port the tests talk to; it is published on a random host port. */
  port: number;
  ready: ReadyWhen;
  env?: Record<string, string>;
  command?: string[];
  /** Files copied in before start (e.g. a server script into local/node:24). */
  files?: { source: string; target: string }[];
  /** Default 60 s. */
  startupTimeoutMs?: number;
  /** Anything else Testcontainers offers, applied last. */
  customize?: (container: GenericContainerType) => GenericContainerType;
}

export interface RunningContainer {
  readonly name: string;
  readonly image: string;
  readonly host: string;
  /** The host port mapped to `spec.port`. */
  readonly port: number;
  /** `http://host:port` (plain HTTP; build your own URL for other schemes). */
  readonly url: string;
  /** The Testcontainers handle, for logs, exec, extra ports. */
  readonly container: StartedTestContainer;
  stop(): Promise<void>;
}

/**
 * Starts one container for tests, e.g. an emulator: image from `spec.imageEnv` or the upstream
 * default, one exposed port, ready once a log line or an HTTP answer appears. Throws NotAvailable
 * without Docker or the image (present, or pullable).
 */
export async function startContainer(spec: ContainerSpec): Promise<RunningContainer> {
  const image = imageFor(spec.imageEnv, spec.image);
  const plan = await planContainer(image);
  if (plan.action !== "run") throw notAvailable(spec.name, plan);
  let container: GenericContainerType = new GenericContainer(image)
    .withExposedPorts(spec.port)
    .withWaitStrategy(waitStrategy(spec))
    .withStartupTimeout(spec.startupTimeoutMs ?? 60_000);
  if (spec.env) container = container.withEnvironment(spec.env);
  if (spec.command) container = container.withCommand(spec.command);
  if (spec.files) container = container.withCopyFilesToContainer(spec.files);
  if (spec.customize) container = spec.customize(container);
  const started = performance.now();
  const running = await container.start();
  announce(`${spec.name}: testcontainers ${image} (${seconds(started)})`);
  const host = running.getHost();
  const port = running.getMappedPort(spec.port);
  return {
    name: spec.name,
    image,
    host,
    port,
    url: `http://${host}:${port}`,
    container: running,
    stop: once(async () => {
      await running.stop();
    }),
  };
}

function waitStrategy(spec: ContainerSpec) {
  const ready = spec.ready;
  if ("log" in ready) return Wait.forLogMessage(ready.log, ready.times ?? 1);
  if ("http" in ready) {
    let wait = Wait.forHttp(ready.http, spec.port).forStatusCode(ready.status ?? 200);
    if (ready.https) wait = wait.usingTls().allowInsecure();
    return wait;
  }
  return Wait.forListeningPorts();
}
