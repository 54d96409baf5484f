// `secret get --format` and `secret export --format|-o x.env|x.sh` through the installed command:
// what they print read back by a real bash and dash (eval) and by the dotenv readers, the file's
// mode and warning, and each refusal (exit code, one line, no value, nothing written).
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseEnv } from "node:util";
import { describe, expect, it } from "vitest";
import { parseDotenv } from "../src/dotenv.js";
import { session, tempDir } from "./helpers.js";

const user = session();
const work = tempDir("coffer-formats-");
const AWKWARD = {
  username: "app",
  password: `fake-it's "pw" $HOME $(id) \\ #x`,
  cmd: "fake-`id` $'x'",
  "smtp.host": "fake-line one\nline two\n",
  note: "fake-clé ✓ 日本 🙂",
  empty: "",
};
const VARIABLES = {
  USERNAME: AWKWARD.username,
  PASSWORD: AWKWARD.password,
  CMD: AWKWARD.cmd,
  SMTP_HOST: AWKWARD["smtp.host"],
  NOTE: AWKWARD.note,
  EMPTY: AWKWARD.empty,
};
const valuesFile = path.join(work, "awkward.json");
writeFileSync(valuesFile, JSON.stringify(AWKWARD));
user.ok(["secret", "create", "app", "--values", `@${valuesFile}`]);

/** The variables `shell` has after `eval "$(cat FILE)"`, each printed NUL-terminated. */
function evalIn(shell: "bash" | "dash", script: string): Record<string, string> {
  const file = path.join(work, `eval-${shell}.sh`);
  writeFileSync(file, script);
  const names = Object.keys(VARIABLES);
  const print = names.map((name) => `printf '%s\\0' "$${name}"`).join("; ");
  const result = spawnSync(shell, ["-c", `eval "$(cat '${file}')"; ${print}`], { encoding: "utf8" });
  expect(result.status, result.stderr).toBe(0);
  const values = result.stdout.split("\0");
  return Object.fromEntries(names.map((name, index) => [name, values[index]!]));
}

/** A failed run: its exit code, one line on stderr, no fake value in it. */
function expectRefused(args: string[], code: number, message: RegExp): void {
  const run = user.run(args);
  expect(run.code, run.stderr).toBe(code);
  expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(run.stderr).toMatch(message);
  expect(run.stderr).not.toContain("fake-");
  expect(run.stdout).toBe("");
}

describe("secret get --format", () => {
  it("shell: eval'ed by bash and dash gives every value back byte for byte", () => {
    const script = user.ok(["secret", "get", "app", "--format", "shell"]);
    expect(script).toMatch(/^export USERNAME='app'\n/);
    expect(evalIn("bash", script)).toEqual(VARIABLES);
    expect(evalIn("dash", script)).toEqual(VARIABLES);
  });

  it("dotenv: read back by dotenv.ts and util.parseEnv", () => {
    const text = user.ok(["secret", "get", "app", "--format", "dotenv"]);
    expect(Object.fromEntries(parseDotenv(text, "stdout"))).toEqual(VARIABLES);
    expect(parseEnv(text)).toEqual(VARIABLES);
  });

  it("json and yaml: the values alone, keys as stored", () => {
    expect(JSON.parse(user.ok(["secret", "get", "app", "--format", "json"]))).toEqual(AWKWARD);
    const yaml = user.ok(["secret", "get", "app", "--format", "yaml"]);
    const back = path.join(work, "back.yaml");
    writeFileSync(back, yaml);
    user.ok(["secret", "create", "app-yaml", "--values", `@${back}`]);
    expect(JSON.parse(user.ok(["secret", "get", "app-yaml", "--format", "json"]))).toEqual(AWKWARD);
  });

  it("with --key: that key only", () => {
    expect(user.ok(["secret", "get", "app", "--key", "smtp.host", "--format", "shell"])).toBe(
      "export SMTP_HOST='fake-line one\nline two\n'\n",
    );
  });

  it("is refused with --json (exit 2): --json is get's JSON result", () => {
    expectRefused(["secret", "get", "app", "--format", "dotenv", "--json"], 2, /nowhere to go/);
  });

  it("refuses two keys that become one variable, and a key with no letter or digit (exit 2)", () => {
    user.ok(["secret", "create", "clash", "--db.host=fake-1", "--db-host=fake-2"]);
    expectRefused(
      ["secret", "get", "clash", "--format", "shell"],
      2,
      /The keys 'db\.host' and 'db-host' both become the variable DB_HOST/,
    );
    user.ok(["secret", "create", "nameless", "--values", '{"日本": "fake-v"}']);
    expectRefused(["secret", "get", "nameless", "--format", "dotenv"], 2, /'日本' cannot be a variable name/);
  });

  it("refuses what coffer run refuses (exit 5) unless --allow-env names it", () => {
    user.ok(["secret", "create", "loader", "--ld_preload=/tmp/fake.so"]);
    expectRefused(["secret", "get", "loader", "--format", "shell"], 5, /LD_PRELOAD/);
    expect(user.ok(["secret", "get", "loader", "--format", "shell", "--allow-env", "LD_PRELOAD"])).toBe(
      "export LD_PRELOAD='/tmp/fake.so'\n",
    );
  });
});

