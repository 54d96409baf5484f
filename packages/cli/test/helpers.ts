import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, inject } from "vitest";

const here = path.dirname(fileURLToPath(import.meta.url));
/** The built command's entry point (what the installed command runs). */
export const BIN = path.resolve(here, "../dist/bin.js");
/**
 * The command as users run it: the `coffer` launcher that `./dev install` writes, installed once
 * per run into a temporary prefix by test/install.ts (the config's globalSetup).
 */
export const COMMAND = inject("cofferCommand");

export function tempDir(prefix = "coffer-cli-"): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/**
 * Where commands run unless a test says otherwise: a directory outside the repository, as for a
 * user, so nothing a command writes lands in the checkout and relative paths are the caller's.
 */
export const OUTSIDE = tempDir("coffer-cli-cwd-");

/**
 * A clean environment for one user on one data directory: nothing COFFER_* leaks in from the
 * machine running the tests, so each test sees exactly the configuration it sets.
 */
export function cofferEnv(dataDir: string, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: dataDir,
    COFFER_DATA_DIR: dataDir,
    COFFER_USER: "alice",
  };
  if (process.env.NODE_COMPILE_CACHE) env.NODE_COMPILE_CACHE = process.env.NODE_COMPILE_CACHE;
  return { ...env, ...extra };
}

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env: Record<string, string>;
  input?: string;
  cwd?: string;
}

/** Runs the installed `coffer args…` to completion. */
export function coffer(args: string[], options: RunOptions): Run {
  const result = spawnSync(COMMAND, args, {
    env: options.env,
    input: options.input ?? "",
    cwd: options.cwd ?? OUTSIDE,
    encoding: "utf8",
    timeout: 60_000,
  });
  if (result.error) throw result.error;
  return { code: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Runs `coffer args…` without blocking this process: for tests whose server (an emulator) runs in
 * this process and must keep answering while the command waits for it.
 */
export function cofferAsync(args: string[], options: RunOptions): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(COMMAND, args, {
      env: options.env,
      cwd: options.cwd ?? OUTSIDE,
      stdio: "pipe",
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.stdin.end(options.input ?? "");
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Starts `coffer args…` and returns the child, for tests that signal it. */
export function startCoffer(args: string[], options: RunOptions) {
  return spawn(COMMAND, args, { env: options.env, cwd: options.cwd ?? OUTSIDE, stdio: "pipe" });
}

/**
 * Which way this run drives the CLI: "local" (the embedded store in a data directory) or
 * "remote" (every session gets its own Coffer server, and the CLI talks to it through COFFER_URL
 * and COFFER_TOKEN). vitest.remote.config.ts runs the same test files in remote mode.
 */
export const MODE = process.env.COFFER_CLI_TEST_MODE === "remote" ? "remote" : "local";

// Each test file stops the servers it started. Not on the worker's "exit": vitest ends its
// workers without one, and the servers would outlive the run (and answer a later run's probes).
const servers: ChildProcess[] = [];
afterAll(() => {
  for (const server of servers.splice(0)) server.kill("SIGKILL");
});
let nextPort = 20_000 + (process.pid % 400) * 25;

/**
 * Starts `coffer server start` for one session, with alice as its bootstrap admin, and waits
 * (synchronously: the tests' helpers are synchronous) until it answers /api/v1/me with alice's
 * token. That, and not /ready, tells that the server on the port is this session's: when the port
 * is taken, by another worker's server say, this one exits and the other would answer /ready.
 */
function startSessionServer(dataDir: string): { url: string; token: string } {
  const token = `coffer_${"alice".padEnd(12, "0")}_${randomBytes(32).toString("base64url")}`;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = nextPort++;
    const url = `http://127.0.0.1:${port}`;
    const server = spawn(COMMAND, ["server", "start", "--port", String(port)], {
      cwd: OUTSIDE,
      env: cofferEnv(path.join(dataDir, "server"), {
        COFFER_SERVER_BOOTSTRAP_ADMIN: "alice",
        COFFER_SERVER_BOOTSTRAP_TOKEN: token,
        COFFER_LOG_LEVEL: "warn",
      }),
      stdio: "ignore",
    });
    servers.push(server);
    const ready = spawnSync(
      process.execPath,
      [
        "-e",
        `const until = Date.now() + 20000;
         (async () => { while (Date.now() < until) {
           try {
             const me = await fetch(${JSON.stringify(`${url}/api/v1/me`)}, { headers: { authorization: ${JSON.stringify(`Bearer ${token}`)} } });
             if (me.ok) process.exit(0);
             if (me.status === 401) process.exit(2); // another session's server holds the port
           } catch {}
           await new Promise((r) => setTimeout(r, 50)); } process.exit(1); })();`,
      ],
      { timeout: 25_000 },
    );
    if (ready.status === 0) return { url, token };
    server.kill("SIGKILL"); // the port was taken, most likely: try the next one
  }
  throw new Error("could not start a Coffer server for the remote-mode session");
}

/** A user's session on one data directory (and, in remote mode, its own server): `run(["secret", "list"])`. */
export function session(extra: Record<string, string> = {}) {
  const dataDir = tempDir();
  const remote = MODE === "remote" ? startSessionServer(dataDir) : undefined;
  const env = cofferEnv(
    dataDir,
    remote ? { COFFER_URL: remote.url, COFFER_TOKEN: remote.token, ...extra } : extra,
  );
  const run = (args: string[], more: Partial<RunOptions> = {}) =>
    coffer(args, {
      env: { ...env, ...(more.env ?? {}) },
      ...(more.input !== undefined ? { input: more.input } : {}),
      ...(more.cwd ? { cwd: more.cwd } : {}),
    });
  /** Runs a command that must succeed, and returns its stdout. */
  const ok = (args: string[], more: Partial<RunOptions> = {}) => {
    const result = run(args, more);
    if (result.code !== 0) {
      throw new Error(`coffer ${args.join(" ")} exited ${result.code}: ${result.stderr}`);
    }
    return result.stdout;
  };
  /** The secrets the user sees, by `secret list --json --all`. */
  const names = () =>
    (JSON.parse(ok(["secret", "list", "--all", "--json"])) as { items: Array<{ name: string }> }).items.map(
      (item) => item.name,
    );
  return { dataDir, env, run, ok, names };
}

export interface PtyStep {
  expect: string;
  send: string;
}

export interface PtyRun {
  exitCode: number | null;
  signal: number | null;
  transcript: string;
  error?: string;
}

/** Runs `coffer args…` in a pseudo-terminal, answering each prompt (see pty-driver.py). */
export function cofferInTerminal(args: string[], env: Record<string, string>, steps: PtyStep[]): PtyRun {
  const spec = { argv: [COMMAND, ...args], cwd: OUTSIDE, env: { ...env, TERM: "xterm" }, steps, timeout: 30 };
  const result = spawnSync("python3", [path.join(here, "pty-driver.py")], {
    input: JSON.stringify(spec),
    encoding: "utf8",
    timeout: 60_000,
  });
  if (result.status !== 0) throw new Error(`pty-driver failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as PtyRun;
}
