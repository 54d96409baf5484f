// `coffer secret create`, driven as a subprocess the way a person or a script would.
import { statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { MODE, session, tempDir } from "./helpers.js";

const VALUE = "fake-secret-value-42";

describe("secret create", () => {
  it("takes --KEY=VALUE pairs, prints the keys and never the values", () => {
    const s = session();
    const out = s.ok(["secret", "create", "db", "--username=app", `--password=${VALUE}`]);
    expect(out).toMatch(
      /^Created public secret 'db' with keys username, password \(version 1, id [0-9a-f-]{36}\)\.\n$/,
    );
    expect(out).not.toContain(VALUE);
    expect(s.ok(["secret", "get", "db", "--key", "password"])).toBe(`${VALUE}\n`);
  });

  it("keeps everything after the first = of --KEY=VALUE, and keys with dots and dashes", () => {
    const s = session();
    s.ok(["secret", "create", "app", "--smtp.host=mail.internal", "--api-key=a=b=c", "--empty="]);
    const app = JSON.parse(s.ok(["secret", "get", "app", "--json"])) as { values: Record<string, string> };
    expect(app.values).toEqual({ "smtp.host": "mail.internal", "api-key": "a=b=c", empty: "" });
  });

  it("reads --values as JSON or YAML, keeping YAML scalars as the text written", () => {
    const s = session();
    s.ok(["secret", "create", "j", "--values", `{"user": "app", "port": "5432", "ok": "true"}`]);
    s.ok([
      "secret",
      "create",
      "y",
      "--values",
      "user: app\nport: 0587\nversion: 1.50\nhex: 0x1F\nok: yes\nnone: ~\nempty: ''\nquoted: 'x: y'\nstr: !!str 007\nwhen: 2001-12-14",
    ]);
    const values = (name: string) =>
      (JSON.parse(s.ok(["secret", "get", name, "--json"])) as { values: Record<string, string> }).values;
    expect(values("j")).toEqual({ user: "app", port: "5432", ok: "true" });
    expect(values("y")).toEqual({
      user: "app",
      port: "0587",
      version: "1.50",
      hex: "0x1F",
      ok: "yes",
      none: "~",
      empty: "",
      quoted: "x: y",
      str: "007",
      when: "2001-12-14",
    });
  });

  it("adds up --values given more than once; a key in two of them is an error (exit 5), nothing created", () => {
    const s = session();
    const dir = tempDir();
    writeFileSync(path.join(dir, "base.yaml"), "username: app\nregion: eu-west-1\n");
    s.ok(["secret", "create", "m", "--values", "@base.yaml", "--values", '{"password": "fake-password-1"}'], {
      cwd: dir,
    });
    expect(
      (JSON.parse(s.ok(["secret", "get", "m", "--json"])) as { values: Record<string, string> }).values,
    ).toEqual({ username: "app", region: "eu-west-1", password: "fake-password-1" });

    const twice = s.run(
      ["secret", "create", "m2", "--values", "@base.yaml", "--values", `{"region": "${VALUE}"}`],
      { cwd: dir },
    );
    expect(twice.code).toBe(5);
    expect(twice.stderr).toBe("error: The key 'region' is given twice. Give each key once.\n");
    expect(s.run(["secret", "get", "m2"]).code).toBe(3);

    // update takes several too.
    s.ok(["secret", "update", "m", "--values", "a: '1'", "--values", "b: '2'"]);
    expect(
      (JSON.parse(s.ok(["secret", "get", "m", "--json"])) as { values: Record<string, string> }).values,
    ).toMatchObject({ a: "1", b: "2", username: "app" });
  });

  it("reads values from files (@path), standard input (@-) and keeps a literal @ (@@)", () => {
    const s = session();
    const dir = tempDir();
    writeFileSync(path.join(dir, "password.txt"), `${VALUE}\n`);
    writeFileSync(
      path.join(dir, "cert.pem"),
      "-----BEGIN CERTIFICATE-----\nfake\n-----END CERTIFICATE-----\n\n",
    );
    writeFileSync(path.join(dir, "values.yaml"), "username: app\nregion: eu-west-1\n");
    s.ok(["secret", "create", "a", "--password=@password.txt", "--cert=@cert.pem", "--handle=@@someone"], {
      cwd: dir,
    });
    s.ok(["secret", "create", "b", "--values", "@values.yaml"], { cwd: dir });
    s.ok(["secret", "create", "c", "--token=@-"], { input: "not-a-real-token\n" });
    s.ok(["secret", "create", "d", "--values", "@-"], { input: '{"k": "from-stdin"}' });
    const values = (name: string) =>
      (JSON.parse(s.ok(["secret", "get", name, "--json"])) as { values: Record<string, string> }).values;
    expect(values("a")).toEqual({
      password: VALUE,
      // One trailing newline is dropped, the rest kept.
      cert: "-----BEGIN CERTIFICATE-----\nfake\n-----END CERTIFICATE-----\n",
      handle: "@someone",
    });
    expect(values("b")).toEqual({ username: "app", region: "eu-west-1" });
    expect(values("c")).toEqual({ token: "not-a-real-token" });
    expect(values("d")).toEqual({ k: "from-stdin" });
  });

  // Local identity only: COFFER_USER switches users locally; remotely a user is their token, which
  // the client's remote suite and server.test.ts cover.
  it.skipIf(MODE === "remote")(
    "--private makes a secret only its owner sees; a public one of the same name may exist",
    () => {
      const s = session();
      s.ok(["secret", "create", "api", "--token=fake-public-token"]);
      expect(s.ok(["secret", "create", "api", "--token=fake-private-token", "--private"])).toMatch(
        /^Created private secret 'api'/,
      );
      expect(s.ok(["secret", "get", "api", "--key", "token"])).toBe("fake-private-token\n");
      expect(s.ok(["secret", "get", "api", "--key", "token", "--private", "false"])).toBe(
        "fake-public-token\n",
      );
      const bob = s.run(["secret", "get", "api", "--key", "token"], { env: { COFFER_USER: "bob" } });
      expect(bob.stdout).toBe("fake-public-token\n");
    },
  );

  it("a name that is taken is a conflict (exit 4) and changes nothing", () => {
    const s = session();
    s.ok(["secret", "create", "db", "--password=fake-1"]);
    const again = s.run(["secret", "create", "db", "--password=fake-2"]);
    expect(again.code).toBe(4);
    expect(again.stderr).toBe(
      "error: A public secret named 'db' already exists. Choose another name, or update the existing secret.\n",
    );
    expect(s.ok(["secret", "get", "db", "--key", "password"])).toBe("fake-1\n");
  });

  // Local store only: in remote mode the database is the server's.
  it.skipIf(MODE === "remote")("creates the data directory and an owner-only database on first use", () => {
    const s = session();
    s.ok(["secret", "create", "db", "--password=fake-1"]);
    expect(statSync(path.join(s.dataDir, "coffer.db")).mode & 0o777).toBe(0o600);
  });
});

describe("bad input: the documented exit code, one clear line, no value echoed, nothing written", () => {
  const cases: Array<{ what: string; args: string[]; code: number; message: RegExp; input?: string }> = [
    {
      what: "malformed JSON",
      args: ["--values", `{"password": "${VALUE}", }`],
      code: 5,
      message: /^--values is malformed JSON at line 1, column \d+\. Check quotes/,
    },
    {
      what: "JSON with a missing value",
      args: ["--values", `{"a": }`],
      code: 5,
      message: /^--values is malformed JSON/,
    },
    {
      what: "malformed YAML",
      args: ["--values", `password: "${VALUE}\nuser: app`],
      code: 5,
      message: /^--values is malformed YAML at line \d+, column \d+: a closing quote or bracket is missing\./,
    },
    {
      what: "YAML that is not a mapping",
      args: ["--values", `- ${VALUE}`],
      code: 5,
      message: /^--values is not a mapping of keys to values\./,
    },
    {
      what: "a nested value",
      args: ["--values", `{"db": {"password": "${VALUE}"}}`],
      code: 5,
      message: /^The value of key 'db' in --values is an object, not text\./,
    },
    {
      what: "a JSON number",
      args: ["--values", `{"user": "app", "pin": 1234}`],
      code: 5,
      message:
        /^The value of key 'pin' in --values is a JSON number, not text\. Values are strings: quote it, "pin": "…"\.$/,
    },
    {
      what: "a JSON boolean",
      args: ["--values", `{"enabled": true}`],
      code: 5,
      message: /^The value of key 'enabled' in --values is a JSON boolean, not text\./,
    },
    {
      what: "a JSON null",
      args: ["--values", `{"password": null}`],
      code: 5,
      message: /^The value of key 'password' in --values is null, not text\./,
    },
    {
      what: "a YAML !!binary tag",
      args: ["--values", "user: app\ncert: !!binary ZmFrZS1jZXJ0"],
      code: 5,
      message:
        /^The value of key 'cert' in --values has the YAML tag !!binary: values are kept as the text written, so tags are not applied\. Remove the tag \(the base64 text is then stored as it is\)\.$/,
    },
    {
      what: "a YAML !!timestamp tag",
      args: ["--values", "expires: !!timestamp 2001-12-14"],
      code: 5,
      message: /^The value of key 'expires' in --values has the YAML tag !!timestamp:/,
    },
    {
      what: "a local YAML tag",
      args: ["--values", "password: !vault fake"],
      code: 5,
      message: /^The value of key 'password' in --values has the YAML tag !vault:/,
    },
    {
      what: "a tagged YAML mapping",
      args: ["--values", "!!set\n? a\n"],
      code: 5,
      message: /^--values as a whole has the YAML tag !!set:/,
    },
    {
      what: "a missing value file",
      args: ["--password=@no-such-file.txt"],
      code: 5,
      message: /^--password names the file no-such-file\.txt, which does not exist\. Check the path/,
    },
    {
      what: "a missing --values file",
      args: ["--values", "@no-such-file.yaml"],
      code: 5,
      message: /^--values names the file no-such-file\.yaml, which does not exist\./,
    },
    {
      what: "a key given twice",
      args: [`--password=${VALUE}`, "--password=other"],
      code: 5,
      message: /^The key 'password' is given twice\. Give each key once\.$/,
    },
    {
      what: "a key given twice in JSON",
      args: ["--values", `{"password": "${VALUE}", "password": "x"}`],
      code: 5,
      message: /^The key 'password' is given twice in --values\./,
    },
    {
      what: "a key given in --values and as a flag",
      args: ["--values", `{"password": "${VALUE}"}`, "--password=x"],
      code: 5,
      message: /^The key 'password' is given twice\./,
    },
    {
      what: "an unknown option",
      args: ["--privte", `--password=${VALUE}`],
      code: 2,
      message: /^Unknown option '--privte'\. To set the key 'privte', write --privte=VALUE/,
    },
    {
      what: "a value after a space instead of =",
      args: ["--password", VALUE],
      code: 2,
      message: /^Unknown option '--password'\. To set the key 'password', write --password=VALUE/,
    },
    {
      what: "an unknown short option",
      args: ["-x", `--password=${VALUE}`],
      code: 2,
      message: /^Unknown option '-x'\./,
    },
    {
      what: "a short option with something attached",
      args: [`-x${VALUE}`],
      code: 2,
      message: /^Unknown option '-x'\./,
    },
    {
      what: "a stray word after the name",
      args: [VALUE],
      code: 2,
      message: /^An argument after the name is not --KEY=VALUE\. Give values as --KEY=VALUE/,
    },
    {
      what: "an option name used as a key",
      args: [`--private=${VALUE}`],
      code: 2,
      message: /^--private takes true or false\. .*a key named 'private' goes in --values\./,
    },
    { what: "no keys at all", args: [], code: 2, message: /^No keys given: nothing to create\./ },
  ];

  for (const { what, args, code, message } of cases) {
    it(`${what} → exit ${code}`, () => {
      const s = session();
      const result = s.run(["secret", "create", "db", ...args]);
      expect(result.code).toBe(code);
      expect(result.stdout).toBe("");
      expect(result.stderr.split("\n")).toHaveLength(2); // one line and its newline
      expect(result.stderr).toMatch(/^error: /);
      expect(result.stderr.slice("error: ".length).trimEnd()).toMatch(message);
      expect(result.stderr).not.toContain(VALUE);
      expect(s.names()).toEqual([]);
    });
  }

  const badNames: Array<[string, string, RegExp]> = [
    ["a tab", "bad\tname", /contains the control character U\+0009/],
    ["a leading space", " db", /starts or ends with whitespace/],
    ["256 characters", "n".repeat(256), /is 256 characters long; the limit is 255/],
  ];
  for (const [what, name, message] of badNames) {
    it(`an invalid name (${what}) → exit 5`, () => {
      const s = session();
      const result = s.run(["secret", "create", name, `--password=${VALUE}`]);
      expect(result.code).toBe(5);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.split("\n")).toHaveLength(2);
      expect(result.stderr).not.toContain(VALUE);
      expect(s.names()).toEqual([]);
    });
  }

  it("a visibility that is not true or false → exit 2", () => {
    const s = session();
    s.ok(["secret", "create", "db", `--password=${VALUE}`]);
    for (const args of [
      ["secret", "get", "db", "--private", "maybe"],
      ["secret", "update", "db", "--private", "yes", "--password=other"],
      ["secret", "list", "--private", "1"],
    ]) {
      const result = s.run(args);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr).toMatch(
        /^error: Option '-p, --private <true\|false>' argument '.*' is invalid\. Use true or false\./,
      );
      expect(result.stderr.split("\n")).toHaveLength(2);
    }
    expect(s.ok(["secret", "get", "db", "--key", "password"])).toBe(`${VALUE}\n`);
  });

  it("a stack trace only with --debug", () => {
    const s = session();
    const plain = s.run(["secret", "get", "nope"]);
    expect(plain.code).toBe(3);
    expect(plain.stderr).not.toMatch(/\n\s+at /);
    const debug = s.run(["secret", "get", "nope", "--debug"]);
    expect(debug.code).toBe(3);
    expect(debug.stderr).toMatch(/^error: No secret named 'nope' exists\./);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });

  it("--json errors are one JSON line on stderr with the code and exit code", () => {
    const s = session();
    const result = s.run(["secret", "get", "nope", "--json"]);
    expect(result.code).toBe(3);
    expect(result.stdout).toBe("");
    expect(JSON.parse(result.stderr)).toEqual({
      error: {
        code: "NOT_FOUND",
        exitCode: 3,
        message: "No secret named 'nope' exists.",
        hint: "Check the name; `coffer secret list` shows the secrets you can see.",
      },
    });
  });
});
