// `coffer completion bash|zsh|fish`: scripts written from the command tree. bash is tested as bash
// runs a completion function (COMP_WORDS and COMP_CWORD set, `_coffer` called, COMPREPLY read) and
// at a real interactive bash in a pseudo-terminal (TAB typed, the line read back); zsh and fish
// are syntax-checked, asked for completions (zsh's completion functions stubbed; fish's own
// `complete -C`), and typed at in a pseudo-terminal. A shell that is absent skips its tests, and
// the test's name says so.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { COMMAND_SPECS, COMMANDS, PROGRAM } from "../src/command-tree/index.js";
import { BIN, coffer, cofferEnv, type PtyRun, type PtyStep, tempDir } from "./helpers.js";

/** Where a shell is installed, or undefined. */
function which(shell: string): string | undefined {
  const found = spawnSync("sh", ["-c", `command -v ${shell}`], { encoding: "utf8" });
  return found.status === 0 ? found.stdout.trim() : undefined;
}
const BASH = which("bash");
const ZSH = which("zsh");
const FISH = which("fish");
const skipped = (shell: string, found: string | undefined) =>
  found ? shell : `${shell} — SKIPPED: ${shell} is not installed on this machine (apt-get install ${shell})`;

// On a developer's machine a missing shell skips its tests; CI installs every one of them
// (scripts/ci/install-test-tools.sh), so there a missing shell is a failure, never a silent skip.
it.runIf(process.env.CI)("in CI every shell the completion is written for is installed", () => {
  expect({ bash: BASH, zsh: ZSH, fish: FISH }).toEqual({
    bash: expect.any(String),
    zsh: expect.any(String),
    fish: expect.any(String),
  });
});

const work = tempDir("coffer-completion-");
const env = cofferEnv(path.join(work, "data"));
/** The script `coffer completion SHELL` prints, saved to a file. */
function script(shell: string): string {
  const result = coffer(["completion", shell], { env });
  expect(result.code, result.stderr).toBe(0);
  expect(result.stderr).toBe("");
  const file = path.join(work, `coffer.${shell}`);
  writeFileSync(file, result.stdout);
  return file;
}
// Files to complete, in the directory the completions run in.
const files = path.join(work, "files");
mkdirSync(files, { recursive: true });
writeFileSync(path.join(files, "app.yaml"), "a: 1\n");
writeFileSync(path.join(files, "apple.json"), "{}\n");

/**
 * Runs a shell in a pseudo-terminal (test/pty-driver.py), typing each step's text once its
 * expected output shows; `coffer` on its PATH is the built command.
 */
