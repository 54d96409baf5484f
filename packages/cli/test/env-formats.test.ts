// The dotenv and shell writers (src/env-formats.ts), read back by real readers: shell output is
// eval'ed and sourced by a real bash and a real dash (/bin/sh on Debian), which print each variable
// NUL-terminated so the comparison is byte for byte; dotenv output is read by the CLI's own strict
// reader (src/dotenv.ts) and by Node's util.parseEnv wherever that reader can represent the value.
// Fixed awkward values first, then arbitrary strings (fast-check).
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { parseEnv } from "node:util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseDotenv } from "../src/dotenv.js";
import { toDotenv, toShell, variablesFor } from "../src/env-formats.js";
import { tempDir } from "./helpers.js";

const AWKWARD: Record<string, string> = {
  single: "it's",
  double: 'say "hi"',
  both: `it's "both"`,
  all_quotes: `it's "all" \`three\``,
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${USER}, not expanded
  dollar: "$HOME ${USER} $(id) $((1+1))",
  backtick: "`id`",
  backslash: "a\\b\\\\c\\n\\'\\",
  newline: "line one\nline two\n",
  crlf: "a\r\nb\r",
  hash: "p#ss # not a comment",
  unicode: "clé ✓ 日本 🙂 \u2028 \u00a0",
  empty: "",
  spaces: "  padded  ",
  tab: "a\tb",
  leading_equals: "=x=y",
  export_like: "export A=1",
  only_quote: "'",
  trailing_backslash: "ends with \\",
  bang: "!!  !$ history",
  glob: "* ? [a-z]",
  semicolon: "a; rm -rf /tmp/never-there",
};

const work = tempDir("coffer-env-formats-");
let fileCount = 0;

/**
 * What `shell` reads back from `script` (our output), by `eval` or by `.`: each named variable's
 * value, taken from the shell's own printf, NUL-terminated (no value can hold a NUL).
 */
function readByShell(shell: "bash" | "dash", how: "eval" | "source", script: string, names: string[]) {
  const file = path.join(work, `vars-${fileCount++}.sh`);
  writeFileSync(file, script);
  const load = how === "eval" ? `eval "$(cat '${file}')"` : `. '${file}'`;
  const print = names.map((name) => `printf '%s\\0' "$${name}"`).join("\n");
  // The variables must also reach a child process: they are exported.
  const child = names.map((name) => `${name}`).join(" ");
  const result = spawnSync(
    shell,
    ["-c", `set -e\n${load}\n${print}\nenv -0 | grep -z -E '^(${child.replace(/ /g, "|")})=' | sort -z`],
    { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LC_ALL: "C" }, encoding: "buffer" },
  );
  expect(result.status, `${shell}: ${result.stderr.toString()}`).toBe(0);
  const parts = result.stdout.toString("utf8").split("\0");
  const values = parts.slice(0, names.length);
  const exported = Object.fromEntries(
    parts
      .slice(names.length, -1)
      .map((entry) => [entry.slice(0, entry.indexOf("=")), entry.slice(entry.indexOf("=") + 1)]),
  );
  return { values, exported };
}

function expectShellReadsBack(values: Record<string, string>): void {
  const variables = variablesFor(values, "shell");
  const names = variables.map(([name]) => name);
  const script = toShell(variables);
  for (const shell of ["bash", "dash"] as const) {
    for (const how of ["eval", "source"] as const) {
      const read = readByShell(shell, how, script, names);
      expect(read.values, `${shell} ${how}`).toEqual(variables.map(([, value]) => value));
      expect(read.exported, `${shell} ${how}: exported`).toEqual(Object.fromEntries(variables));
    }
  }
}

/** Whether Node's parseEnv can read `value` back: it knows no escapes but \n in double quotes. */
function nodeCanRead(value: string): boolean {
  if (value.includes("\r")) return false;
  return !value.includes("'") || !value.includes("`") || (!value.includes('"') && !value.includes("\\"));
}

