// Exit codes and messages as the README's table has them: COFFER_* settings that are wrong are
// configuration (6), a port in use too; flags the CLI can check itself (times, page sizes, roles,
// token lifetimes) are usage errors (2) naming the flag and what it takes, before any call.
import { createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { coffer, cofferEnv, tempDir } from "./helpers.js";

const env = (extra: Record<string, string> = {}) => cofferEnv(tempDir(), extra);

describe("configuration errors exit 6", () => {
  it("a malformed COFFER_URL", () => {
    const result = coffer(["--json", "secret", "list"], {
      env: env({ COFFER_URL: "not-a-url", COFFER_TOKEN: "coffer_fake" }),
    });
    expect(result.code).toBe(6);
    expect(JSON.parse(result.stderr).error).toMatchObject({ code: "INVALID_CONFIG", exitCode: 6 });
  });

  it("COFFER_URL without COFFER_TOKEN", () => {
    const result = coffer(["secret", "list"], { env: env({ COFFER_URL: "http://127.0.0.1:9" }) });
    expect(result.code).toBe(6);
    expect(result.stderr).toContain("COFFER_TOKEN");
  });

  describe("a port in use", () => {
    let blocker: Server;
    let port: number;
    beforeAll(async () => {
      blocker = createServer();
      await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
      port = (blocker.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((resolve) => blocker.close(() => resolve())));

    it("is a configuration error naming the port and how to pick another", () => {
      const result = coffer(["server", "start", "--port", String(port)], { env: env() });
      expect(result.code).toBe(6);
      expect(result.stderr).toContain(`Port ${port} on 127.0.0.1 is in use`);
      expect(result.stderr).toContain("--port or COFFER_SERVER_PORT");
      expect(result.stderr).not.toContain("Unexpected");
    });
  });
});

describe("flags the CLI checks itself are usage errors (exit 2) naming the flag", () => {
  const home = env();

  it("takes a date or an ISO time for --created-after and the other time filters", () => {
    const ok = coffer(["secret", "create", "dated", "--a=1"], { env: home });
    expect(ok.code, ok.stderr).toBe(0);
    const names = (args: string[]) => {
      const result = coffer(["secret", "list", "--json", ...args], { env: home });
      expect(result.code, result.stderr).toBe(0);
      return (JSON.parse(result.stdout) as { items: Array<{ name: string }> }).items.map((item) => item.name);
    };
    expect(names(["--created-after", "2026-01-01"])).toEqual(["dated"]);
    expect(names(["--created-after", "2999-12-04"])).toEqual([]);
    expect(names(["--updated-before", "2999-12-04T09:30:00+01:00"])).toEqual(["dated"]);
    expect(names(["--created-before", "2000-01-01T00:00Z"])).toEqual([]);
  });

  it.each([
    [["secret", "list", "--created-after", "2026-02-30"], "--created-after", "Use a date"],
    [["secret", "list", "--updated-before", "yesterday"], "--updated-before", "ISO 8601"],
    [["secret", "list", "--limit", "0"], "--limit", "from 1 to 1000"],
    [["secret", "list", "--limit", "1001"], "--limit", "from 1 to 1000"],
    [["token", "create", "--expires-in-days", "0"], "--expires-in-days", "from 1 to 3650"],
    [["token", "create", "--expires-in-days", "-1"], "--expires-in-days", "from 1 to 3650"],
    [["token", "create", "--user", "bob", "--expires-in-days", "30"], "--expires-in-days", "from 1 to 7"],
    [["user", "set-role", "bob", "superuser"], "'role'", "reader, value-reader, writer, admin"],
  ])("%j", (args, flag, allowed) => {
    const result = coffer(args, { env: home });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(flag);
    expect(result.stderr).toContain(allowed);
    expect(result.stderr).not.toMatch(/openapi|Invalid body|created\.after|Too small/);
  });
});
