// `coffer run`: secrets as environment variables, the child's exit code, signals passed on.
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { envName } from "../src/env-names.js";
import { session, startCoffer } from "./helpers.js";

const node = process.execPath;
/** A child that prints the given variables as JSON. */
const printEnv = (...names: string[]) => [
  node,
  "-e",
  `console.log(JSON.stringify(Object.fromEntries(${JSON.stringify(names)}.map((n) => [n, process.env[n] ?? null]))))`,
];

describe("the variable naming rule", () => {
  it("upper-cases, turns other characters into _, and guards a leading digit", () => {
    expect(envName("password")).toBe("PASSWORD");
    expect(envName("DATABASE_URL")).toBe("DATABASE_URL");
    expect(envName("smtp.host")).toBe("SMTP_HOST");
    expect(envName("api-key")).toBe("API_KEY");
    expect(envName("2fa")).toBe("_2FA");
    expect(envName("clé")).toBe("CL_");
    expect(envName("password", "db")).toBe("DB_PASSWORD");
    expect(envName("token", "payments/stripe")).toBe("PAYMENTS_STRIPE_TOKEN");
  });
});

describe("coffer run", () => {
  it("gives the command each key as a variable; secrets win over what is already set", () => {
    const s = session();
    s.ok(["secret", "create", "db", "--username=app", "--password=fake-password-1", "--smtp.host=mail"]);
    const out = s.ok(["run", "-s", "db", "--", ...printEnv("USERNAME", "PASSWORD", "SMTP_HOST", "KEEP")], {
      env: { USERNAME: "inherited", KEEP: "kept" },
    });
    expect(JSON.parse(out)).toEqual({
      USERNAME: "app",
      PASSWORD: "fake-password-1",
      SMTP_HOST: "mail",
      KEEP: "kept",
    });
  });

  it("loads several secrets (-s a,b or -s a -s b); --prefix puts the secret's name in front", () => {
    const s = session();
    s.ok(["secret", "create", "db", "--password=fake-db-pw"]);
    s.ok(["secret", "create", "cache", "--url=redis://cache"]);
    expect(JSON.parse(s.ok(["run", "-s", "db,cache", "--", ...printEnv("PASSWORD", "URL")]))).toEqual({
      PASSWORD: "fake-db-pw",
      URL: "redis://cache",
    });
    expect(
      JSON.parse(
        s.ok(["run", "-s", "db", "-s", "cache", "--prefix", "--", ...printEnv("DB_PASSWORD", "CACHE_URL")]),
      ),
    ).toEqual({ DB_PASSWORD: "fake-db-pw", CACHE_URL: "redis://cache" });
  });

  it("two keys on one variable are an error (exit 5) and the command does not run", () => {
    const s = session();
    s.ok(["secret", "create", "db", "--password=fake-1"]);
    s.ok(["secret", "create", "cache", "--password=fake-2"]);
    const result = s.run(["run", "-s", "db,cache", "--", node, "-e", "console.log('ran')"]);
    expect(result.code).toBe(5);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      "error: Keys db.password and cache.password both become the variable PASSWORD. Pass --prefix to put each secret's name in front (DB_PASSWORD), or rename one of the keys.\n",
    );
    const sameSecret = session();
    sameSecret.ok(["secret", "create", "api", "--api-key=a", "--api_key=b"]);
    expect(sameSecret.run(["run", "-s", "api", "--", node, "-e", "0"]).code).toBe(5);
  });

  it("passes the command's exit code through", () => {
    const s = session();
    s.ok(["secret", "create", "db", "--password=fake-1"]);
    expect(s.run(["run", "-s", "db", "--", node, "-e", "process.exit(7)"]).code).toBe(7);
    expect(s.run(["run", "-s", "db", "--", node, "-e", "0"]).code).toBe(0);
  });

  it("a command that does not exist is exit 127, with one line", () => {
    const s = session();
    s.ok(["secret", "create", "db", "--password=fake-1"]);
    const result = s.run(["run", "-s", "db", "--", "no-such-command-here"]);
    expect(result.code).toBe(127);
    expect(result.stderr).toBe(
      "error: The command 'no-such-command-here' was not found. Check its name and your PATH.\n",
    );
  });

  it("a missing secret is not found (exit 3) and the command does not run", () => {
    const s = session();
    const result = s.run(["run", "-s", "nope", "--", node, "-e", "console.log('ran')"]);
    expect(result.code).toBe(3);
    expect(result.stdout).toBe("");
  });

  it("local overrides (COFFER_LOCAL_SECRET_<NAME>) apply", () => {
    const s = session();
    s.ok(["secret", "create", "db", "--password=fake-store-pw"]);
    const out = s.ok(["run", "-s", "db", "--", ...printEnv("PASSWORD")], {
      env: { COFFER_LOCAL_SECRET_DB: '{"password":"fake-local-pw"}' },
    });
    expect(JSON.parse(out)).toEqual({ PASSWORD: "fake-local-pw" });
  });

  it("without -- an option of the command is a usage error that says to add --", () => {
    const s = session();
    const result = s.run(["run", "-s", "db", node, "-e", "0"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Put -- before the command to run/);
  });

  it("passes SIGTERM on to the command and exits as the command does", async () => {
    const s = session();
    s.ok(["secret", "create", "db", "--password=fake-1"]);
    const child = startCoffer(
      [
        "run",
        "-s",
        "db",
        "--",
        node,
        "-e",
        "process.on('SIGTERM', () => { console.log('got SIGTERM'); process.exit(42); }); console.log('ready'); setInterval(() => {}, 1000);",
      ],
      { env: s.env },
    );
    let stdout = "";
    child.stdout.setEncoding("utf8");
    await new Promise<void>((resolve) => {
      child.stdout.on("data", (chunk: string) => {
        stdout += chunk;
        if (stdout.includes("ready")) resolve();
      });
    });
    child.kill("SIGTERM");
    const [code] = (await once(child, "exit")) as [number | null, NodeJS.Signals | null];
    expect(stdout).toContain("got SIGTERM");
    expect(code).toBe(42);
  });

  it("when a signal ends the command, coffer ends by the same signal", async () => {
    const s = session();
    s.ok(["secret", "create", "db", "--password=fake-1"]);
    const child = startCoffer(["run", "-s", "db", "--", node, "-e", "process.kill(process.pid, 'SIGKILL')"], {
      env: s.env,
    });
    const [code, signal] = (await once(child, "exit")) as [number | null, NodeJS.Signals | null];
    expect(code).toBe(null);
    expect(signal).toBe("SIGKILL");
  });
});