function expectDotenvReadsBack(values: Record<string, string>): void {
  const variables = variablesFor(values, "dotenv");
  const text = toDotenv(variables);
  expect(Object.fromEntries(parseDotenv(text, "x.env")), text).toEqual(Object.fromEntries(variables));
  const byNode = parseEnv(text);
  for (const [name, value] of variables) {
    if (nodeCanRead(value)) expect(byNode[name], `${name} read by util.parseEnv from ${text}`).toBe(value);
  }
}

/** Values a secret can hold: well-formed text without NUL (which no variable can hold either). */
const secretValue = fc
  .string({
    unit: fc.oneof(
      fc.constantFrom("'", '"', "`", "\\", "$", "\n", "\r", "#", " ", "="),
      fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
    ),
  })
  .filter((value) => value.isWellFormed() && !value.includes("\u0000"));

describe("shell output, read by bash and dash", () => {
  it("gives back every awkward value byte for byte, by eval and by source, exported", () => {
    expectShellReadsBack(AWKWARD);
  });

  // A shell costs ≈ 0.15 s to start on this machine, so each run reads 200 values at once (four
  // shells); a failing batch still shrinks to the value that breaks.
  it("gives back arbitrary strings (fast-check)", { timeout: 120_000 }, () => {
    fc.assert(
      fc.property(fc.array(secretValue, { minLength: 1, maxLength: 200 }), (list) => {
        expectShellReadsBack(Object.fromEntries(list.map((value, index) => [`key_${index}`, value])));
      }),
      { numRuns: 8 },
    );
  });
});

describe("dotenv output, read by dotenv.ts and util.parseEnv", () => {
  it("gives back every awkward value", () => {
    expectDotenvReadsBack(AWKWARD);
    // The values Node cannot read are few and known: those with all three quotes and \ or ", and CR.
    expect(Object.keys(AWKWARD).filter((key) => !nodeCanRead(AWKWARD[key]!))).toEqual(["all_quotes", "crlf"]);
  });

  it("gives back arbitrary strings (fast-check)", () => {
    fc.assert(
      fc.property(fc.array(secretValue, { minLength: 1, maxLength: 4 }), (list) => {
        expectDotenvReadsBack(Object.fromEntries(list.map((value, index) => [`key_${index}`, value])));
      }),
      { numRuns: 2000 },
    );
  });
});

describe("variable names", () => {
  it("follow coffer run: upper case, other characters _, a leading digit gets _", () => {
    expect(variablesFor({ "smtp.host": "a", "api-key": "b", "2fa": "c", clé: "d" }, "dotenv")).toEqual([
      ["SMTP_HOST", "a"],
      ["API_KEY", "b"],
      ["_2FA", "c"],
      ["CL_", "d"],
    ]);
  });

  it.each([["-"], ["日本"], ["_"], ["..."]])("refuses the key %j, which has no letter or digit", (key) => {
    expect(() => variablesFor({ [key]: "fake-value" }, "shell")).toThrow(/cannot be a variable name/);
  });

  it("refuses two keys that become one variable, naming both", () => {
    expect(() => variablesFor({ "db.host": "fake-1", "db-host": "fake-2" }, "dotenv")).toThrow(
      "The keys 'db.host' and 'db-host' both become the variable DB_HOST in --format dotenv.",
    );
  });

  it("refuses a value with NUL, without quoting it", () => {
    expect(() => variablesFor({ k: "fake\u0000value" }, "shell")).toThrow(/NUL/);
  });

  it("refuses what coffer run refuses unless allowed", () => {
    expect(() => variablesFor({ ld_preload: "/tmp/fake.so" }, "shell")).toThrow(/LD_PRELOAD/);
    expect(variablesFor({ ld_preload: "/tmp/fake.so" }, "shell", new Set(["LD_PRELOAD"]))).toEqual([
      ["LD_PRELOAD", "/tmp/fake.so"],
    ]);
  });
});
