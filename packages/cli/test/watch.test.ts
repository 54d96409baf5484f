// secret watch: a second coffer process's changes arrive as they happen — in local mode through
// the embedded SQLite file (another process's commits, seen by PRAGMA data_version), against a
// server (COFFER_CLI_TEST_MODE=remote) through GET /api/v1/events. Never a value.
import { describe, expect, it } from "vitest";
import { session, startCoffer } from "./helpers.js";

function watcher(s: ReturnType<typeof session>, args: string[]) {
  const child = startCoffer(["secret", "watch", ...args], { env: s.env });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not watching after 20 s: ${stderr}`)), 20_000);
    child.stderr.on("data", () => {
      if (stderr.includes("Watching 'db' from event")) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  const done = new Promise<number | null>((resolve) => child.on("close", resolve));
  return { ready, done, out: () => stdout, err: () => stderr, child };
}

describe("secret watch", () => {
  it("prints each change of the secret as another process makes it (--json lines), never a value", async () => {
    const s = session();
    const watch = watcher(s, ["db", "--json", "--count", "3"]);
    await watch.ready;
    s.ok(["secret", "create", "other", "--k=fake-other"]);
    s.ok(["secret", "create", "db", "--password=fake-watch-1"]);
    s.ok(["secret", "update", "db", "--password=fake-watch-2"]);
    s.ok(["secret", "rename", "db", "db2"]);
    expect(await watch.done).toBe(0);
    const events = watch
      .out()
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(events.map((event) => [event.action, event.name, event.version])).toEqual([
      ["create", "db", 1],
      ["update", "db", 2],
      ["rename", "db2", 3],
    ]);
    expect(events[2].previousName).toBe("db");
    expect(watch.out()).not.toContain("fake-watch");
  }, 60_000);

  it("prints one line per change in text, and stops on Ctrl-C (SIGINT) with exit 0", async () => {
    const s = session();
    const watch = watcher(s, ["db"]);
    await watch.ready;
    s.ok(["secret", "create", "db", "--password=fake-watch-3"]);
    const deadline = Date.now() + 10_000;
    while (!watch.out().includes("create") && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    watch.child.kill("SIGINT");
    expect(await watch.done).toBe(0);
    expect(watch.out()).toMatch(/^\S+Z {2}#\d+ {2}create {2}db {2}version 1 {2}public {2}owner \S+\n$/);
  }, 60_000);
});