describe("secret export --format", () => {
  it("-o .env writes dotenv, mode 0600, with the plain-text warning", () => {
    const target = path.join(work, ".env");
    const run = user.run(["secret", "export", "app", "-o", target]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(
      /warning: .*\.env holds the values of public secret 'app' in plain text \(mode 0600\)/,
    );
    expect(statSync(target).mode & 0o777).toBe(0o600);
    const text = readFileSync(target, "utf8");
    expect(Object.fromEntries(parseDotenv(text, target))).toEqual(VARIABLES);
    expect(parseEnv(text)).toEqual(VARIABLES);
  });

  it("--format shell without -o writes <name>.sh that bash and dash read back", () => {
    const dir = tempDir("coffer-export-sh-");
    const run = user.run(["secret", "export", "app", "--format", "shell", "--json"], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ format: "shell", output: path.join(dir, "app.sh") });
    const script = readFileSync(path.join(dir, "app.sh"), "utf8");
    expect(statSync(path.join(dir, "app.sh")).mode & 0o777).toBe(0o600);
    expect(evalIn("bash", script)).toEqual(VARIABLES);
    expect(evalIn("dash", script)).toEqual(VARIABLES);
  });

  it("--format dotenv -o - prints dotenv; with --json it is refused (exit 2)", () => {
    const text = user.ok(["secret", "export", "app", "--format", "dotenv", "-o", "-"]);
    expect(Object.fromEntries(parseDotenv(text, "stdout"))).toEqual(VARIABLES);
    expectRefused(["secret", "export", "app", "--format", "dotenv", "-o", "-", "--json"], 2, /nowhere to go/);
  });

  it("--format dotenv -o secrets.txt writes dotenv under a name that promises no format", () => {
    const target = path.join(work, "secrets.txt");
    user.ok(["secret", "export", "app", "--format", "dotenv", "-o", target]);
    expect(Object.fromEntries(parseDotenv(readFileSync(target, "utf8"), target))).toEqual(VARIABLES);
  });

  it("refuses a name that promises another format than --format, and writes nothing (exit 2)", () => {
    const target = path.join(work, "mismatch.json");
    expectRefused(["secret", "export", "app", "--format", "dotenv", "-o", target], 2, /names a json file/);
    expect(existsSync(target)).toBe(false);
  });

  it("a key clash leaves no file behind (exit 2)", () => {
    const target = path.join(work, "clash.env");
    expectRefused(["secret", "export", "clash", "-o", target], 2, /both become the variable DB_HOST/);
    expect(existsSync(target)).toBe(false);
  });
});
