// `coffer run --dotenv FILE`: a dotenv file's variables for the child, with the same guard as
// secrets' keys, a defined precedence (coffer's environment < env files < secrets), and a bad line
// stopping everything before the child starts. Real child processes throughout.
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { session, tempDir } from "./helpers.js";

const node = process.execPath;
/** A child that prints the given variables as JSON. */
const printEnv = (...names: string[]) => [
  node,
  "-e",
  `console.log(JSON.stringify(Object.fromEntries(${JSON.stringify(names)}.map((n) => [n, process.env[n] ?? null]))))`,
];
/** A child that, if it ever starts, leaves a marker file behind. */
function markerChild() {
  const marker = path.join(tempDir("coffer-marker-"), "started");
  return { marker, argv: [node, "-e", `require("node:fs").writeFileSync(${JSON.stringify(marker)}, "x")`] };
}
function dotenvFile(text: string, name = ".env"): string {
  const file = path.join(tempDir("coffer-envfile-"), name);
  writeFileSync(file, text);
  return file;
}

describe("coffer run --dotenv", () => {
  it("gives the child the file's variables: quotes, $, newlines, unicode and comments as dotenv reads them", () => {
    const s = session();
    const file = dotenvFile(
      [
        "# settings for the test",
        "PLAIN=fake-plain # a comment",
        "SINGLE='$HOME stays \\n as written'",
        'DOUBLE="one\\ntwo \\"three\\""',
        'MULTI="first',
        'second"',
        "UNICODE=clé ✓ 日本 🙂",
        "export EXPORTED=yes",
      ].join("\n"),
    );
    const out = s.ok([
      "run",
      "--dotenv",
      file,
      "--",
      ...printEnv("PLAIN", "SINGLE", "DOUBLE", "MULTI", "UNICODE", "EXPORTED"),
    ]);
    expect(JSON.parse(out)).toEqual({
      PLAIN: "fake-plain",
      SINGLE: "$HOME stays \\n as written",
      DOUBLE: 'one\ntwo "three"',
      MULTI: "first\nsecond",
      UNICODE: "clé ✓ 日本 🙂",
      EXPORTED: "yes",
    });
  });

  it("precedence: coffer's environment < the env files, in order < the secrets", () => {
    const s = session();
    s.ok(["secret", "create", "db", "--password=fake-from-secret"]);
    const first = dotenvFile("PASSWORD=fake-from-file\nFROM_FILE=first\nOVERRIDDEN=first\n");
    const second = dotenvFile("OVERRIDDEN=second\n");
    const out = s.ok(
      [
        "run",
        "-s",
        "db",
        "--dotenv",
        first,
        "--dotenv",
        second,
        "--",
        ...printEnv("PASSWORD", "FROM_FILE", "OVERRIDDEN", "INHERITED"),
      ],
      { env: { FROM_FILE: "parent", INHERITED: "parent", PASSWORD: "parent" } },
    );
    expect(JSON.parse(out)).toEqual({
      PASSWORD: "fake-from-secret",
      FROM_FILE: "first",
      OVERRIDDEN: "second",
      INHERITED: "parent",
    });
  });

  it.each([
    ["a line that is not an assignment", "A=1\nnot an assignment\n", "line 2: the line is not NAME=value"],
    [
      "an unclosed quote",
      'A="fake-unclosed\n',
      "line 1: the value of A opens a double quote that is never closed",
    ],
    ["a # in an unquoted value", "A=fake#value\n", "line 1: the unquoted value of A holds a '#'"],
  ])(
    "%s: exit 5, one line naming the line, the value not shown, the child not started",
    (_what, text, problem) => {
      const s = session();
      s.ok(["secret", "create", "db", "--password=fake-1"]);
      const { marker, argv } = markerChild();
      const file = dotenvFile(text);
      const result = s.run(["run", "-s", "db", "--dotenv", file, "--", ...argv]);
      expect(result.code).toBe(5);
      expect(result.stderr).toContain(`error: ${file}, ${problem}`);
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
      expect(result.stderr).not.toContain("fake-");
      expect(existsSync(marker)).toBe(false);
    },
  );

  it("a missing file: exit 5, the child not started", () => {
    const s = session();
    const { marker, argv } = markerChild();
    const result = s.run(["run", "--dotenv", "/nonexistent/.env", "--", ...argv]);
    expect(result.code).toBe(5);
    expect(result.stderr).toBe(
      "error: --dotenv names the file /nonexistent/.env, which does not exist. Check the path (relative paths start from the current directory).\n",
    );
    expect(existsSync(marker)).toBe(false);
  });

  it("refuses NODE_OPTIONS and LD_PRELOAD from a file unless --allow-env names them", () => {
    const s = session();
    const dir = tempDir("coffer-evil-");
    const evilMarker = path.join(dir, "loaded");
    const script = path.join(dir, "evil.cjs");
    writeFileSync(script, `require("node:fs").writeFileSync(${JSON.stringify(evilMarker)}, "x");\n`);
    const file = dotenvFile(`NODE_OPTIONS=--require=${script}\nLD_PRELOAD=/nonexistent/fake.so\n`);
    const { marker, argv } = markerChild();
    const refused = s.run(["run", "--dotenv", file, "--", ...argv]);
    expect(refused.code).toBe(5);
    expect(refused.stderr).toContain(`the dotenv file ${file} would set NODE_OPTIONS`);
    expect(refused.stderr).toContain(`the dotenv file ${file} would set LD_PRELOAD`);
    expect(refused.stderr).toContain("--allow-env NODE_OPTIONS --allow-env LD_PRELOAD");
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(evilMarker)).toBe(false);

    // Allowed by name, NODE_OPTIONS reaches the child (which then loads the script).
    const onlyNode = dotenvFile(`NODE_OPTIONS=--require=${script}\n`);
    s.ok(["run", "--dotenv", onlyNode, "--allow-env", "NODE_OPTIONS", "--", node, "-e", "0"]);
    expect(existsSync(evilMarker)).toBe(true);
  });

  it("without -s or --dotenv is a usage error (exit 2)", () => {
    const s = session();
    const result = s.run(["run", "--", node, "-e", "0"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "error: coffer run needs -s NAME (secrets) or --dotenv FILE. Write: coffer run -s NAME -- COMMAND ARGS…\n",
    );
  });
});

describe("no option of coffer is named --env-file", () => {
  // Node reads an argument `--env-file FILE` itself, even after the script's path, and applies the
  // NODE_OPTIONS in FILE to coffer's own process before any of coffer runs (nodejs/node#54232): a
  // coffer option of that name would let the file load code past the guard. Hence --dotenv.
  it("in the whole command tree", async () => {
    const { COMMAND_SPECS, PROGRAM } = await import("../src/command-tree/index.js");
    const flags = [...PROGRAM.options, ...COMMAND_SPECS.flatMap((spec) => spec.options ?? [])].map(
      (option) => option.flags,
    );
    expect(flags.filter((flags) => /--env-file/.test(flags))).toEqual([]);
  });
});
