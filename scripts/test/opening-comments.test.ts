// Every source file of the packages and examples opens with a comment that says what it is for
// (issue 13): a reader who opens any file learns its one concern before its first line of code.
// One test walks packages/*/src and examples/*/src and lists every file that fails at once, so a
// clean-up sees the whole list rather than one file per run.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Fewer words than this is a label ("Helpers."), not what the file is for. */
const MIN_WORDS = 4;

/** Comments for tools, not readers: they do not count as the opening comment. */
const DIRECTIVE = /^(?:biome-ignore|eslint|@ts-|istanbul|prettier-ignore|c8 )/;

/**
 * What is wrong with a file's opening, or undefined when it opens (after a shebang and blank
 * lines) with a comment block of at least MIN_WORDS words that is not a tool directive.
 */
function openingCommentProblem(source: string): string | undefined {
  const lines = source.split(/\r?\n/);
  let at = lines[0]?.startsWith("#!") ? 1 : 0;
  while (at < lines.length && lines[at]!.trim() === "") at++;
  const first = lines[at]?.trim() ?? "";
  let text: string;
  if (first.startsWith("//")) {
    const block: string[] = [];
    while (at < lines.length && lines[at]!.trim().startsWith("//")) block.push(lines[at++]!.trim().slice(2));
    text = block.join(" ");
  } else if (first.startsWith("/*")) {
    const end = lines.findIndex((line, index) => index >= at && line.includes("*/"));
    if (end === -1) return "its opening comment is never closed";
    text = lines
      .slice(at, end + 1)
      .join(" ")
      .replace(/^\s*\/\*+|\*+\/\s*$/g, "")
      .replace(/\s\*(?=\s)/g, " ");
  } else {
    return `it opens with code, not a comment: ${JSON.stringify(first.slice(0, 60))}`;
  }
  text = text.trim();
  if (DIRECTIVE.test(text)) return `it opens with a tool directive, not a comment: ${text.slice(0, 60)}`;
  const words = text.split(/\s+/).filter(Boolean).length;
  if (words < MIN_WORDS) return `its opening comment is too short to say what the file is for: "${text}"`;
  return undefined;
}

/** Every .ts file below each `<group>/<package>/src`, as paths from the repository root. */
function sourceFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "node_modules" && entry.name !== "dist") walk(full);
      } else if (entry.name.endsWith(".ts")) {
        files.push(path.relative(root, full));
      }
    }
  };
  for (const group of ["packages", "examples"]) {
    for (const entry of readdirSync(path.join(root, group), { withFileTypes: true })) {
      const src = path.join(root, group, entry.name, "src");
      if (entry.isDirectory() && readdirSync(path.join(root, group, entry.name)).includes("src")) walk(src);
    }
  }
  return files.sort();
}

describe("opening comments", () => {
  it("tells a file that opens with a comment from one that does not", () => {
    const ok = "/**\n * The sql store's options: where values live and the keys.\n */\nexport {};\n";
    expect(openingCommentProblem(ok)).toBeUndefined();
    expect(openingCommentProblem(`#!/usr/bin/env node\n\n${ok}`)).toBeUndefined();
    expect(
      openingCommentProblem("// What every command gets: how to print.\n// More.\nexport {};"),
    ).toBeUndefined();
    expect(
      openingCommentProblem("/** One line that says what this file is for. */\nexport {};"),
    ).toBeUndefined();
    expect(openingCommentProblem('import { z } from "zod";\n/** Too late. */')).toMatch(/opens with code/);
    expect(openingCommentProblem("#!/usr/bin/env node\nrun();\n")).toMatch(/opens with code/);
    expect(openingCommentProblem("// biome-ignore lint/style: generated file here\nexport {};")).toMatch(
      /tool directive/,
    );
    expect(openingCommentProblem("/** Helpers. */\nexport {};")).toMatch(/too short/);
    expect(openingCommentProblem("/**\n * Never closed\nexport {};")).toMatch(/never closed/);
    expect(openingCommentProblem("")).toMatch(/opens with code/);
  });

  it("walks every package's and example's src", () => {
    const files = sourceFiles();
    expect(files).toContain("packages/core/src/store.ts");
    expect(files).toContain("examples/custom-store/src/index.ts");
    expect(files.some((file) => file.includes("/dist/") || file.includes("node_modules"))).toBe(false);
  });

  it("every packages/*/src and examples/*/src .ts file opens with a comment that says what it is for", () => {
    // All offenders in one message, each with its reason, rather than a stop at the first.
    const failing = sourceFiles().flatMap((file) => {
      const problem = openingCommentProblem(readFileSync(path.join(root, file), "utf8"));
      return problem === undefined ? [] : [`${file}: ${problem}`];
    });
    expect(failing, `${failing.length} file(s) without an opening comment:\n${failing.join("\n")}`).toEqual(
      [],
    );
  });
});
