// Reading secrets from files: `secret create/update --values @file.env` and `secret import FILE`
// (dotenv, JSON, YAML), through the installed command. Every bad input: its exit code, one line
// naming the file (and line, secret or key), never a value, and nothing written.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { session, tempDir } from "./helpers.js";

const work = tempDir("coffer-import-");
const file = (name: string, text: string) => {
  const target = path.join(work, name);
  writeFileSync(target, text);
  return target;
};

type User = ReturnType<typeof session>;
const valuesOf = (user: User, name: string, extra: string[] = []) =>
  JSON.parse(user.ok(["secret", "get", name, "--format", "json", ...extra])) as Record<string, string>;

/** A refused run: exit code, one line on stderr naming what it must, no fake value, no stdout. */
function expectRefused(user: User, args: string[], code: number, message: RegExp | string) {
  const run = user.run(args);
  expect(run.code, run.stderr).toBe(code);
  expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(run.stderr).toMatch(message);
  expect(run.stderr).not.toContain("fake-");
  return run;
}

const DOTENV = [
  "# a comment",
  "USERNAME=fake-app",
  `PASSWORD="fake-it's \\"pw\\"\\nline two"`,
  "export TOKEN='fake-$HOME #x'",
  "EMPTY=",
  "",
].join("\n");
const FROM_DOTENV = {
  USERNAME: "fake-app",
  PASSWORD: `fake-it's "pw"\nline two`,
  TOKEN: "fake-$HOME #x",
  EMPTY: "",
};

describe("--values @file.env", () => {
  const user = session();

  it("create reads a .env file's variables as keys, as written", () => {
    user.ok(["secret", "create", "app", "--values", `@${file("app.env", DOTENV)}`]);
    expect(valuesOf(user, "app")).toEqual(FROM_DOTENV);
  });

  it("a file named .env, and --values-format dotenv for another name or standard input", () => {
    user.ok(["secret", "create", "dot", "--values", `@${file(".env", "A=fake-1\n")}`]);
    expect(valuesOf(user, "dot")).toEqual({ A: "fake-1" });
    user.ok([
      "secret",
      "create",
      "named",
      "--values",
      `@${file("vars.txt", "B=fake-2\n")}`,
      "--values-format",
      "dotenv",
    ]);
    expect(valuesOf(user, "named")).toEqual({ B: "fake-2" });
    user.ok(["secret", "create", "piped", "--values", "@-", "--values-format", "dotenv"], {
      input: "C='fake-3'\n",
    });
    expect(valuesOf(user, "piped")).toEqual({ C: "fake-3" });
  });

  it("update merges a .env file's variables, with --KEY=VALUE beside it", () => {
    user.ok([
      "secret",
      "update",
      "app",
      "--values",
      `@${file("more.env", "TOKEN=fake-new\n")}`,
      "--extra=fake-x",
    ]);
    expect(valuesOf(user, "app")).toEqual({ ...FROM_DOTENV, TOKEN: "fake-new", extra: "fake-x" });
  });

  it.each([
    ["a line that is not NAME=value", "A=fake-1\nfake-oops\n", 2, "the line is not NAME=value"],
    [
      "an unclosed quote",
      "A=1\nB='fake-open\n",
      2,
      "the value of B opens a single quote that is never closed",
    ],
    ["a # inside an unquoted value", "A=fake#pw\n", 1, "the unquoted value of A holds a '#'"],
    ["a name given twice", "A=fake-1\nB=2\nA=fake-3\n", 3, "A is given a second time"],
  ])(
    "refuses %s: the file and line, never the value, nothing written (exit 5)",
    (_what, text, line, problem) => {
      const bad = file("bad.env", text);
      const run = expectRefused(user, ["secret", "create", "bad", "--values", `@${bad}`], 5, problem);
      expect(run.stderr).toContain(`${bad}, line ${line}: ${problem}`);
      expect(run.stderr).toContain("nothing was written.");
      expectRefused(user, ["secret", "update", "app", "--values", `@${bad}`], 5, problem);
      expect(user.names()).not.toContain("bad");
      expect(valuesOf(user, "app").TOKEN).toBe("fake-new");
    },
  );

  it("a key in the .env file and in --KEY=VALUE is an error (exit 5)", () => {
    expectRefused(
      user,
      ["secret", "create", "twice", "--values", `@${file("k.env", "K=fake-1\n")}`, "--K=fake-2"],
      5,
      "The key 'K' is given twice",
    );
  });

  it("--values-format yaml reads a .env name as YAML", () => {
    user.ok([
      "secret",
      "create",
      "yaml-named",
      "--values",
      `@${file("y.env", "k: fake-y\n")}`,
      "--values-format",
      "yaml",
    ]);
    expect(valuesOf(user, "yaml-named")).toEqual({ k: "fake-y" });
  });
});

