// Small things a first hour trips on: `get --key --no-newline` prints exactly the value, the help
// shows the data directory in use, and --debug stack traces name the TypeScript sources.
import { describe, expect, it } from "vitest";
import { coffer, session } from "./helpers.js";

describe("small ones", () => {
  const user = session();

  it("prints a key's value with a newline, and exactly the value with --no-newline", () => {
    user.ok(["secret", "create", "s1", "--token=fake-token"]);
    expect(user.ok(["secret", "get", "s1", "--key", "token"])).toBe("fake-token\n");
    expect(user.ok(["secret", "get", "s1", "--key", "token", "--no-newline"])).toBe("fake-token");
  });

  it("shows COFFER_DATA_DIR in the top-level help when it is set", () => {
    const help = coffer(["--help"], { env: user.env }).stdout;
    expect(help).toContain(`${user.dataDir} (COFFER_DATA_DIR)`);
    expect(help).not.toContain("~/.local/share/coffer");
  });

  it("names the TypeScript sources in --debug stack traces", () => {
    const result = user.run(["secret", "get", "no-such-secret", "--debug"]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/\bat .*\/src\/[\w/-]+\.ts:\d+:\d+/);
  });
});
