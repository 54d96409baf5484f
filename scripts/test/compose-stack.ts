// Drives docker-compose.yml for the smoke test (compose-smoke.test.ts): finds a Compose
// implementation, runs one profile as a throw-away project on a free loopback port, waits for
// Docker's health status, and always takes the project down again with its volumes.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** A variable of the environment the tests run in (CI sets the COFFER_TEST_* image names). */
export const setting = (name: string): string | undefined => process.env[name];

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env, timeout = 60_000) {
  const result = spawnSync(command, args, { cwd: root, env, encoding: "utf8", timeout });
  return {
    ok: result.status === 0,
    stdout: result.stdout ?? "",
    output: `$ ${command} ${args.join(" ")}\n${result.stdout ?? ""}${result.stderr ?? ""}${result.error ?? ""}`,
  };
}

/** `docker compose` (v2) when the engine's CLI has it, else `docker-compose` (Debian's 1.29). */
export function findCompose(): { command: string[] } | { missing: string } {
  if (!run("docker", ["info"], process.env, 15_000).ok) return { missing: "no Docker engine answers" };
  if (run("docker", ["compose", "version"]).ok) return { command: ["docker", "compose"] };
  if (run("docker-compose", ["version"]).ok) return { command: ["docker-compose"] };
  return {
    missing: "neither `docker compose` nor `docker-compose` is installed (scripts/ci/install-test-tools.sh)",
  };
}

export function imageOnEngine(image: string): boolean {
  return run("docker", ["image", "inspect", image]).ok;
}

/** The certificate authorities this machine added (Debian's local folder), for a TLS-inspecting proxy. */
function localAuthorities(): string {
  const dir = "/usr/local/share/ca-certificates";
  if (!existsSync(dir)) return "";
  return readdirSync(dir)
    .filter((name) => name.endsWith(".crt"))
    .map((name) => readFileSync(path.join(dir, name), "utf8").trim())
    .join("\n");
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export class ComposeStack {
  readonly project = `coffer-smoke-${process.pid}-${Date.now().toString(36)}`;
  readonly dir = mkdtempSync(path.join(tmpdir(), "coffer-compose-smoke-"));
  token = "";
  url = "";
  #env: NodeJS.ProcessEnv = {};

  constructor(
    readonly compose: string[],
    readonly profile: string,
  ) {}

  /** Makes the secrets with deploy/compose/init-secrets.sh (outside the checkout) and picks a port. */
  async prepare(): Promise<void> {
    const secrets = path.join(this.dir, "secrets");
    const envFile = path.join(this.dir, "env");
    const init = run("bash", [path.join(root, "deploy/compose/init-secrets.sh")], {
      ...process.env,
      COFFER_SECRETS_DIR: secrets,
      COFFER_ENV_FILE: envFile,
    });
    if (!init.ok) throw new Error(init.output);
    this.token = readFileSync(path.join(secrets, "bootstrap_token"), "utf8").trim();
    const password = /^COFFER_POSTGRES_PASSWORD=(.*)$/m.exec(readFileSync(envFile, "utf8"))?.[1] ?? "";
    const port = await freePort();
    this.url = `http://127.0.0.1:${port}`;
    this.#env = {
      ...process.env,
      COFFER_PORT: String(port),
      COFFER_SECRETS_DIR: secrets,
      COFFER_POSTGRES_PASSWORD: password,
      // CI points these at its local images (.ci/run); elsewhere the upstream images are used.
      COFFER_NODE_IMAGE: setting("COFFER_TEST_NODE_IMAGE") ?? "node:24-bookworm-slim",
      COFFER_POSTGRES_IMAGE: setting("COFFER_TEST_POSTGRES_IMAGE") ?? "postgres:17",
      COFFER_IMAGE: "coffer/server:compose-smoke",
      COFFER_EMULATORS_IMAGE: "coffer/emulators:compose-smoke",
      // Builds on the host network: CI's engine may give containers no outbound NAT.
      COFFER_BUILD_NETWORK: setting("COFFER_BUILD_NETWORK") ?? "host",
      COFFER_BUILD_EXTRA_CA_PEM: setting("COFFER_BUILD_EXTRA_CA_PEM") ?? localAuthorities(),
    };
  }

  /** Runs `compose -p <project> --profile <profile> ARGS`; its standard output, or throws with all of it. */
  run(args: string[], timeout = 120_000): string {
    const result = run(
      this.compose[0] as string,
      [...this.compose.slice(1), "-p", this.project, "--profile", this.profile, ...args],
      this.#env,
      timeout,
    );
    if (!result.ok) throw new Error(result.output);
    return result.stdout;
  }

  /** Waits until Docker reports the service's container healthy (its healthcheck: GET /ready). */
  async waitHealthy(service: string, timeoutMs = 180_000): Promise<void> {
    const id = this.run(["ps", "-q", service]).trim();
    const deadline = Date.now() + timeoutMs;
    let status = "";
    while (Date.now() < deadline) {
      status = run("docker", ["inspect", "-f", "{{.State.Health.Status}}", id]).stdout.trim();
      if (status === "healthy") return;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    throw new Error(`${service} is not healthy after ${timeoutMs / 1000} s (${status}):\n${this.logs()}`);
  }

  logs(): string {
    try {
      return this.run(["logs", "--no-color", "--tail", "40"]);
    } catch (error) {
      return String(error);
    }
  }

  /** `down -v`: containers, network and volumes; then the temporary secrets. Never throws. */
  down(): void {
    try {
      this.run(["down", "-v", "--remove-orphans", "--timeout", "5"]);
    } catch (error) {
      console.error(`[compose smoke] down failed for ${this.project}: ${error}`);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  async api(method: string, route: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const response = await fetch(`${this.url}${route}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(15_000),
    });
    return { status: response.status, json: await response.json() };
  }
}