describe("secret import FILE", () => {
  const untouched = session();
  const YAML = ["db:", "  username: fake-app", "  port: '0587'", "api:", "  token: fake-token", ""].join(
    "\n",
  );

  it("creates every secret of a YAML file, public by default, and prints a summary", () => {
    const user = session();
    const out = user.ok(["secret", "import", file("two.yaml", YAML)]);
    expect(out).toContain("Imported");
    expect(out).toMatch(/2 created, 0 updated, 0 skipped/);
    expect(out).not.toContain("fake-");
    expect(valuesOf(user, "db")).toEqual({ username: "fake-app", port: "0587" });
    expect(valuesOf(user, "api")).toEqual({ token: "fake-token" });
    expect(JSON.parse(user.ok(["secret", "get", "db", "--json"])).private).toBe(false);
  });

  it("reads JSON, and a dotenv file as one secret named by --name, --private", () => {
    const user = session();
    user.ok(["secret", "import", file("s.json", JSON.stringify({ db: { password: "fake-pw" } }))]);
    expect(valuesOf(user, "db")).toEqual({ password: "fake-pw" });
    user.ok(["secret", "import", file("app.env", DOTENV), "--name", "app", "--private"]);
    expect(valuesOf(user, "app", ["--private", "true"])).toEqual(FROM_DOTENV);
    expect(JSON.parse(user.ok(["secret", "get", "app", "--json"])).private).toBe(true);
  });

  it("--on-conflict fail (the default): a secret that exists writes nothing at all (exit 4)", () => {
    const user = session();
    user.ok(["secret", "create", "api", "--token=fake-old"]);
    expectRefused(user, ["secret", "import", file("c.yaml", YAML)], 4, /'api'.*nothing was written/);
    expect(user.names()).toEqual(["api"]);
    expect(valuesOf(user, "api")).toEqual({ token: "fake-old" });
  });

  it("--on-conflict skip keeps the existing secret; overwrite replaces its values with the file's", () => {
    const user = session();
    user.ok(["secret", "create", "api", "--token=fake-old", "--other=fake-other"]);
    const skipped = JSON.parse(
      user.ok(["secret", "import", file("s.yaml", YAML), "--on-conflict", "skip", "--json"]),
    );
    expect(skipped.counts).toEqual({ create: 1, update: 0, skip: 1, conflict: 0 });
    expect(valuesOf(user, "api")).toEqual({ token: "fake-old", other: "fake-other" });
    const overwritten = JSON.parse(
      user.ok(["secret", "import", path.join(work, "s.yaml"), "--on-conflict", "overwrite", "--json"]),
    );
    expect(overwritten.secrets.map((s: { action: string }) => s.action)).toEqual(["update", "update"]);
    expect(valuesOf(user, "api")).toEqual({ token: "fake-token" });
    expect(overwritten.secrets[1].secret).toMatchObject({ name: "api", version: 2, keys: ["token"] });
  });

  it("--private looks for and creates private secrets: a public one of the name is no conflict", () => {
    const user = session();
    user.ok(["secret", "create", "api", "--token=fake-public"]);
    user.ok(["secret", "import", file("p.yaml", YAML), "--private"]);
    expect(valuesOf(user, "api", ["--private", "false"])).toEqual({ token: "fake-public" });
    expect(valuesOf(user, "api", ["--private", "true"])).toEqual({ token: "fake-token" });
  });

  it("--dry-run prints the plan (key names only) and writes nothing; conflicts exit 4", () => {
    const user = session();
    user.ok(["secret", "create", "api", "--token=fake-old"]);
    const plan = user.run(["secret", "import", file("d.yaml", YAML), "--dry-run"]);
    expect(plan.code).toBe(4);
    expect(plan.stdout).toMatch(/conflict +public secret 'api' \(key token\)/);
    expect(plan.stdout).toMatch(/create +public secret 'db' \(keys username, port\)/);
    expect(plan.stdout).not.toContain("fake-");
    const json = JSON.parse(
      user.ok([
        "secret",
        "import",
        path.join(work, "d.yaml"),
        "--dry-run",
        "--on-conflict",
        "overwrite",
        "--json",
      ]),
    );
    expect(json).toMatchObject({ dryRun: true, counts: { create: 1, update: 1, skip: 0, conflict: 0 } });
    expect(JSON.stringify(json)).not.toContain("fake-");
    expect(user.names()).toEqual(["api"]);
    expect(valuesOf(user, "api")).toEqual({ token: "fake-old" });
  });

  it.each([
    [
      "a value that is a number",
      "s.json",
      '{"a": {"k": "fake-1"}, "b": {"pin": 1234}}',
      5,
      "The value of key 'pin' in secret 'b'",
    ],
    ["a secret that is not a mapping", "s.yaml", "a: {k: fake-1}\nb: fake-2\n", 5, "The secret 'b' in"],
    ["a YAML null", "s.yaml", "a: {k: fake-1}\nb: {k:}\n", 5, "The value of key 'k' in secret 'b'"],
    ["a tag", "s.yaml", "a: {k: fake-1}\nb: {k: !!binary ZmFrZQ==}\n", 5, "YAML tag !!binary"],
    [
      "a secret given twice",
      "s.yaml",
      "a: {k: fake-1}\na: {j: fake-2}\n",
      5,
      "The secret 'a' is given twice",
    ],
    ["a key given twice", "s.json", '{"a": {"k": "fake-1", "k": "fake-2"}}', 5, "The key 'k' is given twice"],
    ["malformed JSON", "s.json", '{"a": {"k": "fake-1"}, "b": }', 5, /s\.json is malformed JSON/],
    ["malformed YAML", "s.yaml", "a: {k: fake-1}\nb: [fake-2\n", 5, /malformed YAML/],
    ["a secret without keys", "s.yaml", "a: {k: fake-1}\nb: {}\n", 5, "The secret 'b' in"],
    ["a bad dotenv line", "s.env", "A=fake-1\nnot a line\n", 5, "line 2: the line is not NAME=value"],
  ])("refuses %s, writing nothing — not even the secrets before it", (_what, name, text, code, message) => {
    // One session for every refusal (a server each in remote mode): nothing may ever appear in it.
    const user = untouched;
    const args = ["secret", "import", file(name, text), ...(name.endsWith(".env") ? ["--name", "x"] : [])];
    expectRefused(user, args, code, message);
    expect(user.names()).toEqual([]);
  });

  it("refuses a secret over the store's size limit before writing the ones before it (exit 5)", () => {
    const big = file("big.yaml", `small: {k: fake-1}\nbig: {k: fake-${"x".repeat(1_100_000)}}\n`);
    expectRefused(untouched, ["secret", "import", big], 5, /The secret 'big' in .* over the store's limit/);
    expect(untouched.names()).toEqual([]);
  });

  it.each([
    [["import", "secrets.txt"], /--format dotenv\|json\|yaml/],
    [["import", "app.env"], /holds one secret: name it with --name/],
    [["import", "s.yaml", "--name", "x"], /--name is for a dotenv file/],
    [["import", "s.yaml", "--on-conflict", "merge"], /on-conflict/],
  ])("usage mistakes exit 2 before reading anything: %j", (args, message) => {
    expectRefused(untouched, ["secret", ...args], 2, message);
    expect(untouched.names()).toEqual([]);
  });
});
