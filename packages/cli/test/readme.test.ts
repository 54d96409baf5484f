// The README's quick start works exactly as printed: its blocks marked `sh test` run with the built
// coffer command, its `ts test` blocks with the built client, in order, on one fresh data
// directory. A `# → text` or `// → text` comment says what that line prints.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { EXIT_CODES } from "../src/exit-codes.js";
import { BIN, tempDir } from "./helpers.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const readme = readFileSync(path.join(root, "README.md"), "utf8");

interface Block {
  language: "sh" | "ts";
  code: string;
  /** What the lines marked with → print, in order. */
  expected: string[];
}

function testedBlocks(): Block[] {
  const blocks: Block[] = [];
  for (const match of readme.matchAll(/^```(sh|ts) test\n([\s\S]*?)^```$/gm)) {
    const language = match[1] as "sh" | "ts";
    const code = match[2]!;
    const marker = language === "sh" ? /#\s*→\s*(.*)$/ : /\/\/\s*→\s*(.*)$/;
    const expected = code
      .split("\n")
      .map((line) => marker.exec(line)?.[1]?.trim())
      .filter((text): text is string => text !== undefined);
    blocks.push({ language, code, expected });
  }
  return blocks;
}

/** `expected` appear as whole lines of `output`, in this order. */
function expectLinesInOrder(output: string, expected: string[]): void {
  const lines = output.split("\n").map((line) => line.trim());
  let from = 0;
  for (const line of expected) {
    const at = lines.indexOf(line, from);
    expect(at, `"${line}" in:\n${output}`).toBeGreaterThanOrEqual(0);
    from = at + 1;
  }
}

describe("README quick start", () => {
  it("has tested shell and TypeScript blocks", () => {
    const blocks = testedBlocks();
    expect(blocks.filter((block) => block.language === "sh").length).toBeGreaterThanOrEqual(2);
    expect(blocks.filter((block) => block.language === "ts").length).toBeGreaterThanOrEqual(1);
  });

  it("runs as printed", { timeout: 120_000 }, () => {
    const work = tempDir("coffer-readme-");
    // `coffer` on the PATH is the built command, as after `alias coffer=…` or a link.
    const bin = path.join(work, "bin");
    mkdirSync(bin);
    writeFileSync(path.join(bin, "coffer"), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
    chmodSync(path.join(bin, "coffer"), 0o755);
    // A program of the reader's own, with @coffer/client installed.
    const app = path.join(work, "app");
    mkdirSync(path.join(app, "node_modules", "@coffer"), { recursive: true });
    symlinkSync(path.join(root, "packages", "client"), path.join(app, "node_modules", "@coffer", "client"));
    writeFileSync(path.join(app, "package.json"), '{ "type": "module" }\n');

    const env = {
      PATH: `${bin}:${path.dirname(process.execPath)}:${process.env.PATH ?? "/usr/bin:/bin"}`,
      HOME: work,
      COFFER_DATA_DIR: path.join(work, "data"),
      COFFER_USER: "reader",
    };
    testedBlocks().forEach((block, index) => {
      const result =
        block.language === "sh"
          ? spawnSync("bash", ["-euo", "pipefail", "-c", block.code], { cwd: app, env, encoding: "utf8" })
          : (() => {
              const file = path.join(app, `readme-${index}.ts`);
              writeFileSync(file, block.code);
              return spawnSync(process.execPath, ["--disable-warning=ExperimentalWarning", file], {
                cwd: app,
                env,
                encoding: "utf8",
                timeout: 60_000,
              });
            })();
      expect(result.status, `block ${index + 1} (${block.language}):\n${block.code}\n${result.stderr}`).toBe(
        0,
      );
      expectLinesInOrder(result.stdout, block.expected);
      // Values the README does not ask to print stay out of the output.
      if (block.language === "ts") expect(result.stdout).not.toContain("fake-password-1");
    });
  });

  it("lists the exit codes the command uses", () => {
    const rows = [...readme.matchAll(/^\| (\d+) +\| (.+?) +\|$/gm)].map((match) => [
      Number(match[1]),
      match[2],
    ]);
    expect(rows).toEqual(Object.values(EXIT_CODES).map(({ code, meaning }) => [code, meaning]));
  });
});
