// The README's quick start works exactly as printed, as a new user on a machine whose system Node.js
// may be old (Debian 12's 20) would run it: its `sh install` blocks run in the checkout with only
// the system's PATH, then its `sh test` blocks run the command they installed in a new shell
// outside the checkout, and its `ts test` blocks run with the built client, in order, on one fresh
// home directory. A `# → text` or `// → text` comment says what that line prints.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { EXIT_CODES } from "../src/exit-codes.js";
import { tempDir } from "./helpers.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const readme = readFileSync(path.join(root, "README.md"), "utf8");

interface Block {
  language: "sh" | "ts";
  /** `install` blocks run in the checkout; `test` blocks outside it. */
  kind: "install" | "test";
  code: string;
  /** What the lines marked with → print, in order. */
  expected: string[];
}

function testedBlocks(): Block[] {
  const blocks: Block[] = [];
  for (const match of readme.matchAll(/^```(sh|ts) (test|install)\n([\s\S]*?)^```$/gm)) {
    const language = match[1] as "sh" | "ts";
    const kind = match[2] as "install" | "test";
    const code = match[3]!;
    const marker = language === "sh" ? /#\s*→\s*(.*)$/ : /\/\/\s*→\s*(.*)$/;
    const expected = code
      .split("\n")
      .map((line) => marker.exec(line)?.[1]?.trim())
      .filter((text): text is string => text !== undefined);
    blocks.push({ language, kind, code, expected });
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
  it("has tested install, shell and TypeScript blocks", () => {
    const blocks = testedBlocks();
    expect(blocks[0]?.kind, "the first tested block installs the command").toBe("install");
    expect(blocks.filter((block) => block.language === "sh").length).toBeGreaterThanOrEqual(2);
    expect(blocks.filter((block) => block.language === "ts").length).toBeGreaterThanOrEqual(1);
  });

  it("runs as printed, installed with only the system's PATH, outside the checkout", {
    timeout: 120_000,
  }, () => {
    const home = tempDir("coffer-readme-");
    // The system's PATH only: no toolchain Node.js; /usr/bin/node is whatever the machine has.
    const systemPath = "/usr/bin:/bin";
    const installEnv = { PATH: systemPath, HOME: home };
    // A new shell after the install: the PATH line of the install block is in the user's ~/.bashrc.
    const env = {
      PATH: `${path.join(home, ".local", "bin")}:${systemPath}`,
      HOME: home,
      COFFER_DATA_DIR: path.join(home, "data"),
      COFFER_USER: "reader",
    };
    // A program of the reader's own, outside the checkout, with @coffer/client installed (installing
    // it from the packed tarballs is tested by examples/app).
    const app = path.join(home, "app");
    mkdirSync(path.join(app, "node_modules", "@coffer"), { recursive: true });
    symlinkSync(path.join(root, "packages", "client"), path.join(app, "node_modules", "@coffer", "client"));
    writeFileSync(path.join(app, "package.json"), '{ "type": "module" }\n');

    testedBlocks().forEach((block, index) => {
      const result =
        block.language === "sh"
          ? spawnSync("bash", ["-euo", "pipefail", "-c", block.code], {
              cwd: block.kind === "install" ? root : app,
              env: block.kind === "install" ? installEnv : env,
              encoding: "utf8",
              timeout: 90_000,
            })
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
      if (block.kind === "install") expect(existsSync(path.join(home, ".local", "bin", "coffer"))).toBe(true);
    });
    // The `coffer` those blocks ran is the installed one.
    const which = spawnSync("bash", ["-c", "command -v coffer"], { cwd: app, env, encoding: "utf8" });
    expect(which.stdout.trim()).toBe(path.join(home, ".local", "bin", "coffer"));
  });

  it("lists the exit codes the command uses", () => {
    const rows = [...readme.matchAll(/^\| (\d+) +\| (.+?) +\|$/gm)].map((match) => [
      Number(match[1]),
      match[2],
    ]);
    expect(rows).toEqual(Object.values(EXIT_CODES).map(({ code, meaning }) => [code, meaning]));
  });
});