function terminal(argv: string[], steps: PtyStep[], extraEnv: Record<string, string> = {}): PtyRun {
  const bin = path.join(work, "bin");
  mkdirSync(bin, { recursive: true });
  writeFileSync(path.join(bin, "coffer"), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`, {
    mode: 0o755,
  });
  const spec = {
    argv,
    env: { ...env, PATH: `${bin}:/usr/bin:/bin`, TERM: "dumb", HOME: work, ...extraEnv },
    cwd: files,
    steps,
    timeout: 20,
  };
  const driver = path.join(path.dirname(fileURLToPath(import.meta.url)), "pty-driver.py");
  const result = spawnSync("python3", [driver], {
    input: JSON.stringify(spec),
    encoding: "utf8",
    timeout: 40_000,
  });
  if (result.status !== 0) throw new Error(`pty-driver failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as PtyRun;
}

/** The long options a command's help lists: its own, coffer's, and --help. */
function longOptions(spec: (typeof COMMAND_SPECS)[number]): string[] {
  return [...(spec.options ?? []), ...PROGRAM.options]
    .map((option) => /--[\w-]+/.exec(option.flags)![0])
    .concat("--help")
    .sort();
}

const TOP_LEVEL = Object.keys(COMMANDS);

describe("coffer completion", () => {
  it("refuses a shell it has no script for: usage error (exit 2) naming the choices", () => {
    const result = coffer(["completion", "powershell"], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "error: Command-argument value 'powershell' is invalid for argument 'shell'. Allowed choices are bash, zsh, fish. Run 'coffer completion --help' for usage.\n",
    );
  });

  it("is a command of the tree: its help shows how to load each script", () => {
    const help = coffer(["completion", "--help"], { env });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("source <(coffer completion bash)");
    expect(help.stdout).toContain("~/.config/fish/completions/coffer.fish");
  });
});

describe.skipIf(!BASH)(skipped("bash", BASH), () => {
  const file = BASH ? script("bash") : "";

  /** What `_coffer` puts in COMPREPLY with these words typed (the last one being completed). */
  function complete(...words: string[]): string[] {
    const code = [
      `source ${JSON.stringify(file)}`,
      `COMP_WORDS=(${words.map((word) => `'${word.replace(/'/g, `'\\''`)}'`).join(" ")})`,
      `COMP_CWORD=${words.length - 1}`,
      `COMP_LINE="\${COMP_WORDS[*]}"`,
      `COMP_POINT=\${#COMP_LINE}`,
      "_coffer",
      `printf '%s\\n' "\${COMPREPLY[@]}"`,
    ].join("\n");
    const result = spawnSync(BASH!, ["--norc", "--noprofile", "-c", code], {
      cwd: files,
      env: { PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin` },
      encoding: "utf8",
    });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    return result.stdout.split("\n").filter((line) => line !== "");
  }

  it("is valid bash (bash -n)", () => {
    expect(spawnSync(BASH!, ["-n", file]).status).toBe(0);
  });

  it("completes the top-level commands and groups, and a prefix of them", () => {
    expect(complete("coffer", "")).toEqual(TOP_LEVEL);
    expect(complete("coffer", "se")).toEqual(["secret", "server"]);
    expect(complete("coffer", "comp")).toEqual(["completion"]);
  });

  it.each(Object.entries(COMMANDS).filter(([, subcommands]) => subcommands.length > 0))(
    "completes the subcommands of '%s' from the tree",
    (group, subcommands) => {
      expect(complete("coffer", group, "")).toEqual(subcommands);
    },
  );

  it.each(COMMAND_SPECS.map((spec) => [spec.path.join(" "), spec] as const))(
    "completes the options of '%s' from the tree",
    (_name, spec) => {
      expect(complete("coffer", ...spec.path, "--").sort()).toEqual(longOptions(spec));
    },
  );

  it("completes option values: choices, --opt=value, true|false, and files", () => {
    expect(complete("coffer", "secret", "list", "--sort", "")).toEqual(["name", "created", "updated"]);
    // bash splits --sort=cr into --sort, =, cr.
    expect(complete("coffer", "secret", "list", "--sort", "=", "cr")).toEqual(["created"]);
    expect(complete("coffer", "secret", "list", "--sort", "=")).toEqual(["name", "created", "updated"]);
    expect(complete("coffer", "secret", "validate", "--level", "S")).toEqual([
      "SECRET_EXISTS",
      "SECRET_AND_KEY_EXISTS",
    ]);
    expect(complete("coffer", "secret", "get", "db", "-p", "")).toEqual(["true", "false"]);
    expect(complete("coffer", "--config", "app").sort()).toEqual(["app.yaml", "apple.json"]);
    expect(complete("coffer", "secret", "create", "db", "--values", "@app.")).toEqual(["@app.yaml"]);
    expect(complete("coffer", "secret", "export", "db", "-o", "apple")).toEqual(["apple.json"]);
  });

  it("skips options and their values to find the command: global options before it, --config FILE", () => {
    expect(complete("coffer", "--json", "secret", "ge")).toEqual(["get"]);
    expect(complete("coffer", "--config", "app.yaml", "secret", "ge")).toEqual(["get"]);
    expect(complete("coffer", "--config=app.yaml", "secret", "ge")).toEqual(["get"]);
    expect(complete("coffer", "--config", "=", "app.yaml", "secret", "ge")).toEqual(["get"]);
    expect(complete("coffer", "secret", "list", "--sort", "name", "--de")).toEqual(["--desc", "--debug"]);
  });

  it("completes arguments: choices, files, and after `run … --` a program then files", () => {
    expect(complete("coffer", "completion", "")).toEqual(["bash", "zsh", "fish"]);
    expect(complete("coffer", "user", "set-role", "bob", "")).toEqual([
      "reader",
      "value-reader",
      "writer",
      "admin",
      "auditor",
    ]);
    expect(complete("coffer", "secret", "validate", "app").sort()).toEqual(["app.yaml", "apple.json"]);
    expect(complete("coffer", "secret", "register-missing", "app.")).toEqual(["app.yaml"]);
    expect(complete("coffer", "run", "-s", "db", "--", "nod")).toContain("node");
    expect(complete("coffer", "run", "-s", "db", "--", "node", "app.")).toEqual(["app.yaml"]);
    // A secret's name or a free-text value: nothing offered (never a file or a value).
    expect(complete("coffer", "secret", "get", "")).toEqual([]);
    expect(complete("coffer", "secret", "get", "db", "--key", "")).toEqual([]);
  });

  it("at an interactive bash, TAB completes the command line", () => {
    const rc = path.join(work, "bashrc");
    writeFileSync(rc, `PS1='$ '\nsource ${JSON.stringify(file)}\n`);
    const result = terminal(
      [BASH!, "--noprofile", "--rcfile", rc, "-i"],
      [
        { expect: "$ ", send: "coffer secret reg\t" },
        { expect: "register-missing ", send: "app.y\t" },
        { expect: "app.yaml ", send: "--dr\t" },
        { expect: "--dry-run ", send: "\x15exit\r" },
      ],
    );
    expect(result.error).toBeUndefined();
  });
});

describe.skipIf(!ZSH)(skipped("zsh", ZSH), () => {
  const file = ZSH ? script("zsh") : "";

  /**
   * What `_coffer` offers with these words typed: zsh's completion system is replaced by stubs
   * that print what they are given (_describe's names, compadd's words, <files> for _files,
   * <commands> for _command_names), filtered by the word being completed as zsh would.
   */
  function complete(...words: string[]): string[] {
    const quoted = words.map((word) => `'${word.replace(/'/g, `'\\''`)}'`).join(" ");
    const code = `compdef() { : }
      source ${JSON.stringify(file)}
      _describe() { local name=\${@[-1]}; print -rl -- "\${(@P)name%%:*}" }
      compadd() { [[ $1 == -a ]] && print -rl -- "\${(@P)2}" }
      _files() { print -r -- '<files>' }
      _command_names() { print -r -- '<commands>' }
      compset() { PREFIX=\${PREFIX#*=} }
      words=(${quoted})
      CURRENT=\${#words}
      PREFIX=\${words[CURRENT]}
      _coffer`;
    const result = spawnSync(ZSH!, ["-f", "-c", code], { cwd: files, encoding: "utf8" });
    expect(result.stderr).toBe("");
    const prefix = words.at(-1)!.replace(/^--[\w-]+=/, "");
    return result.stdout
      .split("\n")
      .filter((line) => line !== "" && (line.startsWith("<") || line.startsWith(prefix)));
  }

  it("is valid zsh (zsh -n)", () => {
    expect(spawnSync(ZSH!, ["-n", file]).status).toBe(0);
  });

  it("completes commands, subcommands and options from the tree", () => {
    expect(complete("coffer", "")).toEqual(TOP_LEVEL);
    for (const [group, subcommands] of Object.entries(COMMANDS)) {
      if (subcommands.length > 0) expect(complete("coffer", group, "")).toEqual(subcommands);
    }
    for (const spec of COMMAND_SPECS) {
      const offered = complete("coffer", ...spec.path, "--").sort();
      expect(offered, spec.path.join(" ")).toEqual(longOptions(spec));
    }
  });

  it("completes values and arguments, skipping options and their values", () => {
    expect(complete("coffer", "--config", "app.yaml", "secret", "ge")).toEqual(["get"]);
    expect(complete("coffer", "secret", "list", "--sort", "")).toEqual(["name", "created", "updated"]);
    expect(complete("coffer", "secret", "list", "--sort=cr")).toEqual(["created"]);
    expect(complete("coffer", "completion", "")).toEqual(["bash", "zsh", "fish"]);
    expect(complete("coffer", "secret", "validate", "a")).toEqual(["<files>"]);
    expect(complete("coffer", "run", "-s", "db", "--", "no")).toEqual(["<commands>"]);
    expect(complete("coffer", "run", "-s", "db", "--", "node", "a")).toEqual(["<files>"]);
    expect(complete("coffer", "secret", "get", "")).toEqual([]);
  });

  it("at an interactive zsh with compinit, TAB completes the command line", () => {
    const zdotdir = path.join(work, "zdotdir");
    mkdirSync(zdotdir, { recursive: true });
    writeFileSync(
      path.join(zdotdir, ".zshrc"),
      `PS1='%% '\nautoload -Uz compinit && compinit -u -D\nsource ${JSON.stringify(file)}\n`,
    );
    const result = terminal(
      [ZSH!, "-i"],
      [
        { expect: "% ", send: "coffer secret reg\t" },
        { expect: "register-missing ", send: "app.y\t" },
        { expect: "app.yaml ", send: "--dr\t" },
        { expect: "--dry-run ", send: "\x15exit\r" },
      ],
      { ZDOTDIR: zdotdir },
    );
    expect(result.error).toBeUndefined();
  });
});

