// No source file over 400 lines (issue 13): a file that long holds more than one concern. The
// emulators' protocol state machines are the one exception the issue allows (each mirrors one
// provider's API surface and is kept whole to read against the provider's documentation). One
// test walks packages/*/src and examples/*/src and lists every file over the limit at once.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

const MAX_LINES = 400;

/** Where the limit does not apply: the emulators' protocol state machines. */
const EXEMPT = /^packages\/emulators\/src\//;

function lineCount(text: string): number {
  if (text === "") return 0;
  return text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
}

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
      if (entry.isDirectory() && readdirSync(path.join(root, group, entry.name)).includes("src")) {
        walk(path.join(root, group, entry.name, "src"));
      }
    }
  }
  return files.sort();
}

describe("source file sizes", () => {
  it("counts lines the way wc -l does", () => {
    expect(lineCount("")).toBe(0);
    expect(lineCount("a\n")).toBe(1);
    expect(lineCount("a\nb")).toBe(2);
    expect(lineCount("a\nb\n")).toBe(2);
  });

  it(`no packages/*/src or examples/*/src .ts file is over ${MAX_LINES} lines (emulators aside)`, () => {
    const files = sourceFiles();
    expect(files).toContain("packages/service/src/service.ts");
    const over = files.flatMap((file) => {
      if (EXEMPT.test(file)) return [];
      const lines = lineCount(readFileSync(path.join(root, file), "utf8"));
      return lines > MAX_LINES ? [`${file}: ${lines} lines`] : [];
    });
    expect(over, `${over.length} file(s) over ${MAX_LINES} lines:\n${over.join("\n")}`).toEqual([]);
  });
});
