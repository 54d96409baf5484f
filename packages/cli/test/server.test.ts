// coffer server start, login, and the admin's user and token commands, as an operator drives them:
// every command a subprocess, the server a subprocess too.
import { statSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { coffer, cofferEnv, startCoffer, tempDir } from "./helpers.js";

let serverProcess: ReturnType<typeof startCoffer>;
let url: string;
let adminToken: string;
let home: string;

beforeAll(async () => {
  const serverDir = tempDir();
  serverProcess = startCoffer(["server", "start", "--port", "0"], {
    env: cofferEnv(serverDir, { COFFER_LOG_LEVEL: "warn" }),
  });
  const output = await new Promise<string>((resolve, reject) => {
    let text = "";
    serverProcess.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      text += chunk;
      if (text.includes("listening on")) resolve(text);
    });
    serverProcess.once("exit", (code) => reject(new Error(`server exited ${code}: ${text}`)));
  });
  url = /listening on (http:\/\/\S+)/.exec(output)![1]!;
  adminToken = /^ {2}(coffer_\S+)$/m.exec(output)![1]!;
  home = tempDir();
});

afterAll(() => {
  serverProcess.kill("SIGTERM");
});

const as = (extra: Record<string, string> = {}) => ({ env: cofferEnv(home, extra) });

describe("coffer server start + login", () => {
  it("prints the bootstrap admin token once, and login keeps it in a private file", () => {
    expect(adminToken).toMatch(/^coffer_[a-z0-9]{12}_/);
    const login = coffer(["login", "--url", url, "--token", adminToken], as());
    expect(login.code).toBe(0);
    expect(login.stdout).toContain(`Logged in to ${url} as admin (admin), as the context 'default'.`);
    const file = path.join(home, ".config", "coffer", "credentials.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(login.stdout + login.stderr).not.toContain(adminToken);
  });

  it("then sends every command to the server", () => {
    expect(coffer(["secret", "create", "db", "--password=fake-remote-pw"], as()).code).toBe(0);
    const info = JSON.parse(coffer(["store", "info", "--json"], as()).stdout);
    expect(info).toMatchObject({ mode: "remote", user: "admin", status: "ready", store: { type: "sql" } });
    expect(coffer(["secret", "get", "db", "--key", "password"], as()).stdout).toBe("fake-remote-pw\n");
  });

  it("refuses a wrong token at login and saves nothing new", () => {
    const result = coffer(["login", "--url", url, "--token", `coffer_aaaaaaaaaaaa_${"x".repeat(43)}`], as());
    expect(result.code).toBe(8);
    expect(result.stderr).toMatch(/^error: The API token is not valid/);
  });
});

describe("users and tokens", () => {
  it("an admin makes a reader and a token for them; the reader sees metadata, not values", () => {
    expect(coffer(["user", "create", "bob", "--role", "reader"], as()).code).toBe(0);
    // An admin gives bob an enrollment token; only bob's own token (made with it, once) works.
    const enrollment = coffer(["token", "create", "--user", "bob"], as());
    expect(enrollment.code).toBe(0);
    expect(enrollment.stderr).toMatch(/enrollment token/i);
    const enrollmentEnv = {
      env: cofferEnv(tempDir(), { COFFER_URL: url, COFFER_TOKEN: enrollment.stdout.trim() }),
    };
    const created = coffer(["token", "create", "--description", "bob's laptop"], enrollmentEnv);
    expect(created.code).toBe(0);
    const bobToken = created.stdout.trim();
    expect(bobToken).toMatch(/^coffer_/);
    expect(created.stderr).toMatch(/shown only now/);
    expect(coffer(["token", "create"], enrollmentEnv).code).toBe(8); // used up
    const users = (
      JSON.parse(coffer(["user", "list", "--json"], as()).stdout) as {
        items: Array<{ name: string; role: string }>;
      }
    ).items;
    expect(users).toContainEqual(expect.objectContaining({ name: "bob", role: "reader" }));

    const bob = { env: cofferEnv(tempDir(), { COFFER_URL: url, COFFER_TOKEN: bobToken }) };
    expect(coffer(["secret", "list", "--json"], bob).stdout).toContain('"db"');
    const denied = coffer(["secret", "get", "db"], bob);
    expect(denied.code).toBe(8);
    expect(denied.stderr).toMatch(/may not read the values of 'db'/);
    expect(coffer(["user", "list"], bob).code).toBe(8);

    const id = (
      JSON.parse(coffer(["token", "list", "--json"], as()).stdout) as {
        items: Array<{ id: string; user: string; kind: string; createdBy: string }>;
      }
    ).items.find((token) => token.user === "bob" && token.kind === "api" && token.createdBy === "bob")!.id;
    expect(coffer(["token", "revoke", id], as()).code).toBe(0);
    const revoked = coffer(["secret", "list"], bob);
    expect(revoked.code).toBe(8);
    expect(revoked.stderr).toMatch(/not valid/);
  });

  it("user and token commands say what to do in local mode", () => {
    const local = coffer(["user", "list"], { env: cofferEnv(tempDir()) });
    expect(local.code).toBe(9);
    expect(local.stderr).toMatch(/Log in to a server first: coffer login --url/);
  });

  it("logout goes back to the local store", () => {
    expect(coffer(["logout"], as()).stdout).toMatch(/Logged out/);
    const info = JSON.parse(coffer(["store", "info", "--json"], as()).stdout);
    expect(info.mode).toBe("local");
  });
});
