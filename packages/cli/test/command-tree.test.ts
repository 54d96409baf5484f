// The command tree built from its description: a command defined alone (as when argv names it, to
// keep start-up short) is the same command as in the full tree, only the named command is
// defined then, and the tables derived from the description (COMMANDS, the words of a command
// line that name a command) agree with it.
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { COMMAND_SPECS, COMMANDS, commandWords, GROUPS, namedCommand } from "../src/command-tree/index.js";
import { buildProgram } from "../src/program.js";

const version = () => "0.0.0-test";

/** The command at `path` in `program`, if it is defined. */
function find(program: Command, path: readonly string[]): Command | undefined {
  let command: Command | undefined = program;
  for (const word of path) command = command?.commands.find((child) => child.name() === word);
  return command;
}

const groupNames = new Set(GROUPS.map((group) => group.name));

/** Every command defined under `program` (groups hold commands, and are not counted), as paths. */
function defined(program: Command, prefix: string[] = []): string[] {
  return program.commands.flatMap((child) => {
    const path = [...prefix, child.name()];
    return prefix.length === 0 && groupNames.has(child.name()) ? defined(child, path) : [path.join(" ")];
  });
}

/** What `--help` prints for a command: its help information and the text added after it. */
function helpOf(command: Command): string {
  let text = "";
  command.configureOutput({ writeOut: (chunk) => (text += chunk), writeErr: (chunk) => (text += chunk) });
  command.outputHelp();
  return text;
}

describe("command tree", () => {
  const full = buildProgram(version);

  it("defines every described command, and only those", () => {
    expect(defined(full).sort()).toEqual(COMMAND_SPECS.map((spec) => spec.path.join(" ")).sort());
  });

  it("gives every group a description and at least one command", () => {
    const groups = COMMAND_SPECS.filter((spec) => spec.path.length === 2).map((spec) => spec.path[0]);
    expect([...new Set(groups)].sort()).toEqual(GROUPS.map((group) => group.name).sort());
  });

  it.each(COMMAND_SPECS.map((spec) => [spec.path.join(" "), spec] as const))(
    "'%s' named alone is defined alone, as in the full tree",
    (_name, spec) => {
      const argv = [...spec.path, "some-argument"];
      expect(namedCommand(argv)).toEqual([...spec.path]);
      const lazy = buildProgram(version, argv);
      expect(defined(lazy)).toEqual([spec.path.join(" ")]);
      const alone = find(lazy, spec.path)!;
      const inFull = find(full, spec.path)!;
      expect(helpOf(alone)).toBe(helpOf(inFull));
      expect(alone.options.map((option) => [option.flags, option.mandatory, option.defaultValue])).toEqual(
        inFull.options.map((option) => [option.flags, option.mandatory, option.defaultValue]),
      );
    },
  );

  it("defines every command when help is asked for or no command is named", () => {
    const argvs = [
      ["secret", "get", "--help"],
      ["run", "-h"],
      ["secret", "-h"],
      [],
      ["secret"],
      ["sceret", "get"],
    ];
    for (const argv of argvs) {
      expect(namedCommand(argv), argv.join(" ")).toBeUndefined();
      expect(defined(buildProgram(version, argv)).length, argv.join(" ")).toBe(COMMAND_SPECS.length);
    }
  });

  it("derives the command table and the command words of argv from the description", () => {
    expect(COMMANDS.secret).toEqual([
      "create",
      "get",
      "list",
      "update",
      "rename",
      "delete",
      "history",
      "watch",
      "rollback",
      "export",
      "import",
      "validate",
      "resolve",
      "register-missing",
    ]);
    expect(COMMANDS.run).toEqual([]);
    expect(commandWords(["--json", "secret", "get", "db"])).toEqual(["secret", "get"]);
    expect(commandWords(["secret", "craete", "db"])).toEqual(["secret"]);
    expect(commandWords(["run", "-s", "db", "--", "env"])).toEqual(["run"]);
    expect(commandWords(["constructor"])).toEqual([]);
  });

  it("names every command in the README's synopsis", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const synopsis = /^```\n([\s\S]*?)^```$/m.exec(readme)![1]!;
    for (const spec of COMMAND_SPECS) {
      expect(synopsis, spec.path.join(" ")).toMatch(new RegExp(`(coffer|\\|) ${spec.path.join(" ")}\\b`));
    }
  });
});