describe.skipIf(!FISH)(skipped("fish", FISH), () => {
  const file = FISH ? script("fish") : "";

  /** fish's own answer (`complete -C`) for a command line, as [word, description] pairs. */
  function complete(line: string): Array<[string, string]> {
    const result = spawnSync(
      FISH!,
      ["--no-config", "-c", `source ${JSON.stringify(file)}; complete -C ${JSON.stringify(line)}`],
      {
        cwd: files,
        encoding: "utf8",
        env: { PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin`, HOME: work },
      },
    );
    expect(result.stderr).toBe("");
    return result.stdout
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => line.split("\t") as [string, string]);
  }
  const words = (line: string) => complete(line).map(([word]) => word);

  it("is valid fish (fish -n)", () => {
    expect(spawnSync(FISH!, ["-n", file]).status).toBe(0);
  });

  it("completes commands with their summaries, subcommands and options from the tree", () => {
    expect(words("coffer ").sort()).toEqual([...TOP_LEVEL].sort());
    expect(complete("coffer sec")).toEqual([["secret", "create, read, list, change and remove secrets"]]);
    for (const [group, subcommands] of Object.entries(COMMANDS)) {
      if (subcommands.length > 0)
        expect(words(`coffer ${group} `).sort(), group).toEqual([...subcommands].sort());
    }
    for (const spec of COMMAND_SPECS) {
      expect(words(`coffer ${spec.path.join(" ")} --`).sort(), spec.path.join(" ")).toEqual(
        longOptions(spec),
      );
    }
  });

  it("completes values and arguments, skipping options and their values", () => {
    expect(words("coffer --config app.yaml secret ge")).toEqual(["get"]);
    expect(words("coffer secret list --sort ").sort()).toEqual(["created", "name", "updated"]);
    expect(words("coffer secret list --sort=cr")).toEqual(["--sort=created"]);
    expect(words("coffer completion ").sort()).toEqual(["bash", "fish", "zsh"]);
    expect(words("coffer secret validate app").sort()).toEqual(["app.yaml", "apple.json"]);
    expect(words("coffer secret create db --values @app.")).toEqual(["@app.yaml"]);
    expect(words("coffer run -s db -- nod")).toContain("node");
    expect(words("coffer run -s db -- node app.")).toEqual(["app.yaml"]);
    expect(words("coffer secret get ")).toEqual([]);
  });
});
