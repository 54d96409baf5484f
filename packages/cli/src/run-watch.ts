/**
 * `coffer run --watch`: runs the command like `coffer run`, and when one of its secrets changes
 * (the change feed, through client.watch: another program, another replica), either restarts it
 * with the new values (`--on-change restart`, the default: an environment cannot change under a
 * running process) or sends it a signal (`--on-change SIGHUP`…) for a program that reads its
 * secrets itself. Changes are debounced: a burst of writes makes one restart, with the values as
 * they are after the burst.
 *
 * Without --watch, run.ts hands the process over to the child (foreground-child) and keeps nothing
 * open. Here coffer stays as the child's parent for as long as it runs: it passes on the signals it
 * receives, keeps the feed open, and exits as the child did when the child ends by itself.
 */
import { type ChildProcess, spawn } from "node:child_process";

export type OnChange = "restart" | NodeJS.Signals;

export interface WatchedRun {
  program: string;
  args: string[];
  /** The names whose changes matter. */
  names: string[];
  /** The child's environment with the secrets as they are now. */
  environment: () => Promise<NodeJS.ProcessEnv>;
  /** The changes of `names` (client.watch); ends when `signal` aborts; `onReady` once it follows. */
  changes: (names: string[], signal: AbortSignal, onReady: () => void) => AsyncIterable<unknown>;
  onChange: OnChange;
  debounceMs: number;
  /** A line for the user (stderr); never a value. */
  note: (text: string) => void;
  /** What the child failed to start with, as `coffer run` reports it: the exit code to use. */
  failedToStart: (error: NodeJS.ErrnoException) => number;
  /** Closes the client (the feed) before coffer exits. */
  close: () => Promise<void>;
}

/** How long a child has to end after SIGTERM on a restart before it gets SIGKILL. */
const STOP_GRACE_MS = 10_000;
const PASSED_ON: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2"];

export async function runWatching(run: WatchedRun): Promise<never> {
  const feed = new AbortController();
  // Undefined until the values are read: a change before that is in what the first start reads.
  let child: ChildProcess | undefined;
  let restarting = false;
  let nextEnvironment: NodeJS.ProcessEnv | undefined;

  const passOn = (signal: NodeJS.Signals) => {
    child?.kill(signal);
  };
  for (const signal of PASSED_ON) process.on(signal, passOn);

  const finish = async (code: number | null, signal: NodeJS.Signals | null): Promise<void> => {
    feed.abort();
    await run.close().catch(() => undefined);
    for (const each of PASSED_ON) process.off(each, passOn);
    // As the shell would see the command itself: its exit code, or the signal that ended it.
    if (signal !== null) process.kill(process.pid, signal);
    process.exit(code ?? 1);
  };

  const start = (environment: NodeJS.ProcessEnv) => {
    const started = spawn(run.program, run.args, { env: environment, stdio: "inherit" });
    child = started;
    started.once("error", (error: NodeJS.ErrnoException) => {
      // A command that cannot start (not found, not executable): as coffer run reports it.
      if (started.pid === undefined) void finish(run.failedToStart(error), null);
    });
    started.once("exit", (code, signal) => {
      if (started !== child) return;
      if (restarting && nextEnvironment !== undefined) {
        restarting = false;
        start(nextEnvironment);
        nextEnvironment = undefined;
        return;
      }
      void finish(code, signal);
    });
  };

  const applyChange = async () => {
    if (child === undefined) return;
    if (run.onChange !== "restart") {
      run.note(`coffer: ${run.names.join(", ")} changed; sending ${run.onChange} to the command`);
      child.kill(run.onChange);
      return;
    }
    let environment: NodeJS.ProcessEnv;
    try {
      environment = await run.environment();
    } catch (error) {
      // The secrets cannot be read now (deleted, refused, the server down): the command goes on
      // with what it has rather than stopping.
      const code = (error as { code?: string }).code ?? "ERROR";
      run.note(
        `coffer: ${run.names.join(", ")} changed, but reading it failed (${code}); the command keeps running`,
      );
      return;
    }
    run.note(`coffer: ${run.names.join(", ")} changed; restarting the command`);
    nextEnvironment = environment;
    restarting = true;
    const stopping = child;
    if (stopping === undefined) return;
    stopping.kill("SIGTERM");
    const kill = setTimeout(() => stopping.kill("SIGKILL"), STOP_GRACE_MS);
    stopping.once("exit", () => clearTimeout(kill));
  };

  // The feed first, then the values: a change made while the command starts is not missed.
  let ready: () => void = () => undefined;
  const following = new Promise<void>((resolve) => {
    ready = resolve;
  });
  let timer: NodeJS.Timeout | undefined;
  const follow = async () => {
    try {
      for await (const _change of run.changes(run.names, feed.signal, ready)) {
        clearTimeout(timer);
        timer = setTimeout(() => void applyChange(), run.debounceMs);
      }
    } catch (error) {
      if (!feed.signal.aborted) {
        const code = (error as { code?: string }).code ?? "ERROR";
        run.note(`coffer: the change feed stopped (${code}); the command keeps running`);
      }
    } finally {
      ready(); // a feed that ended before it was ready must not hold the start
    }
  };
  void follow();
  await following;
  start(await run.environment());
  // The command runs on until it ends; finish() exits.
  return new Promise<never>(() => {});
}
