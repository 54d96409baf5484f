// coffer run --watch: a change made by another coffer process restarts the command with the new
// values (or signals it, with --on-change), a burst of changes makes one restart, the command's own
// exit ends coffer with its code, and bad options are usage errors. Local mode through the embedded
// SQLite file; against a server (COFFER_CLI_TEST_MODE=remote) through GET /api/v1/events.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { session, startCoffer, tempDir } from "./helpers.js";

/**
 * A command that appends "start <PASSWORD>" to `log` when it starts and "hup" on SIGHUP, then
 * waits; it exits 3 when the file `stop` appears.
 */
function loggingCommand(dir: string): string[] {
  const log = path.join(dir, "log");
  const stop = path.join(dir, "stop");
  const script = `
    const fs = require("node:fs");
    fs.appendFileSync(${JSON.stringify(log)}, "start " + process.env.PASSWORD + "\\n");
    process.on("SIGHUP", () => fs.appendFileSync(${JSON.stringify(log)}, "hup\\n"));
    process.on("SIGTERM", () => process.exit(0));
    setInterval(() => { if (fs.existsSync(${JSON.stringify(stop)})) process.exit(3); }, 50);`;
  return [process.execPath, "-e", script];
}

function logLines(dir: string): string[] {
  try {
    return readFileSync(path.join(dir, "log"), "utf8").trim().split("\n").filter(Boolean);
  } catch {
    return [];
  }
}

function running(s: ReturnType<typeof session>, args: string[]) {
  const child = startCoffer(["run", ...args], { env: s.env });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const done = new Promise<number | null>((resolve) => child.on("close", resolve));
  return { child, done, err: () => stderr };
}

describe("run --watch", () => {
  it("restarts the command with the new values when the secret changes, once per burst; ends with its exit code", async () => {
    const s = session();
    s.ok(["secret", "create", "db", "--password=fake-run-1"]);
    const dir = tempDir();
    // The debounce outlasts the gap between two CLI writes even on a loaded machine (each is a new
    // process): what is tested is one restart per burst, not how fast the writes are.
    const run = running(s, ["--watch", "--debounce", "5000", "-s", "db", "--", ...loggingCommand(dir)]);
    try {
      await expect.poll(() => logLines(dir), { timeout: 20_000 }).toEqual(["start fake-run-1"]);
      // A burst of three writes: one restart, with the last values.
      s.ok(["secret", "update", "db", "--password=fake-run-2"]);
      s.ok(["secret", "update", "db", "--password=fake-run-3"]);
      s.ok(["secret", "update", "db", "--password=fake-run-4"]);
      await expect
        .poll(() => logLines(dir), { timeout: 30_000 })
        .toEqual(["start fake-run-1", "start fake-run-4"]);
      expect(run.err()).toContain("db changed; restarting the command");
      expect(run.err()).not.toContain("fake-run");
      // The command ending by itself ends coffer, with its exit code.
      writeFileSync(path.join(dir, "stop"), "");
      expect(await run.done).toBe(3);
    } finally {
      run.child.kill("SIGKILL");
    }
  });

  it("with --on-change SIGHUP sends the signal instead of restarting", async () => {
    const s = session();
    s.ok(["secret", "create", "db", "--password=fake-hup-1"]);
    const dir = tempDir();
    const run = running(s, [
      "--watch",
      "--on-change",
      "SIGHUP",
      "--debounce",
      "200",
      "-s",
      "db",
      "--",
      ...loggingCommand(dir),
    ]);
    try {
      await expect.poll(() => logLines(dir), { timeout: 20_000 }).toEqual(["start fake-hup-1"]);
      s.ok(["secret", "update", "db", "--password=fake-hup-2"]);
      await expect.poll(() => logLines(dir), { timeout: 20_000 }).toEqual(["start fake-hup-1", "hup"]);
      // coffer passes on a signal it receives, and ends as the command did.
      run.child.kill("SIGTERM");
      expect(await run.done).toBe(0);
    } finally {
      run.child.kill("SIGKILL");
    }
  });

  it("refuses --on-change without --watch, and an action that is neither restart nor a signal", () => {
    const s = session();
    s.ok(["secret", "create", "db", "--password=fake-opt"]);
    const without = s.run(["run", "--on-change", "SIGHUP", "-s", "db", "--", "true"]);
    expect(without.code).toBe(2);
    expect(without.stderr).toContain("--on-change needs --watch");
    for (const action of ["reload", "SIGKILL"]) {
      const bad = s.run(["run", "--watch", "--on-change", action, "-s", "db", "--", "true"]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain("neither 'restart' nor a signal");
    }
  });
});
